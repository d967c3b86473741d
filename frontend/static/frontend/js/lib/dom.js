// h("button", {type: "button", class: "x", onclick: fn}, "text", child): elements without
// innerHTML, so whatever people type is only ever text.

export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) continue;
    if (name.startsWith("on") && typeof value === "function") element.addEventListener(name.slice(2), value);
    else if (name === "class") element.className = value;
    else if (name === "dataset") Object.assign(element.dataset, value);
    else if (value === true) element.setAttribute(name, "");
    else element.setAttribute(name, String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

const URL_PATTERN = /\bhttps?:\/\/[^\s<>"']+/gi;
const TRAILING = /[.,!?;:'"\])}]+$/;

// Plain text with its http(s) links made clickable; everything else stays text.
export function linkify(text) {
  const fragment = document.createDocumentFragment();
  let last = 0;
  for (const match of text.matchAll(URL_PATTERN)) {
    let url = match[0];
    const trailing = url.match(TRAILING);
    if (trailing) url = url.slice(0, url.length - trailing[0].length);
    if (!url.includes("://") || url.endsWith("://")) continue;
    fragment.append(text.slice(last, match.index));
    fragment.append(h("a", { href: url, target: "_blank", rel: "noopener noreferrer nofollow" }, url));
    last = match.index + url.length;
  }
  fragment.append(text.slice(last));
  return fragment;
}
