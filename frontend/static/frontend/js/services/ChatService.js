// Chat in this world: the /ws/chat/<slug>/ socket (docs/protocol.md). The history comes on
// every (re)connect and replaces what we hold; our own messages show at once as pending and
// are confirmed when the server delivers them back with our `client_id`.

import { gettext } from "../lib/i18n.js";
import { ReconnectingSocket } from "./socket.js";

const KEEP = 500;
export const SCOPES = ["world", "nearby", "zone", "direct"];

// The tab a message is shown in: notices from the server go with the world's messages.
export function tabOf(message) {
  return message.scope === "system" ? "world" : message.scope;
}

export class ChatService {
  constructor(store) {
    this.store = store;
    this.counter = 0;
    this.viewing = null; // the tab the person is reading (ChatWindow says), null while the chat is closed
    this.socket = new ReconnectingSocket(`/ws/chat/${encodeURIComponent(store.state.config.slug)}/`, {
      onMessage: (message) => this.handle(message),
      onStatus: (status) => {
        store.state.connection.chat = status;
        store.emit("connection");
      },
      onClosed: (closing) => store.notice(gettext("Chat closed: %(reason)s", { reason: closing.message }), { kind: "error", timeout: 0 }),
    });
  }

  start() {
    this.socket.open();
  }

  stop() {
    this.socket.close();
  }

  get messages() {
    return this.store.state.chat.messages;
  }

  // The tab the person is looking at now (null: the chat is closed): what is there is read, and
  // messages arriving there while the page is visible are not counted as unread.
  view(scope) {
    this.viewing = scope;
    const unread = this.store.state.chat.unread;
    if (!scope || !unread[scope]) return;
    unread[scope] = 0;
    this.store.emit("chat", { read: scope });
  }

  handle(message) {
    const chat = this.store.state.chat;
    switch (message.type) {
      case "history": {
        const unsent = chat.messages.filter((item) => item.pending && !item.failed);
        chat.messages = [...(message.messages || []), ...unsent];
        this.store.emit("chat", { history: true });
        break;
      }
      case "message":
        this._deliver(message.message);
        break;
      case "message_hidden":
        chat.messages = chat.messages.filter((item) => item.id !== message.id);
        this.store.emit("chat", { hidden: message.id });
        break;
      case "error":
        this._error(message);
        break;
      default:
        break;
    }
  }

  _deliver(delivered) {
    const chat = this.store.state.chat;
    const me = this.store.state.me;
    let index = -1;
    if (delivered.client_id && me && delivered.sender && delivered.sender.id === me.id) {
      index = chat.messages.findIndex((item) => item.pending && item.client_id === delivered.client_id);
    }
    if (index < 0 && chat.messages.some((item) => item.id === delivered.id)) return;
    if (index >= 0) chat.messages[index] = delivered;
    else chat.messages.push(delivered);
    if (chat.messages.length > KEEP) chat.messages.splice(0, chat.messages.length - KEEP);
    const fromMe = index >= 0 || Boolean(me && delivered.sender && delivered.sender.id === me.id);
    const tab = tabOf(delivered);
    if (!fromMe && !(this.viewing === tab && !document.hidden)) chat.unread[tab] += 1;
    this.store.emit("chat", { message: delivered, mine: index >= 0 });
  }

  _error(error) {
    const chat = this.store.state.chat;
    const failed = error.client_id && chat.messages.find((item) => item.pending && item.client_id === error.client_id);
    if (failed && error.code === "not_delivered") {
      // Stored, just not delivered live: it stands (with its id); others get it from history.
      failed.id = error.id;
      failed.pending = false;
    } else if (failed) {
      failed.failed = true;
      failed.pending = false;
    }
    chat.lastError = error;
    this.store.emit("chat", { error });
  }

  // Send a message; returns the pending copy shown until the server confirms it.
  send({ scope, text, to = null }) {
    const me = this.store.state.me;
    const clean = text.trim();
    if (!clean || !SCOPES.includes(scope)) return null;
    this.counter += 1;
    const clientId = `c-${Date.now().toString(36)}-${this.counter}`;
    const pending = {
      id: null,
      scope,
      text: clean,
      sender: me ? { id: me.id, name: me.name, avatar: me.avatar } : null,
      to: scope === "direct" ? to : null,
      zone: null,
      created_at: new Date().toISOString(),
      client_id: clientId,
      pending: true,
    };
    const payload = { type: "send", scope, text: clean, client_id: clientId };
    if (scope === "direct") payload.to = to;
    this.store.state.chat.messages.push(pending);
    if (!this.socket.send(payload)) {
      pending.pending = false;
      pending.failed = true;
      this.store.state.chat.lastError = { code: "offline", message: gettext("Not connected to the chat; try again in a moment.") };
      this.store.emit("chat", { error: this.store.state.chat.lastError });
    }
    this.store.emit("chat", { sent: pending });
    return pending;
  }
}
