// Knocking: someone asks us to come over. A notice with their name asks whether to go (we walk to
// them) or not; their page hears the answer. Our own knocks are said to have gone, and answered.

import { h } from "../lib/dom.js";

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
    if (sent !== undefined) this.store.notice(`You knocked. ${this._name(sent)} will be asked to come over.`, { timeout: 5000 });
    if (answered) {
      this.store.notice(accept ? `${name(answered)} is on their way.` : `${name(answered)} cannot come now.`, { timeout: 6000 });
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
    const prompt = h("div", { class: "notice knock", role: "alertdialog", "aria-label": `${who} is knocking` },
      h("p", {}, `${who} asks you to come over.`),
      h("p", { class: "knock-actions" },
        h("button", { type: "button", onclick: () => answer(true) }, `Go to ${who}`),
        h("button", { type: "button", class: "button secondary", onclick: () => answer(false) }, "Not now")));
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
