// Being in the world: the /ws/world/<slug>/ socket (docs/protocol.md). Keeps the store's
// picture of who is where, moves our own avatar (prediction, lib/movement.js) and tells the
// server, and starts over from the snapshot (`welcome`) after every reconnect.

import { gettext } from "../lib/i18n.js";
import { LocalPlayer } from "../lib/movement.js";
import { loadMap } from "../lib/tiled.js";
import { ReconnectingSocket } from "./socket.js";

const PING_EVERY_MS = 15000;
const LOCATE_MS = 5000; // a `locate` not answered by then is given up
const EMOTE_MS = 5000; // how long a reaction shows (the server's EMOTE_MS)
const SILENCE_LIMIT_MS = 35000; // no answer to two pings: the connection is dead, drop it
const SNAP_TILES = 4; // a remote avatar further than this from where we draw it jumps there
const GLIDE_MIN_MS = 40;
const GLIDE_MAX_MS = 250;
const PROFILE_FIELDS = ["name", "avatar", "avatar_url", "status"];

// Where to draw a remote player now: between the last two positions we heard, over about the
// time between those two updates (players send ~10 a second, the server batches 20 a second).
function renderPosition(player, now) {
  const progress = player.glideMs > 0 ? Math.min(1, (now - player.glideStart) / player.glideMs) : 1;
  player.rx = player.fromX + (player.toX - player.fromX) * progress;
  player.ry = player.fromY + (player.toY - player.fromY) * progress;
  player.gliding = progress < 1;
  return player;
}

export class WorldService {
  constructor(store) {
    this.store = store;
    const { slug, entry } = store.state.config;
    const path = `/ws/world/${encodeURIComponent(slug)}/`;
    this.socket = new ReconnectingSocket(entry ? `${path}?entry=${encodeURIComponent(entry)}` : path, {
      // Coming back after a drop, we want our last position, not the entry we came in by.
      pathForReconnect: path,
      onMessage: (message) => this.handle(message),
      onStatus: (status) => this._status(status),
      onClosed: (closing) => this._closed(closing),
    });
    this.local = new LocalPlayer({ send: (move) => this.sendMove(move) });
    this.seq = 0;
    this.lastHeard = performance.now();
    this.loadingMap = null;
    this.locating = new Map(); // player id -> {resolve, reject, timer}: `locate` asked, not answered
    this.knocking = new Set(); // player ids we knocked on, until the server says it went (or not)
  }

  start() {
    this.socket.open();
    this.heartbeat = setInterval(() => this._heartbeat(), PING_EVERY_MS / 3);
  }

  stop() {
    clearInterval(this.heartbeat);
    this.socket.close();
  }

  // --- from the server -------------------------------------------------------------------

  handle(message) {
    this.lastHeard = performance.now();
    switch (message.type) {
      case "welcome":
        return this._welcome(message);
      case "tick":
        return this._tick(message);
      case "zone":
        this.store.state.zone = message.zone;
        return this.store.emit("zone", { entered: true });
      case "areas":
        this.store.state.areas = message.areas || [];
        return this.store.emit("areas");
      case "contacts":
        return this._setContacts(message.contacts || [], message.call ?? null);
      case "correction":
        return this._correction(message);
      case "exit":
        return this.store.emit("exit", message);
      case "map_changed":
        if (this.store.state.world) this.store.state.world.map_url = message.map_url;
        return this._loadMap(message.map_url);
      case "pong":
        if (typeof message.t === "number") this.store.state.stats.rtt = Date.now() - message.t;
        return undefined;
      case "people":
        this.store.state.people = message.people || [];
        return this.store.emit("people-list");
      case "located":
        return this._located(message.id, message, null);
      case "knock_sent":
        this.knocking.delete(message.id);
        return this.store.emit("knock", { sent: message.id });
      case "knocked":
        return this.store.emit("knock", { from: message.from });
      case "knock_answered":
        return this.store.emit("knock", { answered: message.from, accept: message.accept });
      case "error":
        if (message.id !== undefined && this.locating.has(message.id)) return this._located(message.id, null, message);
        if (message.id !== undefined && this.knocking.delete(message.id)) {
          return this.store.notice(message.message, { kind: "warning" });
        }
        return this._error(message);
      default:
        return undefined;
    }
  }

