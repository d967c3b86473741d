// The call dock: who we are in a call with and how many, the video tiles of the people we are
// talking to (name, muted, speaking; Report and Block in each tile's menu), our own picture while
// we are in a call, and the screens they share, shown large with the sharer's name. The dock can
// be folded to its bar (the sound goes on); the map keeps our avatar below it.

import { h } from "../lib/dom.js";
import { gettext, ngettext } from "../lib/i18n.js";

const LEAVE_CALL_TILES = 3; // the server's LEAVE_CALL_TILES

function initials(name) {
  return (name || "?").trim().slice(0, 1).toUpperCase() || "?";
}

export class VideoTiles {
  constructor({ root, bar, screens, store, media, reporter, blocker, world }) {
    Object.assign(this, { root, bar, screens, store, media, reporter, blocker, world });
    this.tiles = new Map(); // peer id (or "me") -> tile element
    this.shared = new Map(); // peer id -> shared screen element
    this.who = h("span", { class: "call-who", role: "status" });
    this.fold = h("button", {
      type: "button", class: "call-fold", "aria-controls": root.id, "aria-expanded": "true",
      onclick: () => this.setFolded(!this.folded),
    }, gettext("Hide video"));
    this.folded = false;
    // Leave call: out of every call here (shown busy) until we walk away or rejoin (the server
    // keeps the same rule; docs/protocol.md "leave_call").
    this.leftAt = null;
    this.leave = h("button", { type: "button", class: "call-leave", onclick: () => this._leave() }, gettext("Leave call"));
    this.rejoin = h("button", { type: "button", class: "call-rejoin", hidden: true, onclick: () => this._rejoin() }, gettext("Rejoin calls"));
    bar.replaceChildren(this.who, this.fold, this.leave, this.rejoin);
  }

  _leave() {
    const me = this.store.state.me;
    if (!me || !this.world.leaveCall()) return;
    this.leftAt = { x: me.x, y: me.y };
    this.render();
  }

  _rejoin() {
    this.leftAt = null;
    this.world.rejoinCall();
    this.render();
  }

  // Walking away from where we stepped out brings us back (the server does the same).
  _walked() {
    const me = this.store.state.me;
    if (this.leftAt && me && Math.hypot(me.x - this.leftAt.x, me.y - this.leftAt.y) > LEAVE_CALL_TILES) {
      this.leftAt = null;
      this.render();
    }
  }

  setFolded(folded) {
    this.folded = folded;
    this.root.classList.toggle("folded", folded);
    this.fold.setAttribute("aria-expanded", String(!folded));
    this.fold.textContent = folded ? gettext("Show video") : gettext("Hide video");
  }

  // How much of the top of the map the dock covers (CSS pixels): the map keeps our avatar below.
  coveredHeight() {
    if (this.bar.hidden) return 0;
    const stage = this.root.parentElement.getBoundingClientRect();
    const bottom = (this.folded ? this.bar : this.root).getBoundingClientRect().bottom;
    return Math.max(0, bottom - stage.top);
  }

  start() {
    setInterval(() => this._walked(), 500); // our own steps emit nothing: look twice a second
    this.store.on("peers", () => this.render());
    this.store.on("media", () => this.render());
    this.store.on("players", () => this._names());
    this.store.on("me", () => this._names());
    this.store.on("levels", () => this._levels());
  }

  _tile(key, { mine }) {
    const video = h("video", { autoplay: true, playsinline: true });
    video.muted = mine; // our own sound would echo
    const name = h("span", { class: "tile-name" });
    const muted = h("span", { class: "tile-muted", title: gettext("Microphone off"), hidden: true }, gettext("mic off"));
    const unmute = h("button", { type: "button", class: "tile-unmute", hidden: true }, gettext("Click to hear them"));
    const menu = mine ? null : this._menu(key, name);
    const tile = h("figure", { class: `video-tile ${mine ? "mine" : "remote"}`, dataset: { peer: String(key) } },
      video,
      h("div", { class: "tile-placeholder", "aria-hidden": "true" }),
      h("figcaption", {}, h("span", { class: "tile-speaking", "aria-hidden": "true" }), name, muted),
      unmute, menu);
    Object.assign(tile, { video, nameEl: name, mutedEl: muted, unmute, placeholder: tile.querySelector(".tile-placeholder") });
    unmute.addEventListener("click", () => {
      video.muted = false;
      video.play().then(() => (unmute.hidden = true), () => {});
    });
    return tile;
  }

  // The tile's menu (⋯): Report and Block, out of the way of the picture until asked for.
  _menu(key, name) {
    const who = () => ({ user: key, name: name.textContent || `#${key}` });
    const items = h("div", { class: "tile-menu-items", role: "menu", hidden: true },
      this.reporter ? h("button", { type: "button", role: "menuitem", class: "tile-report", title: gettext("Report this player to the moderators"),
        onclick: () => { items.hidden = true; this.reporter.open(who()); } }, gettext("Report")) : null,
      this.blocker ? h("button", { type: "button", role: "menuitem", class: "tile-block", title: gettext("Block this player: no more calls or messages between you"),
        onclick: () => { items.hidden = true; this.blocker.block(who()); } }, gettext("Block")) : null);  // prettier-ignore
    const more = h("button", {
      type: "button", class: "tile-more", "aria-haspopup": "menu", "aria-expanded": "false",
      "aria-label": gettext("More: report or block"), onclick: () => {
        items.hidden = !items.hidden;
        more.setAttribute("aria-expanded", String(!items.hidden));
      },
    }, "⋯");  // prettier-ignore
    return h("div", { class: "tile-menu" }, more, items);
  }

