// The page's words in the visitor's language. Django's JavaScript catalog (/jsi18n/, loaded
// before the modules) defines the global gettext functions; without it the words stay English.
//
// `makemessages -d djangojs` (xgettext) finds the strings by the names it knows: call these as
// gettext("…"), ngettext("…", "…", n) and pgettext("context", "…"), with string literals (no
// template literals, no concatenation: whole sentences, with %(name)s placeholders), e.g.
//   gettext("Report %(name)s", { name })   ngettext("%(count)s person", "%(count)s people", n)
// frontend/tests/test_i18n.py checks that every such string is in the French and German catalogs.

const catalog = globalThis.django || {};

/** The page's language (the <html lang>), for dates, times and numbers (Intl, toLocale*String). */
export const locale = (globalThis.document && document.documentElement.lang) || "en";

/** The translation of `text`; `values` fill its %(name)s placeholders (numbers written the
 * page language's way: 1,000 / 1 000 / 1.000). */
export function gettext(text, values) {
  const translated = catalog.gettext ? catalog.gettext(text) : text;
  return values ? fill(translated, values) : translated;
}

/** The singular or plural translation for `count`; `values` fill its %(name)s placeholders
 * (`count` is one of them). */
export function ngettext(singular, plural, count, values) {
  const translated = catalog.ngettext ? catalog.ngettext(singular, plural, count) : count === 1 ? singular : plural;
  return fill(translated, { count, ...values });
}

/** `text` in `context` (the same English word translated two ways). */
export function pgettext(context, text, values) {
  const translated = catalog.pgettext ? catalog.pgettext(context, text) : text;
  return values ? fill(translated, values) : translated;
}

function fill(text, values) {
  const written = (value) => (typeof value === "number" ? value.toLocaleString(locale) : String(value));
  return text.replace(/%\((\w+)\)s/g, (whole, name) => (name in values ? written(values[name]) : whole));
}

// The first names this module had: makemessages does not know them, so strings passed to them are
// not translated (frontend/tests/test_i18n.py fails on any call). Use gettext and ngettext.
export { gettext as t, ngettext as tn };
