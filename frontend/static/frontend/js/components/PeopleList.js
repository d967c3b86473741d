// Who is in view, as a list read by screen readers (it is not shown: the canvas shows people
// only as pictures). Us first, then everyone else by name, each with their status.

import { h } from "../lib/dom.js";
import { gettext } from "../lib/i18n.js";

const STATUS_WORDS = { busy: gettext("busy"), dnd: gettext("do not disturb"), away: gettext("away") };

export class PeopleList {
  constructor({ root, store }) {
    Object.assign(this, { root, store });
  }

  start() {
    // Not on every move: "players" is said when someone comes, goes or changes name or status.
    for (const topic of ["welcome", "me", "players"]) this.store.on(topic, () => this.render());
  }

  render() {
    const { me, players } = this.store.state;
    const others = [...players.values()].sort((a, b) => (a.name || "").localeCompare(b.name || "") || a.id - b.id);
    this.root.replaceChildren(...(me ? [this._item(me, true)] : []), ...others.map((player) => this._item(player, false)));
  }

  _item(player, isMe) {
    const status = STATUS_WORDS[player.status];
    const name = player.name || gettext("Someone");
    // "Alice (you), guest, busy": who, then what else there is to know, separated by commas.
    const parts = [isMe ? gettext("%(name)s (you)", { name }) : name, player.guest ? gettext("guest") : "", status || ""];
    return h("li", { dataset: { player: String(player.id) } }, parts.filter(Boolean).join(", "));
  }
}
