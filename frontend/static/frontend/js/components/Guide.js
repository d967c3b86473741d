// The first-visit guide over the map: how to walk, that walking up to someone starts a call, and
// where the chat and the people are. Shown once per account: closing it tells the server
// (PATCH /api/players/me/ {"guide_seen": true}).

import { h } from "../lib/dom.js";
import { gettext } from "../lib/i18n.js";

export class Guide {
  constructor({ root, store, canvas }) {
    Object.assign(this, { root, store, canvas });
  }

  start() {
    const { me } = this.store.state.config;
    if (!me || me.guide_seen) return;
    const close = h("button", { type: "button", onclick: () => this.close() }, gettext("Got it"));
    const box = h("section", { class: "guide", role: "dialog", "aria-labelledby": "guide-title", "aria-modal": "false" },
      h("h2", { id: "guide-title" }, gettext("Welcome! Here is how it works")),
      h("ul", {},
        h("li", {}, gettext("Walk with the arrow keys or W A S D, or click (tap) where you want to go.")),
        h("li", {}, gettext("Walk up to someone to talk: a call starts when you are close, and ends when you walk away. Meeting rooms put everyone inside in one call.")),
        h("li", {}, gettext("Chat is on the right (Chat in the bar): everyone, people nearby, your zone, or one person.")),
        h("li", {}, gettext("People in the bar lists everyone here: find them, walk to them, follow or knock.")),
        h("li", {}, gettext("Me sets your name, look, status, camera and microphone."))),
      h("p", { class: "guide-actions" }, close));
    box.addEventListener("keydown", (event) => {
      if (event.key === "Escape") this.close();
    });
    this.box = box;
    this.root.append(box);
    close.focus();
  }

  async close() {
    if (!this.box) return;
    this.box.remove();
    this.box = null;
    this.canvas.focus();
    const { config } = this.store.state;
    try {
      await fetch(config.urls.me, {
        method: "PATCH",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": config.csrfToken },
        body: JSON.stringify({ guide_seen: true }),
      });
    } catch {
      // Shown again next time: no harm done.
    }
  }
}
