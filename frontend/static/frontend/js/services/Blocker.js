// "Block": you and that person are never in contact again (the world ends any call between you at
// once, on every server process), their messages leave your chat now and no more reach you.
// POST /api/blocks/ (docs/protocol.md "Blocks"); the server tells our sockets.

import { gettext } from "../lib/i18n.js";

export class Blocker {
  constructor(store) {
    this.store = store;
  }

  async block({ user, name }) {
    const question = gettext("Block %(name)s? You will not be in a call with them or see their messages.", { name });
    if (!window.confirm(question)) return false;
    const { config } = this.store.state;
    try {
      const response = await fetch(config.urls.blocks, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": config.csrfToken },
        body: JSON.stringify({ user }),
      });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
    } catch (error) {
      console.warn("block failed:", error);
      this.store.notice(gettext("%(name)s could not be blocked; try again.", { name }), { kind: "warning" });
      return false;
    }
    const chat = this.store.state.chat;
    chat.messages = chat.messages.filter((message) => !message.sender || message.sender.id !== user);
    this.store.emit("chat", { blocked: user });
    this.store.notice(gettext("You blocked %(name)s. Unblock them from your account's blocks list.", { name }));
    return true;
  }
}
