"""The page's words in French and German: every string the page's JavaScript passes to gettext,
ngettext or pgettext is in locale/<fr|de>/LC_MESSAGES/djangojs.po, translated (every plural form,
the same placeholders, nothing fuzzy), and the committed .mo files say what the .po files say
(a fresh clone needs no gettext tools).

After changing a string in the page:
    DEBUG=1 python manage.py makemessages -d djangojs -l fr -l de --ignore=.venv --ignore=node_modules \
        --ignore=staticfiles --ignore=locale --ignore=test-artifacts
then translate, and compile (`python manage.py compilemessages --ignore=.venv`).
"""

import ast
import gettext
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings

JS = Path(__file__).resolve().parents[1] / "static" / "frontend" / "js"
I18N_JS = JS / "lib" / "i18n.js"
LOCALES = ["fr", "de"]
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def catalog_path(language: str, suffix: str) -> Path:
    return Path(settings.BASE_DIR) / "locale" / language / "LC_MESSAGES" / f"djangojs.{suffix}"


# --- the .po files -----------------------------------------------------------------------------


@dataclass
class Entry:
    msgid: str = ""
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)  # form -> text (0 only, without a plural)
    flags: set[str] = field(default_factory=set)

    @property
    def key(self) -> tuple[str | None, str]:
        return (self.msgctxt, self.msgid)


def read_po(path: Path) -> list[Entry]:
    """The entries of a .po file (obsolete `#~` ones left out), the header first."""
    entries: list[Entry] = []
    entry: Entry | None = None
    target: tuple[str, int] | None = None  # which field continuation lines add to

    def add(text: str) -> None:
        assert entry is not None
        assert target is not None
        name, form = target
        if name == "msgstr":
            entry.msgstr[form] = entry.msgstr.get(form, "") + text
        else:
            setattr(entry, name, (getattr(entry, name) or "") + text)

    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#~"):
            continue
        if line.startswith("#,"):
            if entry is None or entry.msgstr:
                entry = Entry()
                entries.append(entry)
            entry.flags |= {flag.strip() for flag in line[2:].split(",")}
            continue
        if line.startswith("#"):
            continue
        keyword, _, rest = line.partition(" ")
        if line.startswith('"'):
            add(ast.literal_eval(line))
            continue
        if keyword in {"msgctxt", "msgid"} and (entry is None or entry.msgstr):
            entry = Entry()
            entries.append(entry)
        assert entry is not None, f"{path}: {line!r} before any entry"
        match = re.fullmatch(r"msgstr\[(\d+)\]", keyword)
        if match:
            target = ("msgstr", int(match.group(1)))
        elif keyword in {"msgctxt", "msgid", "msgid_plural", "msgstr"}:
            target = (keyword, 0)
        else:
            raise AssertionError(f"{path}: cannot read {line!r}")
        if keyword in {"msgctxt", "msgid_plural"}:
            setattr(entry, keyword, "")
        add(ast.literal_eval(rest))
    return entries


# --- the page's strings ------------------------------------------------------------------------

CALL = re.compile(r"(?<![\w.$])(gettext|ngettext|pgettext)\(")
LITERALS = {"gettext": 1, "ngettext": 2, "pgettext": 2}
STRING = re.compile(r'\s*"((?:[^"\\\n]|\\.)*)"\s*')


def string_arguments(text: str, start: int, count: int) -> list[str] | None:
    """The first `count` arguments of the call whose arguments start at `start`, each a "string"
    or "strings" + "joined"; None when one is something else."""
    arguments = []
    position = start
    for _ in range(count):
        parts = []
        while match := STRING.match(text, position):
            parts.append(json.loads(f'"{match.group(1)}"'))
            position = match.end()
            if not text.startswith("+", position):
                break
            position += 1
        if not parts or text[position] not in ",)":
            return None
        arguments.append("".join(parts))
        position += 1
    return arguments


def page_strings() -> tuple[set[tuple[str | None, str, str | None]], list[str]]:
    """(context, text, plural) of every gettext/ngettext/pgettext call in the page's modules, and
    the calls whose text is not a plain string (makemessages cannot see those)."""
    found: set[tuple[str | None, str, str | None]] = set()
    unreadable: list[str] = []
    for path in sorted(JS.rglob("*.js")):
        if path == I18N_JS:
            continue
        text = path.read_text(encoding="utf-8")
        for match in CALL.finditer(text):
            name = match.group(1)
            arguments = string_arguments(text, match.end(), LITERALS[name])
            where = f"{path.relative_to(JS)}:{text.count(chr(10), 0, match.start()) + 1}"
            if arguments is None:
                unreadable.append(where)
            elif name == "gettext":
                found.add((None, arguments[0], None))
            elif name == "ngettext":
                found.add((None, arguments[0], arguments[1]))
            else:
                found.add((arguments[0], arguments[1], None))
    return found, unreadable


