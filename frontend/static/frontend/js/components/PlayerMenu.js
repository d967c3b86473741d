// The menu about yourself: display name, look (with a walking preview), status; camera and
// microphone choice, mute and camera off. Saved with PATCH /api/players/me/; the world tells
// everyone else.

import { h } from "../lib/dom.js";

const STATUSES = [
  ["available", "Available"],
  ["busy", "Busy"],
  ["dnd", "Do not disturb (no calls)"],
  ["away", "Away"],
];
const PREVIEW_SCALE = 3;

export class PlayerMenu {
  constructor({ dialog, opener, store, world, media, muteButton, cameraButton }) {
    Object.assign(this, { dialog, opener, store, world, media, muteButton, cameraButton });
    this.avatars = null;
    this.name = h("input", { id: "menu-name", type: "text", maxlength: "64", required: true, autocomplete: "nickname" });
    this.look = h("fieldset", { class: "menu-avatars" }, h("legend", {}, "Look"));
    this.preview = h("canvas", { class: "menu-preview", width: 32 * PREVIEW_SCALE, height: 32 * PREVIEW_SCALE, "aria-hidden": "true" });
    this.status = h("select", { id: "menu-status" }, ...STATUSES.map(([value, label]) => h("option", { value }, label)));
    this.errors = h("p", { class: "menu-errors", role: "alert" });
    this.camera = h("select", { id: "menu-camera" });
    this.microphone = h("select", { id: "menu-microphone" });
    this.muted = h("input", { type: "checkbox", id: "menu-muted" });
    this.cameraOff = h("input", { type: "checkbox", id: "menu-camera-off" });
    this.mediaMessage = h("p", { class: "muted menu-media-message" });
    this.setUp = h("button", { type: "button", class: "button secondary", onclick: () => this.media.acquire() }, "Set them up now");
    this.saveButton = h("button", { type: "submit" }, "Save");
    const form = h("form", { method: "dialog", class: "menu-form", onsubmit: (event) => this._save(event) },
      h("div", { class: "menu-head" },
        h("h2", { id: "player-menu-title" }, "You"),
        h("button", { type: "button", class: "link", onclick: () => dialog.close() }, "Close")),
      h("div", { class: "field" }, h("label", { for: "menu-name" }, "Display name"), this.name),
      h("div", { class: "menu-look" }, this.look, this.preview),
      h("div", { class: "field" }, h("label", { for: "menu-status" }, "Status"), this.status),
      this.errors,
      h("p", {}, this.saveButton),
      h("fieldset", { class: "menu-devices" }, h("legend", {}, "Camera and microphone"),
        this.mediaMessage, this.setUp,
        h("div", { class: "field" }, h("label", { for: "menu-camera" }, "Camera"), this.camera),
        h("div", { class: "field" }, h("label", { for: "menu-microphone" }, "Microphone"), this.microphone),
        h("label", { class: "check" }, this.muted, " Mute my microphone"),
        h("label", { class: "check" }, this.cameraOff, " Turn my camera off")));
    dialog.replaceChildren(form);
  }

  start() {
    this.opener.addEventListener("click", () => this.open());
    this.dialog.addEventListener("close", () => {
      clearInterval(this.animation);
      this.opener.focus();
    });
    this.camera.addEventListener("change", () => this._device("video", this.camera.value));
    this.microphone.addEventListener("change", () => this._device("audio", this.microphone.value));
    this.muted.addEventListener("change", () => this.media.setMuted(this.muted.checked));
    this.cameraOff.addEventListener("change", () => this.media.setCameraOff(this.cameraOff.checked));
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
    this.errors.textContent = "";
    this.dialog.showModal();
    this.name.focus();
    if (!this.avatars) await this._loadAvatars();
    this._pick(me.avatar);
    if (this.store.state.media.status === "granted") this.media.listDevices();
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
    const body = { display_name: this.name.value.trim(), status: this.status.value };
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
          `Not saved (HTTP ${response.status}).`;
        return;
      }
      this.world.updateMe(answer);
      this.dialog.close();
      this.store.notice("Saved.", { timeout: 2500 });
    } catch (error) {
      this.errors.textContent = `Not saved: ${error.message}`;
    } finally {
      this.saveButton.disabled = false;
    }
  }

  async _device(kind, id) {
    try {
      await this.media.useDevice(kind, id);
    } catch (error) {
      this.store.notice(`That device did not start (${error.name}).`, { kind: "warning" });
    }
  }

  _mediaChanged() {
    const media = this.store.state.media;
    const granted = media.status === "granted";
    const idle = media.status === "idle"; // not asked yet: the first call asks; the buttons set what it starts with
    for (const [select, kind] of [[this.camera, "video"], [this.microphone, "audio"]]) {
      const devices = media.devices.filter((device) => device.kind === kind);
      select.replaceChildren(...(devices.length ? devices : [{ id: "", label: "None available" }])
        .map((device) => h("option", { value: device.id }, device.label)));
      select.value = this.media.chosen[kind] || "";
      select.disabled = !granted || !devices.length;
    }
    this.muted.checked = media.muted;
    this.cameraOff.checked = media.cameraOff;
    this.muted.disabled = this.cameraOff.disabled = !(granted || idle);
    this.mediaMessage.textContent = media.message || (media.status === "asking" ? "Waiting for your browser's permission…"
      : idle ? "Your browser asks for them when your first call starts." : "");
    this.setUp.hidden = !idle;
    const hasAudio = Boolean(this.media.track("audio"));
    const hasVideo = Boolean(this.media.track("video"));
    const micOn = idle ? !media.muted : granted && hasAudio && !media.muted;
    const cameraOn = idle ? !media.cameraOff : granted && hasVideo && !media.cameraOff;
    this.muteButton.disabled = !(granted || idle);
    this.muteButton.setAttribute("aria-pressed", String(!micOn));
    this.muteButton.textContent = micOn ? "Mic on" : idle || (granted && hasAudio) ? "Mic off" : "No mic";
    this.cameraButton.disabled = !(granted || idle);
    this.cameraButton.setAttribute("aria-pressed", String(!cameraOn));
    this.cameraButton.textContent = cameraOn ? "Camera on" : idle || (granted && hasVideo) ? "Camera off" : "No camera";
  }
}
