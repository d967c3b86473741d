// The menu about yourself, in two tabs. Profile: display name, look (with a walking preview),
// status, whether others may find where you are, the page's language; saved with PATCH
// /api/players/me/, the world tells everyone else. Camera and microphone: DevicesPanel.

import { h } from "../lib/dom.js";
import { gettext, locale, pgettext } from "../lib/i18n.js";
import { makeTabs } from "../lib/tabs.js";
import { DevicesPanel } from "./DevicesPanel.js";

const STATUSES = [
  ["available", gettext("Available")],
  ["busy", gettext("Busy")],
  ["dnd", gettext("Do not disturb (no calls)")],
  ["away", gettext("Away")],
];
// The languages the page speaks (settings.LANGUAGES), each named in its own language.
const LANGUAGES = [["en", "English"], ["fr", "Français"], ["de", "Deutsch"]];
const PREVIEW_SCALE = 3;

export class PlayerMenu {
  constructor({ dialog, opener, store, world, media, finder, muteButton, cameraButton }) {
    Object.assign(this, { dialog, opener, store, world, media, muteButton, cameraButton });
    this.avatars = null;
    this.name = h("input", { id: "menu-name", type: "text", maxlength: "64", required: true, autocomplete: "nickname" });
    this.look = h("fieldset", { class: "menu-avatars" }, h("legend", {}, gettext("Look")));
    this.preview = h("canvas", { class: "menu-preview", width: 32 * PREVIEW_SCALE, height: 32 * PREVIEW_SCALE, "aria-hidden": "true" });
    this.status = h("select", { id: "menu-status" }, ...STATUSES.map(([value, label]) => h("option", { value }, label)));
    this.hideLocation = h("input", { type: "checkbox", id: "menu-hide-location" });
    this.errors = h("p", { class: "menu-errors", role: "alert" });
    this.saveButton = h("button", { type: "submit" }, gettext("Save"));
    this.devices = new DevicesPanel({ store, media, world, finder, close: () => dialog.close() });
    const form = h("form", { method: "dialog", class: "menu-form", onsubmit: (event) => this._save(event) },
      h("div", { class: "field" }, h("label", { for: "menu-name" }, gettext("Display name")), this.name),
      h("div", { class: "menu-look" }, this.look, this.preview),
      h("div", { class: "field" }, h("label", { for: "menu-status" }, gettext("Status")), this.status),
      h("label", { class: "check" }, this.hideLocation, " ", gettext("Hide where I am from the People panel")),
      this.errors,
      h("p", { class: "menu-save" }, this.saveButton));
    const profile = h("div", { class: "menu-panel" }, form, this._languageForm());
    const devices = h("div", { class: "menu-panel" }, this.devices.root);
    this.tabs = makeTabs({
      prefix: "menu", label: gettext("About you"),
      items: [
        { name: "profile", label: gettext("Profile"), panel: profile },
        { name: "devices", label: gettext("Camera and microphone"), panel: devices },
      ],
      onChange: (name) => (name === "devices" && this.dialog.open ? this.devices.show() : this.devices.hide()),
    });  // prettier-ignore
    dialog.replaceChildren(
      h("div", { class: "menu-head" },
        h("h2", { id: "player-menu-title" }, pgettext("the Me dialog's title", "You")),
        h("button", { type: "button", class: "link", onclick: () => dialog.close() }, gettext("Close"))),
      this.tabs.list, profile, devices);
  }

  // The page's language: Django's set_language keeps the choice (a cookie) and sends us back here.
  _languageForm() {
    const { config } = this.store.state;
    const current = locale.toLowerCase().split("-")[0];
    const select = h("select", { id: "menu-language", name: "language" },
      ...LANGUAGES.map(([code, name]) => h("option", { value: code, lang: code, selected: code === current }, name)));
    const next = h("input", { type: "hidden", name: "next" });
    return h("form", {
      method: "post", action: config.urls.setLanguage, class: "menu-language",
      onsubmit: () => (next.value = location.pathname),
    },
    h("input", { type: "hidden", name: "csrfmiddlewaretoken", value: config.csrfToken }), next,
    h("div", { class: "field" }, h("label", { for: "menu-language" }, gettext("Language")), select, " ",
      h("button", { type: "submit", class: "button secondary" }, gettext("Change language"))));
  }

  start() {
    this.opener.addEventListener("click", () => this.open());
    this.dialog.addEventListener("close", () => {
      clearInterval(this.animation);
      this.devices.hide(); // no preview, no level meter while closed
      this.opener.focus();
    });
    this.devices.start();
    this.muteButton.addEventListener("click", () => this.media.setMuted(!this.store.state.media.muted));
    this.cameraButton.addEventListener("click", () => this.media.setCameraOff(!this.store.state.media.cameraOff));
    window.addEventListener("keydown", (event) => {
      // M and V toggle microphone and camera from the world (not while typing).
      if (event.target !== document.body && event.target.tagName !== "CANVAS") return;
      if (event.ctrlKey || event.metaKey || event.altKey) return;
      if (event.code === "KeyM") this.media.setMuted(!this.store.state.media.muted);
      if (event.code === "KeyV") this.media.setCameraOff(!this.store.state.media.cameraOff);
    });
    this.store.on("media", () => this._mediaChanged());
    this._mediaChanged();
  }

