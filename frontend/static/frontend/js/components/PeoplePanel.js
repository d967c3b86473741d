// The people panel: everyone online in this world (not only who is in view), grouped by the zone
// they are in, with their look, name and status in words, and a search box; for each person,
// Locate, Walk to, Follow, Message, Knock (ask them to come over), Block and Report. A real list, read by screen readers. The
// list is asked for when the panel opens and every few seconds while it is open (`people`).

import { h } from "../lib/dom.js";

const REFRESH_MS = 5000;
const STATUS_WORDS = { available: "available", busy: "busy", dnd: "do not disturb", away: "away" };
const OUTSIDE = "Out and about"; // people in no zone

export class PeoplePanel {
  constructor({ root, opener, store, world, finder, chat, blocker, reporter }) {
    Object.assign(this, { root, opener, store, world, finder, chat, blocker, reporter });
    this.search = h("input", {
      id: "people-search", type: "search", placeholder: "Search by name", autocomplete: "off",
      "aria-label": "Search people by name", oninput: () => this.render(),
    });
    this.count = h("p", { class: "people-count", role: "status" });
    this.list = h("div", { class: "people-groups" });
    root.replaceChildren(
      h("div", { class: "people-head" },
        h("h2", { id: "people-title" }, "People here"),
        h("button", { type: "button", class: "link", "aria-label": "Close the people panel", onclick: () => this.setOpen(false) }, "×")),
      this.search, this.count, this.list,
    );
    this.timer = 0;
  }

  start() {
    this.opener.addEventListener("click", () => this.setOpen(this.root.hidden));
    this.store.on("people-list", () => this.render());
    this.store.on("following", () => this.render());
  }

  setOpen(open) {
    this.root.hidden = !open;
    this.opener.setAttribute("aria-expanded", String(open));
    clearInterval(this.timer);
    if (!open) return;
    this.world.askPeople();
    this.timer = setInterval(() => this.world.askPeople(), REFRESH_MS);
    this.search.focus();
  }

  render() {
    const everyone = this.store.state.people || [];
    const me = this.store.state.me;
    const wanted = this.search.value.trim().toLocaleLowerCase();
    const shown = everyone.filter((person) => !wanted || (person.name || "").toLocaleLowerCase().includes(wanted));
    this.count.textContent = wanted
      ? `${shown.length} of ${everyone.length} people match`
      : `${everyone.length} ${everyone.length === 1 ? "person" : "people"} in this world`;
    const zones = new Map();
    for (const person of shown) {
      const zone = person.zone || OUTSIDE;
      if (!zones.has(zone)) zones.set(zone, []);
      zones.get(zone).push(person);
    }
    const order = [...zones.keys()].sort((a, b) => (a === OUTSIDE) - (b === OUTSIDE) || a.localeCompare(b));
    this.list.replaceChildren(
      ...order.map((zone) => h("section", { class: "people-zone" },
        h("h3", {}, `${zone} (${zones.get(zone).length})`),
        h("ul", {}, ...zones.get(zone).map((person) => this._person(person, me && person.id === me.id))))),
    );
  }

  _person(person, isMe) {
    const name = person.name || `#${person.id}`;
    const status = STATUS_WORDS[person.status] || person.status;
    const following = this.finder.following && this.finder.following.id === person.id;
    const action = (label, run, hint) => h("button", {
      type: "button", class: "link", "aria-label": `${hint || label} ${name}`, onclick: run,
    }, label);
    const target = { id: person.id, name };
    return h("li", { class: "person", dataset: { player: String(person.id) } },
      h("span", { class: `status-dot ${person.status}`, "aria-hidden": "true" }),
      h("span", { class: "person-name" }, name, isMe ? " (you)" : "", person.guest ? h("span", { class: "guest-mark" }, " guest") : null),
      h("span", { class: "person-status" }, status),
      isMe ? null : h("span", { class: "person-actions" },
        action("Locate", () => this.finder.locate(target)),
        action("Walk to", () => this.finder.walkTo(target)),
        following
          ? action("Stop following", () => this.finder.stopFollowing("You stopped following"), "Stop following")
          : action("Follow", () => this.finder.follow(target)),
        action("Message", () => this.chat.messageTo(person.id, name), "Write to"),
        action("Knock", () => this.world.knock(person.id), "Knock for"),
        action("Block", () => this.blocker.block({ user: person.id, name }).then((done) => done && this.world.askPeople())),
        action("Report", () => this.reporter.open({ user: person.id, name }))),
    );
  }
}
