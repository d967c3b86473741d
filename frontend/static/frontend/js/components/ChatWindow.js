// The chat panel: one tab per scope (world, nearby, zone, direct), history on open, unread
// badges, links clickable and everything else shown as text.

import { h, linkify } from "../lib/dom.js";
import { gettext, locale, ngettext, pgettext } from "../lib/i18n.js";
import { SCOPES, tabOf } from "../services/ChatService.js";

const LABELS = {
  world: pgettext("chat tab", "World"), nearby: pgettext("chat tab", "Nearby"), zone: pgettext("chat tab", "Zone"),
  direct: pgettext("chat tab", "Direct"),
};
const ERRORS = {
  empty: gettext("Type something first."),
  too_long: gettext("That is over 2000 characters."),
  muted: gettext("A moderator muted you."),
  not_in_world: gettext("You are not in the world right now."),
  no_zone: gettext("You are not standing in a zone."),
  unknown_recipient: gettext("There is nobody like that to write to."),
  self: gettext("That is you."),
};

function timeOf(message) {
  const date = new Date(message.created_at);
  return Number.isNaN(date.getTime()) ? "" : date.toLocaleTimeString(locale, { hour: "2-digit", minute: "2-digit" });
}

export class ChatWindow {
  constructor({ root, store, chat, toggle, badge, app, canvas, reporter }) {
    Object.assign(this, { root, store, chat, toggle, badge, app, canvas, reporter });
    this.active = "world";
    this.names = new Map(); // player id -> name, for direct messages
    this.chosen = new Map(); // player id -> name: people picked to write to (people panel's Message)
    this.tabs = {};
    for (const scope of SCOPES) {
      const count = h("span", { class: "badge", hidden: true });
      this.tabs[scope] = h(
        "button",
        { type: "button", role: "tab", id: `chat-tab-${scope}`, "aria-controls": "chat-log", onclick: () => this.show(scope) },
        LABELS[scope], " ", count,
      );
      this.tabs[scope].count = count;
    }
    // Direct messages are one thread per person: the one chosen here is shown and written to.
    this.recipient = h("select", { id: "chat-to", "aria-label": gettext("Conversation with"), onchange: () => this._render() });
    this.recipientRow = h("label", { class: "chat-to", hidden: true }, gettext("With"), " ", this.recipient);
    // A log of messages (role log, read as they come): each message is a group, not a list item.
    this.log = h("div", { class: "chat-log", id: "chat-log", role: "log", "aria-live": "polite", tabindex: "0" });
    this.input = h("input", {
      id: "chat-input", type: "text", maxlength: "2000", autocomplete: "off", enterkeyhint: "send",
      "aria-label": gettext("Message"),
    });
    this.error = h("p", { class: "chat-error", role: "alert" });
    this.form = h("form", { class: "chat-form", onsubmit: (event) => this._submit(event) },
      this.input, h("button", { type: "submit" }, gettext("Send")));
    root.replaceChildren(
      h("div", { class: "chat-tabs", role: "tablist", "aria-label": gettext("Chat channels") }, ...SCOPES.map((s) => this.tabs[s])),
      this.recipientRow, this.form, this.error, this.log, // the input before the messages' buttons for Tab; CSS shows it last
    );
  }

  start() {
    this.input.addEventListener("keydown", (event) => {
      if (event.key === "Escape") {
        event.preventDefault();
        this.input.blur();
        this.canvas.focus();
      }
    });
    window.addEventListener("keydown", (event) => {
      // Enter in the world (not typing, no dialog) goes to the chat.
      if (event.key !== "Enter" || (event.target !== this.canvas && event.target !== document.body)) return;
      event.preventDefault();
      this.setOpen(true);
      this.input.focus();
    });
    this.toggle.addEventListener("click", () => this.setOpen(this.app.dataset.chatOpen !== "true"));
    if (matchMedia("(max-width: 700px)").matches) this.setOpen(false);
    this.store.on("chat", (detail) => this._changed(detail || {}));
    this.store.on("players", () => this._recipients());
    this.store.on("zone", () => {
      this._placeholder();
      if (this.active === "zone") this._render();
    });
    this.show("world");
  }

  setOpen(open) {
    this.app.dataset.chatOpen = String(open);
    this.toggle.setAttribute("aria-expanded", String(open));
    this._viewing();
    this._badges();
  }

  get isOpen() {
    return this.app.dataset.chatOpen === "true";
  }

  show(scope) {
    this.active = scope;
    for (const [name, tab] of Object.entries(this.tabs)) tab.setAttribute("aria-selected", String(name === scope));
    this.recipientRow.hidden = scope !== "direct";
    this._recipients();
    this._placeholder();
    this._viewing();
    this._render();
  }

  // Write to someone anywhere in the world (the people panel): the direct tab, them chosen.
  messageTo(id, name) {
    this.names.set(id, name);
    this.chosen.set(id, name);
    this.setOpen(true);
    this.show("direct");
    this.recipient.value = String(id);
    this.input.focus();
  }

  _placeholder() {
    const zone = this.store.state.zone;
    const text = {
      world: gettext("Message everyone in this world"),
      nearby: gettext("Message the people near you"),
      zone: zone ? gettext("Message everyone in %(zone)s", { zone: zone.name }) : gettext("Walk into a zone to talk to it"),
      direct: gettext("Message one person"),
    };
    this.input.placeholder = text[this.active];
  }

  // ChatService counts unread messages; it needs to know which tab is in front of the person.
  _viewing() {
    this.chat.view(this.isOpen ? this.active : null);
  }

