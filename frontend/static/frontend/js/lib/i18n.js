// The page's words in the visitor's language. Django's JavaScript catalog (/jsi18n/, loaded
// before the modules) defines the global gettext functions; without it the words stay English.
// `makemessages -d djangojs` finds the strings by these names: t(), tn(), pgettext().

const catalog = globalThis.django || {};

/** The translation of `text`; `values` fill its %(name)s placeholders. */
export function t(text, values) {
  const translated = catalog.gettext ? catalog.gettext(text) : text;
  return values ? fill(translated, values) : translated;
}

/** The singular or plural translation for `count`; `values` fill its %(name)s placeholders. */
export function tn(singular, plural, count, values) {
  const translated = catalog.ngettext ? catalog.ngettext(singular, plural, count) : count === 1 ? singular : plural;
  return fill(translated, { count, ...values });
}

/** `text` in `context` (the same English word translated two ways). */
export function pgettext(context, text) {
  return catalog.pgettext ? catalog.pgettext(context, text) : text;
}

function fill(text, values) {
  return text.replace(/%\((\w+)\)s/g, (whole, name) => (name in values ? String(values[name]) : whole));
}

/** The page's language (the <html lang>), for dates, times and numbers. */
export const locale = document.documentElement.lang || "en";
