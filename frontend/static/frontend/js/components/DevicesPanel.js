// Me's "Camera and microphone" tab: which camera, microphone and speaker, mute and camera off,
// with a look at yourself and how loud you are, and a test call with the echo bot.
//
// Nothing here asks for the camera or microphone by itself: "Set them up now" does (LocalMedia's
// one acquire(), which a call's would share). Once they are, the preview shows LocalMedia's own
// stream (no second capture) and the level meter listens to its microphone track, both only while
// this tab is shown in an open dialog.

import { LevelMeter } from "../lib/audio.js";
import { h } from "../lib/dom.js";
import { gettext } from "../lib/i18n.js";
import { Speakers } from "../services/Speakers.js";

const METER_MS = 100; // the level, ten times a second
const FLOOR_DB = -60; // quieter than this reads as silence

export class DevicesPanel {
  constructor({ store, media, world, finder, close }) {
    Object.assign(this, { store, media, world, finder, close });
    this.shown = false;
    this.meter = null;
    this.speakers = new Speakers();
    this.mediaMessage = h("p", { class: "muted menu-media-message" });
    this.setUp = h("button", { type: "button", class: "button secondary", onclick: () => this.media.acquire() }, gettext("Set them up now"));
    this.selfView = h("video", { class: "menu-self-view", autoplay: true, playsinline: true, muted: true, "aria-label": gettext("Your camera") });
    this.selfView.muted = true; // the property, not only the attribute: our own sound would echo
    this.selfOff = h("p", { class: "menu-self-off" }, gettext("Your camera is not on."));
    this.camera = h("select", { id: "menu-camera" });
    this.microphone = h("select", { id: "menu-microphone" });
    this.levelBar = h("span", { class: "menu-level-bar" });
    this.level = h("div", {
      class: "menu-level", id: "menu-mic-level", role: "meter", "aria-labelledby": "menu-mic-level-label",
      "aria-valuemin": "0", "aria-valuemax": "100", "aria-valuenow": "0",
    }, this.levelBar);  // prettier-ignore
    this.muted = h("input", { type: "checkbox", id: "menu-muted" });
    this.cameraOff = h("input", { type: "checkbox", id: "menu-camera-off" });
    this.speaker = h("select", { id: "menu-speaker" }, h("option", { value: "" }, gettext("System default")));
    this.speakerField = h("div", { class: "field", hidden: !this.speakers.supported },
      h("label", { for: "menu-speaker" }, gettext("Speaker")), this.speaker);
    this.echoStatus = h("span", { class: "menu-echo-status", role: "status" });
    this.root = h("div", { class: "menu-devices" },
      this.mediaMessage, this.setUp,
      h("div", { class: "menu-av" },
        h("div", { class: "menu-self" }, this.selfView, this.selfOff),
        h("div", {},
          h("div", { class: "field" }, h("label", { for: "menu-camera" }, gettext("Camera")), this.camera),
          h("div", { class: "field" }, h("label", { for: "menu-microphone" }, gettext("Microphone")), this.microphone),
          h("div", { class: "menu-level-field" },
            h("span", { id: "menu-mic-level-label" }, gettext("Microphone level")), this.level))),
      h("label", { class: "check" }, this.muted, " ", gettext("Mute my microphone")),
      h("label", { class: "check" }, this.cameraOff, " ", gettext("Turn my camera off")),
      this.speakerField,
      h("p", { class: "menu-echo" },
        h("button", { type: "button", class: "link", onclick: () => this._echo() }, gettext("Test with the echo bot")),
        " ", this.echoStatus));
  }

  start() {
    this.speakers.start();
    this.camera.addEventListener("change", () => this._device("video", this.camera.value));
    this.microphone.addEventListener("change", () => this._device("audio", this.microphone.value));
    this.muted.addEventListener("change", () => this.media.setMuted(this.muted.checked));
    this.cameraOff.addEventListener("change", () => this.media.setCameraOff(this.cameraOff.checked));
    this.speaker.addEventListener("change", () => this.speakers.use(this.speaker.value));
    this.store.on("media", () => this._changed());
    this._changed();
  }

  // The tab is shown (in an open dialog): what is already allowed is listed and previewed.
  show() {
    this.shown = true;
    this.echoStatus.textContent = "";
    if (this.store.state.media.status === "granted") this.media.listDevices();
    this._listSpeakers();
    this._changed();
  }