  _badges() {
    const unread = this.store.state.chat.unread;
    let total = 0;
    for (const scope of SCOPES) {
      const count = unread[scope];
      total += count;
      this.tabs[scope].count.hidden = count === 0;
      this.tabs[scope].count.textContent = count ? String(count) : "";
      this.tabs[scope].setAttribute("aria-label", count ? ngettext("%(tab)s, %(count)s unread", "%(tab)s, %(count)s unread", count, { tab: LABELS[scope] }) : LABELS[scope]);
    }
    this.badge.hidden = total === 0 || this.isOpen;
    this.badge.textContent = total ? String(total) : "";
  }

  _changed(detail) {
    if (detail.read) {
      this._badges();
      return;
    }
    if (detail.error) this._showError(detail.error);
    if (detail.message || detail.history) this._recipients();
    this._badges();
    this._render();
  }

  _showError(error) {
    let text = ERRORS[error.code] || error.message || gettext("That did not work.");
    if (error.code === "rate_limited" && error.retry_after) {
      const seconds = Math.ceil(error.retry_after);
      text = ngettext("Slow down: try again in %(count)s second.", "Slow down: try again in %(count)s seconds.", seconds);
    }
    this.error.textContent = text;
    clearTimeout(this.errorTimer);
    this.errorTimer = setTimeout(() => (this.error.textContent = ""), 6000);
  }

  _nameOf(id) {
    const state = this.store.state;
    if (state.me && state.me.id === id) return state.me.name;
    const player = state.players.get(id);
    return (player && player.name) || this.names.get(id) || `#${id}`;
  }

  // Who can be written to: everyone in view, and everyone we have exchanged direct messages with.
  _recipients() {
    const state = this.store.state;
    const me = state.me;
    for (const message of state.chat.messages) {
      if (message.sender && message.sender.name) this.names.set(message.sender.id, message.sender.name);
    }
    const people = new Map();
    for (const player of state.players.values()) people.set(player.id, player.name);
    for (const [id, name] of this.chosen) if (!people.has(id)) people.set(id, name);
    let latest = null; // whom we last exchanged a direct message with: their thread opens first
    for (const message of state.chat.messages) {
      if (message.scope !== "direct" || !message.sender) continue;
      const other = me && message.sender.id === me.id ? message.to : message.sender.id;
      if (other && !(me && other === me.id)) {
        people.set(other, this._nameOf(other));
        latest = other;
      }
    }
    const chosen = this.recipient.value || (latest ? String(latest) : "");
    const options = [...people].sort((a, b) => a[1].localeCompare(b[1]));
    this.recipient.replaceChildren(
      ...(options.length ? [] : [h("option", { value: "" }, gettext("Nobody around yet"))]),
      ...options.map(([id, name]) => h("option", { value: String(id) }, name)),
    );
    if (chosen && people.has(Number(chosen))) this.recipient.value = chosen;
  }

  _render() {
    const log = this.log;
    const atBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 40;
    const me = this.store.state.me;
    const zone = this.store.state.zone;
    // The Zone tab is the zone we stand in: another zone's messages stay out of it.
    const here = (message) => message.scope !== "zone" || message.pending || (zone && message.zone === zone.name);
    const partner = Number(this.recipient.value) || null;
    const myId = me && me.id;
    // The Direct tab is the thread with the person chosen: what they sent us and we sent them.
    const thread = (message) =>
      message.scope !== "direct" ||
      (message.sender && message.sender.id === myId ? message.to === partner : message.sender && message.sender.id === partner);
    const items = this.store.state.chat.messages.filter(
      (message) => tabOf(message) === this.active && here(message) && thread(message),
    );
    log.replaceChildren(...items.map((message) => this._item(message, me)));
    if (!items.length) log.append(h("p", { class: "chat-empty" }, gettext("No messages yet.")));
    if (atBottom || (items.length && items[items.length - 1].pending)) log.scrollTop = log.scrollHeight;
  }

  _item(message, me) {
    const mine = me && message.sender && message.sender.id === me.id;
    const classes = ["msg", `scope-${message.scope}`];
    if (mine) classes.push("mine");
    if (message.pending) classes.push("pending");
    if (message.failed) classes.push("failed");
    const sender = message.scope === "system" ? gettext("Notice") : (message.sender && message.sender.name) || "?";
    const to = message.scope === "direct" && mine && message.to ? ` → ${this._nameOf(message.to)}` : "";
    return h("article", { class: classes.join(" "), dataset: { id: message.id ?? "", scope: message.scope } },
      h("span", { class: "msg-head" },
        h("span", { class: "msg-sender" }, sender + to),
        message.sender && message.sender.guest ? h("span", { class: "guest-mark" }, gettext("guest")) : null,
        message.zone ? h("span", { class: "msg-zone" }, " ", gettext("in %(zone)s", { zone: message.zone })) : null,
        h("time", { class: "msg-time", datetime: message.created_at }, timeOf(message)),
        message.failed ? h("span", { class: "msg-failed" }, " ", gettext("not sent")) : null,
        this._reportButton(message, mine, sender)),
      h("span", { class: "msg-text" }, linkify(message.text)));
  }

  _reportButton(message, mine, sender) {
    if (mine || !message.sender || !message.id || !this.reporter) return null;
    return h("button", {
      type: "button", class: "msg-report link", "aria-label": gettext("Report this message from %(name)s", { name: sender }),
      onclick: () => this.reporter.open({ user: message.sender.id, name: sender, message: message.id, text: message.text }),
    }, gettext("Report"));
  }

  _submit(event) {
    event.preventDefault();
    const text = this.input.value;
    if (!text.trim()) return;
    const to = this.active === "direct" ? Number(this.recipient.value) || null : null;
    if (this.active === "direct" && !to) {
      this._showError({ code: "unknown_recipient" });
      return;
    }
    if (this.chat.send({ scope: this.active, text, to })) this.input.value = "";
  }
}
