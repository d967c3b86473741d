"""What a display name may not be: one the staff or the system speak under ("System",
"Moderator", …, however it is spelt), or one hiding characters that are invisible or turn text
around (bidi controls, zero-width characters: Unicode category Cf) or control characters.

Pure functions on text, so the rule is the same wherever a name is set (players/services.py)."""

import re
import unicodedata

from django.conf import settings
from django.utils.translation import gettext

# Categories refused anywhere in a name: format characters (bidi controls such as U+202E, zero
# width spaces and joiners, the soft hyphen, the byte order mark), control characters, private
# use and lone surrogates. White space is collapsed to single spaces before this check.
REFUSED_CATEGORIES = frozenset({"Cf", "Cc", "Co", "Cs"})

# Common look-alikes, after NFKC and casefolding: letters from other scripts that read as Latin,
# and digits and signs used for letters. Not Unicode's whole confusables table: these are the
# ones a name on a screen gets away with. 1, l and i all become "i" ("adm1n", "admln").
LOOK_ALIKES = str.maketrans(
    {
        # Cyrillic
        "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p", "с": "c",
        "т": "t", "у": "y", "х": "x", "і": "i", "ї": "i", "ј": "j", "ѕ": "s", "ԁ": "d", "ԛ": "q", "ԝ": "w",
        "һ": "h", "ɡ": "g",
        # Greek
        "α": "a", "β": "b", "ε": "e", "η": "n", "ι": "i", "κ": "k", "μ": "u", "ν": "v", "ο": "o", "ρ": "p",
        "τ": "t", "υ": "u", "χ": "x", "ω": "w",
        # digits and signs
        "0": "o", "1": "i", "l": "i", "|": "i", "!": "i", "3": "e", "4": "a", "@": "a", "5": "s", "$": "s",
        "7": "t", "8": "b",
    }
)  # fmt: skip
_SEPARATORS = re.compile(r"[\W_]+")


def name_skeleton(text: str) -> str:
    """What a name reads as: NFKC (full-width and other compatibility forms), casefolded,
    accents dropped, look-alikes mapped, "rn" read as "m". Keeps separators, for words."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = "".join(char for char in unicodedata.normalize("NFD", text) if unicodedata.category(char) != "Mn")
    return text.translate(LOOK_ALIKES).replace("rn", "m")


def _words(skeleton: str) -> list[str]:
    return [word for word in _SEPARATORS.split(skeleton) if word]


def reserved_skeletons() -> frozenset[str]:
    return frozenset("".join(_words(name_skeleton(name))) for name in settings.RESERVED_NAMES)


def is_reserved(name: str) -> bool:
    """The name is a reserved one, or has one as a word ("Moderator Mona", "[Staff] Bob"), or
    spells one out with separators ("S y s t e m")."""
    reserved = reserved_skeletons()
    words = _words(name_skeleton(name))
    return "".join(words) in reserved or any(word in reserved for word in words)


def display_name_problem(name: str, *, staff: bool) -> str | None:
    """Why `name` (white space already collapsed) may not be a display name, or None. Staff
    accounts may speak as the staff; nobody may hide characters."""
    for char in name:
        if unicodedata.category(char) in REFUSED_CATEGORIES:
            return gettext("A display name cannot contain invisible or control characters (such as %(char)s).") % {
                "char": f"U+{ord(char):04X}"
            }
    if not staff and is_reserved(name):
        return gettext("That name is kept for the staff and the system; choose another.")
    return None