def test_the_pages_words_are_plain_strings_passed_to_names_makemessages_knows():
    _, unreadable = page_strings()
    assert not unreadable, (
        "pass gettext/ngettext/pgettext whole sentences as double-quoted strings (placeholders: "
        "%(name)s and a values object), never a variable, a template literal or a concatenation "
        "with one:\n" + "\n".join(unreadable)
    )
    aliases = [
        f"{path.relative_to(JS)}:{number}"
        for path in sorted(JS.rglob("*.js"))
        if path != I18N_JS
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if re.search(r"(?<![\w.$])tn?\(|import \{[^}]*\btn?\b[^}]*\} from", line)
    ]
    assert not aliases, "call gettext() and ngettext(), not t() and tn(): makemessages only knows those\n" + "\n".join(
        aliases
    )


@pytest.mark.parametrize("language", LOCALES)
def test_the_catalog_holds_every_string_of_the_page_and_no_other(language):
    wanted, _ = page_strings()
    entries = [entry for entry in read_po(catalog_path(language, "po")) if entry.msgid]
    held = {(entry.msgctxt, entry.msgid, entry.msgid_plural) for entry in entries}
    assert wanted, "found no gettext() calls in the page's modules"
    assert not wanted - held, f"run makemessages: not in {language}'s catalog: {sorted(wanted - held, key=str)}"
    assert not held - wanted, f"run makemessages: no longer in the page: {sorted(held - wanted, key=str)}"


@pytest.mark.parametrize("language", LOCALES)
def test_the_catalog_is_translated_completely(language):
    entries = read_po(catalog_path(language, "po"))
    header, entries = entries[0], entries[1:]
    assert header.msgid == ""
    assert "fuzzy" not in header.flags, "the header is still marked fuzzy"
    forms = re.search(r"Plural-Forms: nplurals=(\d+);", header.msgstr[0])
    assert forms, "the header has no Plural-Forms"
    assert f"Language: {language}\n" in header.msgstr[0]
    problems = []
    for entry in entries:
        name = f"{entry.msgctxt + ' | ' if entry.msgctxt else ''}{entry.msgid!r}"
        if "fuzzy" in entry.flags:
            problems.append(f"fuzzy: {name}")
        expected = set(range(int(forms.group(1)))) if entry.msgid_plural is not None else {0}
        if set(entry.msgstr) != expected or not all(entry.msgstr.values()):
            problems.append(f"untranslated: {name}")
            continue
        if entry.msgid_plural is None:
            if set(PLACEHOLDER.findall(entry.msgstr[0])) != set(PLACEHOLDER.findall(entry.msgid)):
                problems.append(f"placeholders differ: {name}")
            continue
        english = set(PLACEHOLDER.findall(entry.msgid_plural))
        for text in entry.msgstr.values():
            # A singular form may say "one" instead of %(count)s; nothing else may go missing.
            if not english - {"count"} <= set(PLACEHOLDER.findall(text)) <= english:
                problems.append(f"placeholders differ: {name}: {text!r}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("language", LOCALES)
def test_the_compiled_catalog_is_the_po_file(language):
    expected: dict[object, str] = {}
    for entry in read_po(catalog_path(language, "po")):
        key = f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt is not None else entry.msgid
        if "fuzzy" in entry.flags and entry.msgid:
            continue
        if not entry.msgid:  # the header: msgfmt leaves out when the .pot was made
            lines = entry.msgstr[0].splitlines(keepends=True)
            expected[key] = "".join(line for line in lines if not line.startswith("POT-Creation-Date:"))
        elif entry.msgid_plural is None:
            expected[key] = entry.msgstr[0]
        else:
            expected.update({(key, form): text for form, text in entry.msgstr.items()})
    with catalog_path(language, "mo").open("rb") as compiled:
        translations = gettext.GNUTranslations(compiled)
    assert translations._catalog == expected, (
        f"locale/{language}/LC_MESSAGES/djangojs.mo is out of date: run compilemessages"
    )