  async _welcome(message) {
    const state = this.store.state;
    const now = performance.now();
    state.world = message.world;
    state.me = { ...message.you };
    this.seq = message.you.seq || 0;
    this.local.reset(state.me);
    state.players.clear();
    for (const player of message.players || []) this._enter(player, now);
    state.zone = message.zone || null;
    state.zones = message.zones || [];
    state.areas = message.areas || [];
    state.stats.welcomes += 1;
    if (state.config.entry) {
      // A reload should bring us back where we stand, not to the exit we came in by.
      history.replaceState(null, "", location.pathname);
    }
    // After a reconnect the server may not have worked our contacts out yet: the calls we are in
    // are not ended for that (WebRTCManager keeps them while it reconnects).
    this._setContacts(message.contacts || [], message.call ?? null, state.stats.welcomes > 1);
    this.store.emit("welcome", message);
    this.store.emit("me");
    this.store.emit("players");
    this.store.emit("zone", { entered: false });
    this.store.emit("areas");
    if (!state.map || state.map.url !== message.world.map_url) await this._loadMap(message.world.map_url);
  }

  _tick(message) {
    const state = this.store.state;
    const now = performance.now();
    const me = state.me;
    let roster = false;
    for (const player of message.entered || []) {
      if (me && player.id === me.id) continue;
      this._enter(player, now);
      roster = true;
    }
    for (const [id, x, y, dir, moving, seq] of message.moved || []) {
      const player = state.players.get(id);
      if (!player) continue; // our own accepted position: we are already there
      this._glide(player, x, y, now);
      player.dir = dir;
      player.moving = moving;
      player.seq = seq;
    }
    for (const update of message.updated || []) {
      const player = me && update.id === me.id ? me : state.players.get(update.id);
      if (!player) continue;
      for (const field of PROFILE_FIELDS) player[field] = update[field];
      roster = true;
    }
    for (const [id, emote] of message.reacted || []) {
      const player = me && id === me.id ? me : state.players.get(id);
      if (player) player.emote = { name: emote, until: now + EMOTE_MS };
    }
    for (const id of message.left || []) roster = state.players.delete(id) || roster;
    if (roster) this.store.emit("players");
  }

  _enter(data, now) {
    const state = this.store.state;
    const known = state.players.get(data.id);
    if (known) {
      for (const field of PROFILE_FIELDS) known[field] = data[field];
      this._glide(known, data.x, data.y, now);
      Object.assign(known, { dir: data.dir, moving: data.moving, seq: data.seq });
      return;
    }
    state.players.set(data.id, {
      ...data,
      emote: data.emote ? { name: data.emote, until: now + EMOTE_MS } : null,
      fromX: data.x, fromY: data.y, toX: data.x, toY: data.y, rx: data.x, ry: data.y,
      glideStart: now, glideMs: 0, heardAt: now, gliding: false,
    });
  }

  _glide(player, x, y, now) {
    renderPosition(player, now);
    const gap = now - player.heardAt;
    player.heardAt = now;
    player.x = x;
    player.y = y;
    if (Math.hypot(x - player.rx, y - player.ry) > SNAP_TILES) {
      Object.assign(player, { fromX: x, fromY: y, toX: x, toY: y, glideMs: 0 });
      return;
    }
    Object.assign(player, { fromX: player.rx, fromY: player.ry, toX: x, toY: y, glideStart: now });
    player.glideMs = Math.min(GLIDE_MAX_MS, Math.max(GLIDE_MIN_MS, gap));
  }

  // `call`: the media server's call we are in, or null (docs/protocol.md): contacts removed because
  // they moved into it are kept on until the call carries them.
  _setContacts(list, call = null, resync = false) {
    this.store.state.call = call;
    const contacts = this.store.state.contacts;
    const next = new Map(list.map((contact) => [contact.id, contact]));
    const added = [...next.keys()].filter((id) => !contacts.has(id));
    const removed = [...contacts.keys()].filter((id) => !next.has(id));
    contacts.clear();
    for (const [id, contact] of next) contacts.set(id, contact);
    if (added.length || removed.length) this.store.emit("contacts", { added, removed, call, resync });
  }

  _correction(message) {
    const state = this.store.state;
    if (!state.me) return;
    this.local.correct(state.me, message);
    state.stats.corrections += 1;
    this.store.emit("me");
  }

  // --- finding people (docs/protocol.md "people", "locate") ---------------------------------

  askPeople() {
    return this.socket.send({ type: "people" });
  }

