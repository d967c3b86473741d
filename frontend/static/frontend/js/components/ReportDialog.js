// "Report": tell the moderators about a player, or about one of their messages
// (POST /api/reports/). Opened from a chat message or from someone's video tile.

import { h } from "../lib/dom.js";
import { gettext } from "../lib/i18n.js";

const MAX_REASON = 1000;

export class ReportDialog {
  constructor({ store }) {
    this.store = store;
    this.target = null;
    this.title = h("h2", { id: "report-title" });
    this.quote = h("blockquote", { class: "report-quote", hidden: true });
    this.reason = h("textarea", {
      id: "report-reason", name: "reason", rows: "4", maxlength: String(MAX_REASON), "aria-required": "true",
      placeholder: gettext("What happened? Moderators read this."),
    });
    this.status = h("p", { class: "report-status", role: "status" });
    this.send = h("button", { type: "submit" }, gettext("Send report"));
    this.form = h("form", { method: "dialog", onsubmit: (event) => this._submit(event) },
      this.title, this.quote,
      h("label", { for: "report-reason" }, gettext("Why are you reporting this?")), this.reason, this.status,
      h("p", { class: "actions" },
        this.send, h("button", { type: "button", class: "button secondary", onclick: () => this.close() }, gettext("Cancel"))));
    this.dialog = h("dialog", { id: "report-dialog", class: "report-dialog", "aria-labelledby": "report-title" }, this.form);
    document.body.append(this.dialog);
  }

  // target: {user, name, message?, text?}
  open(target) {
    this.target = target;
    const who = { name: target.name };
    this.title.textContent = target.message ? gettext("Report a message from %(name)s", who) : gettext("Report %(name)s", who);
    this.quote.hidden = !target.text;
    this.quote.textContent = target.text || "";
    this.reason.value = "";
    this.status.textContent = "";
    this.send.disabled = false;
    this.dialog.showModal();
    this.reason.focus();
  }

  close() {
    this.dialog.close();
  }

  async _submit(event) {
    event.preventDefault();
    const reason = this.reason.value.trim();
    if (!reason) {
      this.status.textContent = gettext("Say what happened first.");
      return;
    }
    const { config } = this.store.state;
    const body = { user: this.target.user, reason };
    if (this.target.message) body.message = this.target.message;
    this.send.disabled = true;
    this.status.textContent = gettext("Sending…");
    try {
      const response = await fetch(config.urls.reports, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": config.csrfToken },
        body: JSON.stringify(body),
      });
      if (response.ok) {
        this.status.textContent = gettext("Thank you. The moderators will look at it.");
        setTimeout(() => this.close(), 1500);
        return;
      }
      const answer = await response.json().catch(() => ({}));
      const first = Object.values(answer).flat()[0];
      this.status.textContent = response.status === 429
        ? gettext("You have sent many reports lately; try again later.")
        : typeof first === "string" ? first : gettext("The report could not be sent.");
    } catch {
      this.status.textContent = gettext("The report could not be sent: no connection.");
    }
    this.send.disabled = false;
  }
}
