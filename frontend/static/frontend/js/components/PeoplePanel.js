// The people panel: everyone online in this world (not only who is in view), grouped by the zone
// they are in, with their look, name and status in words, and a search box; for each person,
// Locate, Walk to, Follow, Message, Knock (ask them to come over), Block and Report. A real list, read by screen readers. The
// list is asked for when the panel opens and every few seconds while it is open (`people`).

import { h } from "../lib/dom.js";
import { gettext, ngettext, pgettext } from "../lib/i18n.js";

const REFRESH_MS = 5000;
const STATUS_WORDS = {
  available: gettext("available"), busy: gettext("busy"), dnd: gettext("do not disturb"), away: gettext("away"),
};
const OUTSIDE = gettext("Out and about"); // people in no zone
const HIDDEN = gettext("Location hidden"); // people who do not share where they are (listed last)

export class PeoplePanel {
  constructor({ root, opener, store, world, finder, chat, blocker, reporter }) {
    Object.assign(this, { root, opener, store, world, finder, chat, blocker, reporter });
    this.search = h("input", {
      id: "people-search", type: "search", placeholder: gettext("Search by name"), autocomplete: "off",
      "aria-label": gettext("Search people by name"), oninput: () => this.render(),
    });
    this.count = h("p", { class: "people-count", role: "status" });
    this.list = h("div", { class: "people-groups" });
    root.replaceChildren(
      h("div", { class: "people-head" },
        h("h2", { id: "people-title" }, gettext("People here")),
        h("button", { type: "button", class: "link", "aria-label": gettext("Close the people panel"), onclick: () => this.setOpen(false) }, "×")),
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
      ? ngettext("%(shown)s of %(count)s person matches", "%(shown)s of %(count)s people match", everyone.length, { shown: shown.length })
      : ngettext("%(count)s person in this world", "%(count)s people in this world", everyone.length);
    const zones = new Map();
    for (const person of shown) {
      const zone = person.location_hidden && !(me && person.id === me.id) ? HIDDEN : person.zone || OUTSIDE;
      if (!zones.has(zone)) zones.set(zone, []);
      zones.get(zone).push(person);
    }
    const rank = (zone) => (zone === OUTSIDE ? 1 : zone === HIDDEN ? 2 : 0);
    const order = [...zones.keys()].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
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
    const action = (label, hint, run) => h("button", { type: "button", class: "link", "aria-label": hint, onclick: run }, label);
    const who = { name };
    const target = { id: person.id, name };
    return h("li", { class: "person", dataset: { player: String(person.id) } },
      h("span", { class: `status-dot ${person.status}`, "aria-hidden": "true" }),
      h("span", { class: "person-name" }, isMe ? gettext("%(name)s (you)", who) : name,
        person.guest ? h("span", { class: "guest-mark" }, " ", gettext("guest")) : null),
      h("span", { class: "person-status" }, status),
      isMe ? null : h("span", { class: "person-actions" },
        action(gettext("Locate"), gettext("Locate %(name)s", who), () => this.finder.locate(target)),
        action(gettext("Walk to"), gettext("Walk to %(name)s", who), () => this.finder.walkTo(target)),
        following
          ? action(gettext("Stop following"), gettext("Stop following %(name)s", who), () => this.finder.stopFollowing(true))
          : action(gettext("Follow"), gettext("Follow %(name)s", who), () => this.finder.follow(target)),
        action(pgettext("verb", "Message"), gettext("Write to %(name)s", who), () => this.chat.messageTo(person.id, name)),
        action(gettext("Knock"), gettext("Knock for %(name)s", who), () => this.world.knock(person.id)),
        action(gettext("Block"), gettext("Block %(name)s", who),
          () => this.blocker.block({ user: person.id, name }).then((done) => done && this.world.askPeople())),
        action(gettext("Report"), gettext("Report %(name)s", who), () => this.reporter.open({ user: person.id, name }))),
    );
  }
}
