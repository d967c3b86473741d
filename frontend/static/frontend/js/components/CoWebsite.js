// Websites beside the map (docs/protocol.md "areas", `website`; docs/maps.md `openWebsite`): an
// area's site opens in a panel beside the map (a sheet over its bottom on a phone) when we walk in
// (`trigger` "enter"), or when we ask for it (`trigger` "action": Space, or a tap on the offer
// over the map). Several stack as tabs, each with its close button. Walking out closes a site
// unless the map made it `closable` (then it stays until closed); one closed while we are still
// inside is offered again.
//
// Only this site and the origins the operator allows (config.embedOrigins, EMBED_ALLOWED_ORIGINS;
// the page's Content-Security-Policy frame-src lists the same) are shown in a frame, sandboxed: a
// page of this site without allow-same-origin, so that it cannot reach our session; an allowed
// origin's with it (it is another origin anyway). Any other site is a link to open in a new tab.

import { h } from "../lib/dom.js";
import { gettext } from "../lib/i18n.js";
import { makeTabs } from "../lib/tabs.js";

const SANDBOX = "allow-scripts allow-forms allow-popups";

/** How a website may be shown: {href, frame}, `frame` being "self" (a page of this site),
 * "allowed" (an allowed origin) or null (a link only); null for anything but http(s). A path
 * resolves against this site as the browser resolves it (so "/\\host/" is another host). */
export function embedding(url, allowed, origin = location.origin) {
  let parsed;
  try {
    parsed = new URL(url, origin);
  } catch {
    return null;
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") return null;
  if (parsed.origin === origin) return { href: parsed.href, frame: "self" };
  return { href: parsed.href, frame: allowed.includes(parsed.origin.toLowerCase()) ? "allowed" : null };
}

export class CoWebsite {
  constructor({ panel, stage, canvas, allowed }) {
    Object.assign(this, { panel, canvas, allowed });
    panel.setAttribute("aria-label", gettext("Websites"));
    this.head = h("div", { class: "cowebsite-head" });
    this.bodies = h("div", { class: "cowebsite-bodies" });
    panel.replaceChildren(this.head, this.bodies);
    this.prompts = h("div", { class: "area-prompts" });
    stage.append(this.prompts);
    this.inside = new Map(); // href -> {area, shown}: the websites of the areas we stand in
    this.open = new Map(); // href -> {id, name, width, closable, body}: the tabs, in the order opened
    this.selected = null; // the href of the tab shown
    this.count = 0;
  }

  start() {
    window.addEventListener("keydown", (event) => this._keydown(event));
  }

  /** The areas we stand in now: those with a website open, close or offer it. */
  update(areas) {
    const inside = new Map();
    for (const area of areas) {
      const shown = area.website && embedding(area.website.url, this.allowed);
      if (shown && !inside.has(shown.href)) inside.set(shown.href, { area, shown });
    }
    for (const [href, entry] of inside) {
      const tab = this.open.get(href);
      const entered = !this.inside.has(href);
      if (tab) tab.closable = entry.area.website.closable;
      if (tab && entered) this.selected = href; // back in the area of a site left open
      else if (!tab && entered && entry.area.website.trigger === "enter") this._open(href, entry);
    }
    for (const href of this.inside.keys()) {
      const tab = this.open.get(href);
      if (!inside.has(href) && tab && !tab.closable) this._close(href);
    }
    this.inside = inside;
    this._render();
  }

  /** Open (or show) the site `href` of an area we stand in. */
  openNow(href, entry) {
    if (!this.open.has(href)) this._open(href, entry);
    this.selected = href;
    this._render();
  }

  /** Close the tab of `href` (its close button): focus goes to the tab shown next, or the map. */
  close(href) {
    const focused = this.panel.contains(document.activeElement);
    this._close(href);
    this._render();
    if (focused) (this.head.querySelector('[aria-selected="true"]') || this.canvas).focus();
  }

  _open(href, { area, shown }) {
    const { website } = area;
    const name = nameOf(area, shown.href);
    const link = (text) => h("a", { href: shown.href, target: "_blank", rel: "noopener noreferrer" }, text);
    const close = h("button", {
      type: "button", class: "secondary cowebsite-close", "aria-label": gettext("Close %(name)s", { name }),
      onclick: () => this.close(href),
    }, gettext("Close"));  // prettier-ignore
    const bar = h("div", { class: "cowebsite-bar" }, shown.frame ? link(gettext("Open in a new tab")) : null, close);
    const content = shown.frame
      ? h("iframe", {
        sandbox: shown.frame === "self" ? SANDBOX : `${SANDBOX} allow-same-origin`,
        allow: website.policy || "",
        referrerpolicy: "no-referrer",
        title: gettext("%(name)s (website)", { name }),
        src: shown.href,
      })
      : h("p", { class: "cowebsite-link" }, gettext("This site cannot be shown beside the map."), " ",
        link(gettext("Open %(url)s in a new tab", { url: shown.href })));  // prettier-ignore
    const body = h("div", { class: "cowebsite-body" }, bar, content);
    this.bodies.append(body);
    this.count += 1;
    this.open.set(href, { id: `site${this.count}`, name, width: website.width, closable: website.closable, body });
    this.selected = href;
  }

  _close(href) {
    const tab = this.open.get(href);
    if (!tab) return;
    tab.body.remove();
    this.open.delete(href);
    if (this.selected === href) this.selected = [...this.open.keys()].pop() || null;
  }

  _render() {
    const offered = [...this.inside].filter(([href]) => !this.open.has(href));
    this.prompts.replaceChildren(...offered.map(([href, entry]) => {
      const { area } = entry;
      const text = area.website.prompt || gettext("Press Space or tap here to open %(name)s", { name: nameOf(area, href) });
      return h("button", { type: "button", class: "area-prompt", onclick: () => this.openNow(href, entry) }, text);
    }));
    this.panel.hidden = this.open.size === 0;
    if (!this.open.size) {
      this.head.replaceChildren();
      return;
    }
    const focused = this.head.contains(document.activeElement);
    const wanted = this.open.get(this.selected) || [...this.open.values()].pop();
    const tabs = makeTabs({
      prefix: "cowebsite", label: gettext("Websites"),
      items: [...this.open.values()].map((tab) => ({ name: tab.id, label: tab.name, panel: tab.body })),
      onChange: (id) => this._shown(id),
    });  // prettier-ignore
    tabs.select(wanted.id);
    this.head.replaceChildren(tabs.list);
    if (focused) tabs.select(wanted.id, { focus: true }); // in the page now: it can take the focus
  }

  _shown(id) {
    for (const [href, tab] of this.open) {
      if (tab.id !== id) continue;
      this.selected = href;
      this.panel.style.setProperty("--cowebsite-width", `${tab.width}%`);
    }
  }

  // Space opens the site offered (the first, if several), unless a control or a dialog has it.
  _keydown(event) {
    if (event.code !== "Space" || event.repeat || event.ctrlKey || event.metaKey || event.altKey) return;
    if (![document.body, document.documentElement, this.canvas].includes(event.target)) return;
    if (document.querySelector("dialog[open]")) return;
    const offered = [...this.inside].find(([href]) => !this.open.has(href));
    if (!offered) return;
    event.preventDefault();
    this.openNow(...offered);
  }
}

// What a site is called: its area's name, or its host when the map left the area unnamed.
function nameOf(area, href) {
  return area.name || new URL(href).host;
}