  async open() {
    const me = this.store.state.me || this.store.state.config.me;
    this.name.value = me.name || me.display_name || "";
    this.status.value = me.status || "available";
    this.hideLocation.checked = Boolean(this.store.state.config.me.hide_location);
    this.errors.textContent = "";
    this.dialog.showModal();
    if (this.tabs.selected === "devices") this.devices.show();
    else this.name.focus();
    if (!this.avatars) await this._loadAvatars();
    this._pick(me.avatar);
  }

  async _loadAvatars() {
    const response = await fetch(this.store.state.config.urls.avatars, { credentials: "same-origin" });
    this.avatars = response.ok ? await response.json() : [];
    const choices = this.avatars.map((avatar) => {
      const input = h("input", { type: "radio", name: "avatar", value: avatar.slug, "aria-label": avatar.name });
      input.addEventListener("change", () => this._pick(avatar.slug));
      return h("label", { class: "avatar-choice", title: avatar.name },
        input,
        h("span", { class: "sprite", style: `background-image:url(${avatar.url})` }),
        h("span", {}, avatar.name));
    });
    this.look.append(...choices);
  }

  _pick(slug) {
    const avatar = (this.avatars || []).find((item) => item.slug === slug);
    for (const input of this.look.querySelectorAll("input")) input.checked = input.value === slug;
    clearInterval(this.animation);
    if (!avatar) return;
    const image = new Image();
    image.src = avatar.url;
    const ctx = this.preview.getContext("2d");
    ctx.imageSmoothingEnabled = false;
    let step = 0;
    const cycle = [0, 1, 0, 2];
    this.animation = setInterval(() => {
      if (!image.complete) return;
      const row = Math.floor(step / 8) % 4; // down, left, right, up: two walk cycles each
      ctx.clearRect(0, 0, this.preview.width, this.preview.height);
      ctx.drawImage(image, cycle[step % 4] * 32, row * 32, 32, 32, 0, 0, 32 * PREVIEW_SCALE, 32 * PREVIEW_SCALE);
      step += 1;
    }, 160);
  }

  async _save(event) {
    event.preventDefault();
    const chosen = this.look.querySelector("input:checked");
    const body = { display_name: this.name.value.trim(), status: this.status.value, hide_location: this.hideLocation.checked };
    if (chosen) body.avatar = chosen.value;
    this.saveButton.disabled = true;
    this.errors.textContent = "";
    try {
      const response = await fetch(this.store.state.config.urls.me, {
        method: "PATCH",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": this.store.state.config.csrfToken },
        body: JSON.stringify(body),
      });
      const answer = await response.json().catch(() => ({}));
      if (!response.ok) {
        this.errors.textContent = Object.entries(answer).map(([field, problems]) => `${field}: ${[].concat(problems).join(" ")}`).join(" ") ||
          gettext("Not saved (HTTP %(status)s).", { status: response.status });
        return;
      }
      this.world.updateMe(answer);
      this.store.state.config.me.hide_location = answer.hide_location; // the world shows nobody this
      this.dialog.close();
      this.store.notice(gettext("Saved."), { timeout: 2500 });
    } catch (error) {
      this.errors.textContent = gettext("Not saved: %(reason)s", { reason: error.message });
    } finally {
      this.saveButton.disabled = false;
    }
  }

  _mediaChanged() {
    const media = this.store.state.media;
    const granted = media.status === "granted";
    const idle = media.status === "idle"; // not asked yet: the first call asks; the buttons set what it starts with
    const hasAudio = Boolean(this.media.track("audio"));
    const hasVideo = Boolean(this.media.track("video"));
    const micOn = idle ? !media.muted : granted && hasAudio && !media.muted;
    const cameraOn = idle ? !media.cameraOff : granted && hasVideo && !media.cameraOff;
    this.muteButton.disabled = !(granted || idle);
    this.muteButton.setAttribute("aria-pressed", String(!micOn));
    this.muteButton.textContent = micOn ? gettext("Mic on") : idle || (granted && hasAudio) ? gettext("Mic off") : gettext("No mic");
    this.cameraButton.disabled = !(granted || idle);
    this.cameraButton.setAttribute("aria-pressed", String(!cameraOn));
    this.cameraButton.textContent = cameraOn ? gettext("Camera on") : idle || (granted && hasVideo) ? gettext("Camera off") : gettext("No camera");
  }
}
