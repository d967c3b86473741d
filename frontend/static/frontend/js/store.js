// The page's state in one place, with topic listeners.
//
// Only the services write it (each its own part: WorldService the world and who is in it,
// ChatService the chat, LocalMedia our camera and microphone, WebRTCManager the calls);
// components read it and call service methods. Positions are mutated in place (the render loop
// reads them every frame and 100 players send ten updates a second each); everything a
// component shows is announced with `emit(topic)`.
// Topics: "welcome", "map", "me", "players", "zone", "areas", "contacts", "connection", "closed",
// "chat", "media", "peers", "levels", "notice".

export function createStore(config) {
  const listeners = new Map();
  const state = {
    config,
    world: null, // welcome.world
    map: null, // the loaded map (lib/tiled.js)
    me: null, // our own player: {id, name, avatar, avatar_url, status, x, y, dir, moving}
    players: new Map(), // everyone else in view, by id (see services/WorldService.js)
    zone: null,
    zones: [],
    areas: [], // the interactive areas we stand in (docs/protocol.md "areas"; services/AreaEffects.js)
    contacts: new Map(), // id -> {id, initiator, polite}
    connection: { world: "connecting", chat: "idle", signal: "idle" },
    closed: null, // {code, reason, message} once the server sent us away for good
    chat: { messages: [], unread: { world: 0, nearby: 0, zone: 0, direct: 0 }, lastError: null },
    media: { status: "idle", muted: false, cameraOff: false, speaking: false, sharing: false, message: "", devices: [] },
    peers: new Map(), // id -> {id, stream, state, muted, cameraOff, speaking, sfu (in a media server call)}
    call: null, // the media server's call we are in (docs/janus.md), or null
    stats: { welcomes: 0, corrections: 0 }, // and rtt; WorldView measures the frame rate itself
  };

  function on(topic, listener) {
    if (!listeners.has(topic)) listeners.set(topic, new Set());
    listeners.get(topic).add(listener);
    return () => listeners.get(topic).delete(listener);
  }

  function emit(topic, detail) {
    for (const listener of listeners.get(topic) || []) {
      try {
        listener(detail, state);
      } catch (error) {
        console.error(`store listener for ${topic} failed`, error);
      }
    }
  }

  function notice(text, { kind = "info", timeout = 6000 } = {}) {
    emit("notice", { text, kind, timeout });
  }

  // A plain copy of where everyone is and of the counters (main.js's window.metaverse.inspect):
  // what a person cannot read off the page. The rest is on the page.
  function snapshot() {
    const players = [...state.players.values()].map(({ id, name, avatar, status, x, y, rx, ry, dir, moving }) => ({
      id, name, avatar, status, x, y, rx, ry, dir, moving,
    }));
    const me = state.me && (({ id, name, avatar, avatar_url, status, x, y, dir, moving }) => ({
      id, name, avatar, avatar_url, status, x, y, dir, moving,
    }))(state.me);
    return { me, players, stats: { ...state.stats } };
  }

  return { state, on, emit, notice, snapshot };
}
