// Tabs as the ARIA Authoring Practices have them: a tablist of tab buttons, each controlling one
// tabpanel; the arrow keys (and Home, End) move between tabs and show the one reached, and only
// the chosen tab is in the Tab order.

import { h } from "./dom.js";

/**
 * `items`: [{name, label, panel}] (panel: the element to show). Each panel is given the tabpanel
 * role and ids `${prefix}-panel-${name}`; `onChange(name)` hears every switch.
 * Returns {list, select(name), selected}.
 */
export function makeTabs({ prefix, label, items, onChange }) {
  const tabs = items.map(({ name, label: text, panel }) => {
    const tab = h("button", {
      type: "button", role: "tab", id: `${prefix}-tab-${name}`, "aria-controls": `${prefix}-panel-${name}`,
      onclick: () => select(name),
    }, text);  // prettier-ignore
    Object.assign(panel, { id: `${prefix}-panel-${name}` });
    panel.setAttribute("role", "tabpanel");
    panel.setAttribute("aria-labelledby", tab.id);
    panel.tabIndex = 0; // a panel that starts with text is reachable by Tab too
    return { name, tab, panel };
  });
  const list = h("div", { role: "tablist", "aria-label": label, class: `${prefix}-tabs` }, ...tabs.map(({ tab }) => tab));
  const control = { list, selected: null, select };

  function select(name, { focus = false } = {}) {
    for (const item of tabs) {
      const chosen = item.name === name;
      item.tab.setAttribute("aria-selected", String(chosen));
      item.tab.tabIndex = chosen ? 0 : -1;
      item.panel.hidden = !chosen;
      if (chosen && focus) item.tab.focus();
    }
    const changed = control.selected !== name;
    control.selected = name;
    if (changed && onChange) onChange(name);
  }

  list.addEventListener("keydown", (event) => {
    const index = tabs.findIndex(({ tab }) => tab === event.target);
    if (index < 0) return;
    const last = tabs.length - 1;
    const next = { ArrowRight: index + 1, ArrowLeft: index - 1, Home: 0, End: last }[event.key];
    if (next === undefined) return;
    event.preventDefault();
    select(tabs[(next + tabs.length) % tabs.length].name, { focus: true });
  });
  select(items[0].name);
  return control;
}
