// The STUN/TURN servers for our peer connections, asked once we are in the world (TURN only
// comes then), and again before the TURN credentials expire (docs/protocol.md, "ICE servers").
// A connection keeps the servers it was made with; new ones take the latest (`servers`).

// /api/rtc/ice-servers/ hands out TURN credentials only to a player in a world, stored a moment
// after the world's welcome: asked too early, ask again soon.
const NOT_IN_WORLD_RETRY_MS = 1000;
const NOT_IN_WORLD_RETRIES = 10;
const ERROR_RETRY_MS = 30000;

export class IceServers {
  constructor(url) {
    this.url = url;
    this.servers = [];
    this.turn = null; // the last answer's `turn`: issued, not_configured, not_in_world, rate_limited
    this.retries = 0;
    this.timer = null;
    this.stopped = false;
  }

  // Back in the world after a reconnect: TURN refused for not being in it is worth asking again.
  welcomed() {
    if (this.turn !== "not_in_world" || this.stopped) return;
    this.retries = 0;
    this.load();
  }

  async load() {
    let again = 0;
    try {
      const response = await fetch(this.url, { credentials: "same-origin" });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const body = await response.json();
      // Credentials we have stay until new ones come: still valid for a while, and harmless after.
      const hadTurn = this.servers.some((server) => server.username);
      if (Array.isArray(body.iceServers) && (body.turn === "issued" || !hadTurn)) this.servers = body.iceServers;
      this.turn = body.turn || null;
      const ttl = Number(body.ttl) || 0;
      if (body.turn === "not_in_world" && this.retries < NOT_IN_WORLD_RETRIES) {
        this.retries += 1;
        again = NOT_IN_WORLD_RETRY_MS;
      } else if (body.turn === "rate_limited") {
        console.warn("no TURN relay for now: too many from this network address");
        again = Math.max(60, Number(body.retry_after) || 0) * 1000;
      } else if (body.turn === "issued" && ttl > 60) {
        this.retries = 0;
        again = ttl * 800; // before the TURN credentials expire
      }
    } catch (error) {
      console.warn("no ICE servers for now, calls may work on the local network only:", error.message);
      again = ERROR_RETRY_MS;
    }
    if (again && !this.stopped) {
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.load(), again);
    }
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  // A copy of the servers the next call will use, and the last `turn` answer.
  status() {
    return { turn: this.turn, servers: structuredClone(this.servers) };
  }
}