  _play(tile, stream) {
    if (tile.video.srcObject !== stream) tile.video.srcObject = stream;
    const attempt = tile.video.play();
    if (attempt) {
      attempt.catch(() => {
        // The browser blocks sound before the page was interacted with: play silently, offer sound.
        if (tile.video.muted) return;
        tile.video.muted = true;
        tile.unmute.hidden = false;
        tile.video.play().catch(() => {});
      });
    }
  }

  render() {
    const state = this.store.state;
    const wanted = new Set(state.peers.keys());
    for (const [key, tile] of this.tiles) {
      if (key !== "me" && !wanted.has(key)) {
        tile.video.srcObject = null;
        tile.remove();
        this.tiles.delete(key);
      }
    }
    for (const peer of state.peers.values()) {
      let tile = this.tiles.get(peer.id);
      if (!tile) {
        tile = this._tile(peer.id, { mine: false });
        this.tiles.set(peer.id, tile);
        this.root.append(tile);
      }
      if (tile.video.srcObject !== peer.stream) this._play(tile, peer.stream);
      const video = peer.stream.getVideoTracks()[0];
      const hasVideo = Boolean(video && !video.muted && !peer.cameraOff);
      tile.classList.toggle("no-video", !hasVideo);
      tile.classList.toggle("connecting", peer.state !== "connected");
      tile.mutedEl.hidden = !peer.muted;
      tile.classList.toggle("speaking", Boolean(peer.speaking));
    }
    this._self(state.peers.size > 0);
    this._screens();
    this._names();
    this.root.classList.toggle("in-call", state.peers.size > 0);
    const out = Boolean(this.leftAt);
    this.bar.hidden = state.peers.size === 0 && !out;
    this.leave.hidden = out || state.peers.size === 0;
    this.rejoin.hidden = !out;
    this.fold.hidden = state.peers.size === 0;
  }

  _self(inCall) {
    let tile = this.tiles.get("me");
    if (!inCall) {
      if (tile) {
        tile.video.srcObject = null;
        tile.remove();
        this.tiles.delete("me");
      }
      return;
    }
    if (!tile) {
      tile = this._tile("me", { mine: true });
      this.tiles.set("me", tile);
      this.root.prepend(tile);
    }
    const media = this.store.state.media;
    const hasVideo = Boolean(this.media.track("video"));
    if (hasVideo && tile.video.srcObject !== this.media.stream) this._play(tile, this.media.stream);
    tile.classList.toggle("no-video", !hasVideo);
    tile.mutedEl.hidden = !(media.muted || !this.media.track("audio"));
  }

  _screens() {
    const sharing = new Map([...this.store.state.peers.values()].filter((peer) => peer.screen).map((peer) => [peer.id, peer]));
    for (const [key, figure] of this.shared) {
      if (!sharing.has(key)) {
        figure.video.srcObject = null;
        figure.remove();
        this.shared.delete(key);
      }
    }
    for (const peer of sharing.values()) {
      let figure = this.shared.get(peer.id);
      if (!figure) {
        const video = h("video", { autoplay: true, playsinline: true });
        video.muted = true; // a screen has no sound here; their voice comes with their tile
        const caption = h("figcaption", {});
        figure = h("figure", { class: "screen-share", dataset: { peer: String(peer.id) } }, video, caption);
        Object.assign(figure, { video, caption });
        this.shared.set(peer.id, figure);
        this.screens.append(figure);
      }
      if (figure.video.srcObject !== peer.screen) {
        figure.video.srcObject = peer.screen;
        figure.video.play().catch(() => {});
      }
    }
  }

  _names() {
    const state = this.store.state;
    for (const [key, figure] of this.shared) {
      const person = state.players.get(key);
      const text = gettext("%(name)s is sharing their screen", { name: (person && person.name) || gettext("Someone") });
      if (figure.caption.textContent !== text) {
        figure.caption.textContent = text;
        figure.setAttribute("aria-label", text);
      }
    }
    const others = [...state.peers.keys()].map((id) => (state.players.get(id) || {}).name || gettext("someone"));
    const count = others.length;
    let who = count === 1 ? gettext("In a call with %(name)s", { name: others[0] }) : "";
    if (count > 1) {
      who = ngettext("In a call with %(count)s person: %(names)s", "In a call with %(count)s people: %(names)s", count, {
        names: others.join(", "),
      });
    }
    // Translators: the "Rejoin calls" button follows this.
    if (this.leftAt) who = gettext("You stepped out of calls: walk away to come back, or");
    if (this.who.textContent !== who) this.who.textContent = who;
    for (const [key, tile] of this.tiles) {
      const person = key === "me" ? state.me : state.players.get(key);
      const name = key === "me"
        ? gettext("%(name)s (you)", { name: (person && person.name) || gettext("You") })
        : (person && person.name) || gettext("Someone");
      if (tile.nameEl.textContent !== name) {
        tile.nameEl.textContent = name;
        tile.placeholder.textContent = initials(person && person.name);
        tile.setAttribute("aria-label", name);
      }
    }
  }

  _levels() {
    const state = this.store.state;
    for (const [key, tile] of this.tiles) {
      if (key === "me") {
        tile.classList.toggle("speaking", Boolean(state.media.speaking));
        continue;
      }
      const peer = state.peers.get(key);
      if (!peer) continue;
      tile.classList.toggle("speaking", Boolean(peer.speaking));
      tile.video.volume = peer.volume;
    }
  }
}
