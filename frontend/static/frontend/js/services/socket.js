// A JSON WebSocket that reconnects by itself, with exponential backoff and jitter.
//
// The server says goodbye with {"type": "closing", code, reason, message} before closing on
// purpose; after some codes it must not be retried (NO_RECONNECT, protocol.js).

import { gettext } from "../lib/i18n.js";
import { ClientCloseCode, NO_RECONNECT } from "../protocol.js";

const MIN_DELAY_MS = 500;
const MAX_DELAY_MS = 15000;

export function socketUrl(path) {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  return `${scheme}://${location.host}${path}`;
}

export class ReconnectingSocket {
  // onMessage(message), onStatus("connecting" | "open" | "reconnecting" | "closed"),
  // onClosed({code, reason, message}) when the server sent us away for good.
  constructor(path, { onMessage, onStatus = () => {}, onClosed = () => {}, pathForReconnect = null }) {
    this.path = path;
    this.pathForReconnect = pathForReconnect || path;
    this.onMessage = onMessage;
    this.onStatus = onStatus;
    this.onClosed = onClosed;
    this.ws = null;
    this.attempt = 0;
    this.connects = 0;
    this.stopped = false;
    this.timer = null;
    this.closing = null;
    this.online = () => this.reconnectNow();
  }

  open() {
    this.stopped = false;
    window.addEventListener("online", this.online);
    this._connect();
  }

  get isOpen() {
    return this.ws !== null && this.ws.readyState === WebSocket.OPEN;
  }

  send(message) {
    if (!this.isOpen) return false;
    this.ws.send(JSON.stringify(message));
    return true;
  }

  // Close for good (leaving the page or the world).
  close() {
    this.stopped = true;
    clearTimeout(this.timer);
    window.removeEventListener("online", this.online);
    if (this.ws) this.ws.close(ClientCloseCode.LEAVING, "bye");
    this.ws = null;
  }

  // Drop the current connection and connect again now (e.g. the network came back, or a
  // heartbeat went unanswered).
  reconnectNow() {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.attempt = 0;
    if (this.ws && this.ws.readyState <= WebSocket.OPEN) {
      this.ws.close(ClientCloseCode.RECONNECTING, "reconnecting");
      return; // onclose schedules the new connection
    }
    this._connect();
  }

  _connect() {
    clearTimeout(this.timer);
    this.closing = null;
    const path = this.connects === 0 ? this.path : this.pathForReconnect;
    this.connects += 1;
    this.onStatus(this.connects === 1 ? "connecting" : "reconnecting");
    const ws = new WebSocket(socketUrl(path));
    this.ws = ws;
    ws.onmessage = (event) => {
      let message;
      try {
        message = JSON.parse(event.data);
      } catch {
        return;
      }
      if (message.type === "closing") {
        this.closing = message;
        return;
      }
      this.attempt = 0; // a real answer: the next drop starts the backoff afresh
      this.onMessage(message);
    };
    ws.onopen = () => this.onStatus("open");
    ws.onclose = (event) => {
      if (ws !== this.ws) return;
      this.ws = null;
      if (this.stopped) return;
      const code = this.closing ? this.closing.code : event.code;
      if (NO_RECONNECT.has(code)) {
        this.stopped = true;
        this.onStatus("closed");
        this.onClosed({
          code,
          reason: (this.closing && this.closing.reason) || event.reason,
          message: (this.closing && this.closing.message) || event.reason || gettext("The server closed the connection."),
        });
        return;
      }
      this._schedule();
    };
  }

  _schedule() {
    const ceiling = Math.min(MAX_DELAY_MS, MIN_DELAY_MS * 2 ** this.attempt);
    const delay = ceiling / 2 + Math.random() * (ceiling / 2);
    this.attempt += 1;
    this.onStatus("reconnecting");
    this.timer = setTimeout(() => this._connect(), delay);
  }
}
