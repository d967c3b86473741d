// Knocking: someone asks us to come over. A notice with their name asks whether to go (we walk to
// them) or not; their page hears the answer. Our own knocks are said to have gone, and answered.

import { h } from "../lib/dom.js";
import { gettext } from "../lib/i18n.js";

const KNOCK_SHOWN_MS = 60000;

export class Knocks {
  constructor({ root, store, world, finder }) {
    Object.assign(this, { root, store, world, finder });
  }

  start() {
    this.store.on("knock", (event) => this._knock(event));
  }

  _knock({ sent, from, answered, accept }) {
    const name = (person) => this._name(person.id, person.name);
    if (sent !== undefined) this.store.notice(gettext("You knocked. %(name)s will be asked to come over.", { name: this._name(sent) }), { timeout: 5000 });
    if (answered) {
      const who = { name: name(answered) };
      this.store.notice(accept ? gettext("%(name)s is on their way.", who) : gettext("%(name)s cannot come now.", who), { timeout: 6000 });
    }
    if (from) this._ask(from);
  }

  _ask(from) {
    const who = this._name(from.id, from.name);
    const answer = (accept) => {
      prompt.remove();
      clearTimeout(timer);
      this.world.answerKnock(from.id, accept);
      if (accept) this.finder.walkTo({ id: from.id, name: who });
    };
    const prompt = h("div", { class: "notice knock", role: "alertdialog", "aria-label": gettext("%(name)s is knocking", { name: who }) },
      h("p", {}, gettext("%(name)s asks you to come over.", { name: who })),
      h("p", { class: "knock-actions" },
        h("button", { type: "button", onclick: () => answer(true) }, gettext("Go to %(name)s", { name: who })),
        h("button", { type: "button", class: "button secondary", onclick: () => answer(false) }, gettext("Not now"))));
    const timer = setTimeout(() => prompt.remove(), KNOCK_SHOWN_MS);
    this.root.append(prompt);
    prompt.querySelector("button").focus();
  }

  _name(id, name) {
    const people = this.store.state.people || [];
    const known = people.find((person) => person.id === id) || this.store.state.players.get(id);
    return name || (known && known.name) || `#${id}`;
  }
}