  // The tab or the dialog closed: no preview, no meter.
  hide() {
    this.shown = false;
    this._preview();
    this._meter();
  }

  _changed() {
    const media = this.store.state.media;
    const granted = media.status === "granted";
    const idle = media.status === "idle"; // not asked yet: the first call asks; the boxes set what it starts with
    for (const [select, kind] of [[this.camera, "video"], [this.microphone, "audio"]]) {
      const devices = media.devices.filter((device) => device.kind === kind);
      select.replaceChildren(...(devices.length ? devices : [{ id: "", label: gettext("None available") }])
        .map((device) => h("option", { value: device.id }, device.label)));
      select.value = this.media.chosen[kind] || "";
      select.disabled = !granted || !devices.length;
    }
    this.muted.checked = media.muted;
    this.cameraOff.checked = media.cameraOff;
    this.muted.disabled = this.cameraOff.disabled = !(granted || idle);
    this.mediaMessage.textContent = media.message || (media.status === "asking" ? gettext("Waiting for your browser's permission…")
      : idle ? gettext("Your browser asks for them when your first call starts.") : "");
    this.mediaMessage.hidden = !this.mediaMessage.textContent;
    this.setUp.hidden = !idle;
    if (granted && this.shown && !this.speakersNamed) {
      this.speakersNamed = true; // allowed now: the browser names the outputs
      this._listSpeakers();
    }
    this._preview();
    this._meter();
  }

  _preview() {
    const wanted = this.shown && this.media.track("video") ? this.media.stream : null;
    if (this.selfView.srcObject !== wanted) {
      this.selfView.srcObject = wanted;
      if (wanted) this.selfView.play().catch(() => {});
    }
    this.selfView.hidden = !wanted;
    this.selfOff.hidden = Boolean(wanted);
  }

  _meter() {
    const track = this.shown ? this.media.track("audio") : null;
    if (this.meter && this.meter.track === track) return;
    if (this.meter) {
      clearInterval(this.meter.timer);
      this.meter.close();
      this.meter = null;
    }
    this._showLevel(0);
    if (!track) return;
    const meter = Object.assign(new LevelMeter(track), { track });
    meter.timer = setInterval(() => {
      const rms = this.store.state.media.muted ? 0 : meter.level();
      const db = rms > 0 ? 20 * Math.log10(rms) : FLOOR_DB;
      this._showLevel(Math.round(Math.min(1, Math.max(0, 1 - db / FLOOR_DB)) * 100));
    }, METER_MS);
    this.meter = meter;
  }

  _showLevel(value) {
    this.level.setAttribute("aria-valuenow", String(value));
    this.levelBar.style.width = `${value}%`;
  }

  async _listSpeakers() {
    if (!this.speakers.supported) return;
    const outputs = await this.speakers.list().catch(() => []);
    this.speaker.replaceChildren(h("option", { value: "" }, gettext("System default")),
      ...outputs.map((output, index) => h("option", { value: output.id },
        output.label || gettext("Speaker %(number)s", { number: index + 1 }))));
    this.speaker.value = outputs.some((output) => output.id === this.speakers.id) ? this.speakers.id : "";
  }

  async _device(kind, id) {
    try {
      await this.media.useDevice(kind, id);
    } catch (error) {
      this.store.notice(gettext("That device did not start (%(error)s).", { error: error.name }), { kind: "warning" });
    }
  }

  // The echo bot is a player an operator stands in a world (`manage.py echo_bot`): it answers
  // calls with your own picture and sound. Walk up to it, if it is in this world.
  async _echo() {
    const { echoBot, slug } = this.store.state.config;
    const absent = gettext(
      "There is no echo bot in this world now. Whoever runs the server can start one: python manage.py echo_bot --world %(world)s",
      { world: slug },
    );
    if (!echoBot) {
      this.echoStatus.textContent = absent;
      return;
    }
    this.echoStatus.textContent = gettext("Looking for the echo bot…");
    try {
      await this.world.locate(echoBot);
    } catch (error) {
      this.echoStatus.textContent = error.code === "unknown_player" ? absent : error.message;
      return;
    }
    this.close();
    this.store.notice(gettext("Walking to the echo bot: next to it, you see and hear yourself as others do."), { timeout: 8000 });
    this.finder.walkTo({ id: echoBot, name: gettext("the echo bot") });
  }
}