  // Ask someone to come over (docs/protocol.md "knock"); they are asked on their page.
  knock(id) {
    this.knocking.add(id);
    return this.socket.send({ type: "knock", id });
  }

  // Step out of calls where we stand, or come back (docs/protocol.md "leave_call").
  leaveCall() {
    return this.socket.send({ type: "leave_call" });
  }

  rejoinCall() {
    return this.socket.send({ type: "rejoin_call" });
  }

  // A reaction over our avatar, for everyone in view (docs/protocol.md "emote").
  react(emote) {
    return this.socket.send({ type: "emote", emote });
  }

  answerKnock(id, accept) {
    return this.socket.send({ type: "knock_answer", id, accept });
  }

  // Where someone stands: resolves {x, y, zone}, or rejects with the server's message (they are
  // on do-not-disturb, not here) or when no answer comes.
  locate(id) {
    const asked = this.locating.get(id);
    if (asked) return asked.promise;
    let settle;
    const promise = new Promise((resolve, reject) => (settle = { resolve, reject }));
    const timer = setTimeout(() => this._located(id, null, { message: gettext("No answer from the server.") }), LOCATE_MS);
    this.locating.set(id, { ...settle, timer, promise });
    if (!this.socket.send({ type: "locate", id })) this._located(id, null, { message: gettext("Not connected.") });
    return promise;
  }

  _located(id, found, error) {
    const asked = this.locating.get(id);
    if (!asked) return;
    this.locating.delete(id);
    clearTimeout(asked.timer);
    if (found) asked.resolve(found);
    else asked.reject(Object.assign(new Error(error.message), { code: error.code }));
  }

  _error(message) {
    if (message.code === "exit_unavailable") this.store.notice(message.message, { kind: "warning" });
    else if (message.code !== "rate_limited") console.warn("world socket:", message.code, message.message);
  }

  async _loadMap(url) {
    const state = this.store.state;
    if (this.loadingMap && this.loadingMap.url === url) return this.loadingMap.promise;
    const promise = loadMap(url).then(
      (map) => {
        if (state.world && state.world.map_url !== url) return; // replaced while loading
        state.map = map;
        this.store.emit("map");
      },
      (error) => {
        console.error(error);
        this.store.notice(gettext("The map did not load (%(reason)s). Trying again…", { reason: error.message }), { kind: "error" });
        setTimeout(() => {
          if (state.world && state.world.map_url === url) this._loadMap(url);
        }, 3000);
      },
    );
    this.loadingMap = { url, promise };
    await promise;
    if (this.loadingMap && this.loadingMap.promise === promise) this.loadingMap = null;
    return undefined;
  }

  _status(status) {
    this.store.state.connection.world = status;
    this.store.emit("connection");
  }

  _closed(closing) {
    this.store.state.closed = closing;
    this.store.emit("closed", closing);
  }

  _heartbeat() {
    if (!this.socket.isOpen) return;
    if (performance.now() - this.lastHeard > SILENCE_LIMIT_MS) {
      this.socket.reconnectNow();
      return;
    }
    this.socket.send({ type: "ping", t: Date.now() });
  }

  // Where everyone is drawn now (rx, ry): called by WorldView every frame, before drawing.
  placeForDrawing(now) {
    const me = this.store.state.me;
    if (me) Object.assign(me, { rx: me.x, ry: me.y, gliding: false });
    for (const player of this.store.state.players.values()) renderPosition(player, now);
  }

  // --- our own avatar --------------------------------------------------------------------

  // Our profile as the players API saved it (PlayerMenu); the world tells everyone else.
  updateMe({ display_name: name, avatar, avatar_url, status }) {
    const me = this.store.state.me;
    if (!me) return;
    Object.assign(me, { name, avatar, avatar_url, status });
    this.store.emit("me");
  }

  get ready() {
    const state = this.store.state;
    return Boolean(state.me && state.map && state.world && this.socket.isOpen);
  }

  // Called by WorldView every frame.
  frame(dt, now) {
    if (!this.ready) return false;
    const state = this.store.state;
    return this.local.step(state.map, state.me, state.world.walk_speed, dt, now);
  }

  walkTo(tx, ty) {
    if (!this.ready) return false;
    return this.local.walkTo(this.store.state.map, this.store.state.me, tx, ty);
  }

  sendMove(move) {
    if (!this.socket.isOpen || !this.store.state.me) return false;
    this.seq += 1;
    return this.socket.send({ type: "move", ...move, seq: this.seq });
  }
}
