// Our camera and microphone: asked for once, with a clear message when refused (the world
// works without them), the devices chosen in the PlayerMenu, mute and camera off.
//
// `stream` is the one local MediaStream; WebRTCManager sends its tracks and is told through
// onTracksChanged() when a track is replaced (another device, camera back on).

import { SpeakingDetector } from "../lib/audio.js";
import { gettext } from "../lib/i18n.js";

const STORAGE_KEY = "metaverse.devices";
const VIDEO = { width: { ideal: 320 }, height: { ideal: 240 }, frameRate: { ideal: 15, max: 24 } };
const AUDIO = { echoCancellation: true, noiseSuppression: true, autoGainControl: true };

const MESSAGES = {
  denied: gettext(
    "Camera and microphone are blocked for this site, so nobody will see or hear you. " +
    "You can still walk and chat; to talk, allow them in your browser's site settings and reload.",
  ),
  unavailable: gettext("No camera or microphone could be used. You can still walk and chat."),
  insecure: gettext("This page is not served over HTTPS, so the browser offers no camera or microphone. You can still walk and chat."),
  audio: gettext("No microphone could be used, so nobody will hear you. They can still see you."),
  video: gettext("No camera could be used, so nobody will see you. They can still hear you."),
};

function remembered() {
  try {
    return JSON.parse(localStorage.getItem(STORAGE_KEY)) || {};
  } catch {
    return {};
  }
}

export class LocalMedia {
  constructor(store) {
    this.store = store;
    this.stream = new MediaStream();
    this.chosen = remembered(); // {audio: deviceId, video: deviceId}
    this.listeners = new Set();
    this.speaking = null;
    this.screen = null; // our shared screen (a MediaStream of one video track), while we share
    this.screenListeners = new Set();
  }

  get canShareScreen() {
    return Boolean(navigator.mediaDevices && navigator.mediaDevices.getDisplayMedia);
  }

  onScreenChanged(listener) {
    this.screenListeners.add(listener);
  }

  // Share a screen, a window or a tab (the browser asks which). Stopped by stopScreen() or from
  // the browser's own "Stop sharing".
  async startScreen() {
    if (this.screen || !this.canShareScreen) return;
    let stream;
    try {
      stream = await navigator.mediaDevices.getDisplayMedia({ video: { frameRate: { ideal: 10, max: 15 } }, audio: false });
    } catch (error) {
      if (error.name !== "NotAllowedError") this.store.notice(gettext("Screen sharing did not start (%(error)s).", { error: error.name }), { kind: "warning" });
      return;
    }
    const [track] = stream.getVideoTracks();
    track.contentHint = "detail";
    track.addEventListener("ended", () => this.stopScreen());
    this.screen = stream;
    this._screenChanged();
  }

  stopScreen() {
    if (!this.screen) return;
    for (const track of this.screen.getTracks()) track.stop();
    this.screen = null;
    this._screenChanged();
  }

  screenTrack() {
    return this.screen ? this.screen.getVideoTracks()[0] || null : null;
  }

  _screenChanged() {
    this.media.sharing = Boolean(this.screen);
    for (const listener of this.screenListeners) listener(this.screen);
    this.store.emit("media");
  }

  get media() {
    return this.store.state.media;
  }

  onTracksChanged(listener) {
    this.listeners.add(listener);
  }

  _changed() {
    for (const listener of this.listeners) listener(this.stream);
    this.store.emit("media");
  }

  track(kind) {
    return this.stream.getTracks().find((track) => track.kind === kind) || null;
  }

  _constraints(kind, exact = false) {
    const base = kind === "video" ? VIDEO : AUDIO;
    const id = this.chosen[kind];
    return id ? { ...base, deviceId: exact ? { exact: id } : { ideal: id } } : base;
  }

  // Ask for camera and microphone (once; the browser remembers the answer).
  // Ask for the camera and microphone, once: a second caller gets the same answer.
  acquire() {
    if (!this.acquiring) this.acquiring = this._acquire();
    return this.acquiring;
  }

  async _acquire() {
    const media = this.media;
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      return this._give("unavailable", MESSAGES.insecure);
    }
    media.status = "asking";
    this.store.emit("media");
    const attempts = [
      { audio: this._constraints("audio"), video: this._constraints("video") },
      { audio: this._constraints("audio") },
      { video: this._constraints("video") },
    ];
    for (const constraints of attempts) {
      try {
        const stream = await navigator.mediaDevices.getUserMedia(constraints);
        for (const track of stream.getTracks()) this.stream.addTrack(track);
        break;
      } catch (error) {
        if (error.name === "NotAllowedError" || error.name === "SecurityError") return this._give("denied", MESSAGES.denied);
        // NotFoundError, NotReadableError, OverconstrainedError: try with less.
      }
    }
    if (!this.stream.getTracks().length) return this._give("unavailable", MESSAGES.unavailable);
    // One of the two may be missing (no camera on this computer, say): that is said too.
    const missing = ["audio", "video"].find((kind) => !this.track(kind));
    media.status = "granted";
    media.message = "";
    if (media.cameraOff) this._replace("video", null); // turned off before they were asked for
    if (missing) this.store.notice(MESSAGES[missing], { kind: "warning", timeout: 12000 });
    this._apply();
    await this.listDevices();
    this._changed();
    return true;
  }

  _give(status, message) {
    Object.assign(this.media, { status, message });
    this.store.notice(message, { kind: "warning", timeout: 12000 });
    this._changed();
    return false;
  }

  _apply() {
    const audio = this.track("audio");
    if (audio) audio.enabled = !this.media.muted;
    if (this.speaking) this.speaking.close();
    this.speaking = audio ? new SpeakingDetector(audio) : null;
  }

  async listDevices() {
    if (!navigator.mediaDevices || !navigator.mediaDevices.enumerateDevices) return [];
    const devices = await navigator.mediaDevices.enumerateDevices();
    this.media.devices = devices
      .filter((device) => device.kind === "audioinput" || device.kind === "videoinput")
      .map((device, index) => ({
        kind: device.kind === "audioinput" ? "audio" : "video",
        id: device.deviceId,
        label: device.label || (device.kind === "audioinput"
          ? gettext("Microphone %(number)s", { number: index + 1 }) : gettext("Camera %(number)s", { number: index + 1 })),
      }));
    for (const kind of ["audio", "video"]) {
      const track = this.track(kind);
      if (track && !this.chosen[kind]) this.chosen[kind] = track.getSettings().deviceId || "";
    }
    this.store.emit("media");
    return this.media.devices;
  }

  // Switch to another camera or microphone.
  async useDevice(kind, deviceId) {
    this.chosen[kind] = deviceId;
    localStorage.setItem(STORAGE_KEY, JSON.stringify(this.chosen));
    if (this.media.status !== "granted" || (kind === "video" && this.media.cameraOff)) return;
    const stream = await navigator.mediaDevices.getUserMedia({ [kind]: this._constraints(kind, true) });
    this._replace(kind, stream.getTracks()[0]);
  }

  _replace(kind, track) {
    const old = this.track(kind);
    if (old) {
      this.stream.removeTrack(old);
      old.stop();
    }
    if (track) this.stream.addTrack(track);
    this._apply();
    this._changed();
  }

  setMuted(muted) {
    this.media.muted = muted;
    this._apply();
    this._changed();
  }

  // Camera off stops the camera (its light goes out); on asks for it again (no prompt: the
  // permission is remembered).
  async setCameraOff(off) {
    this.media.cameraOff = off;
    if (off) this._replace("video", null);
    else if (this.media.status === "granted") {
      try {
        const stream = await navigator.mediaDevices.getUserMedia({ video: this._constraints("video") });
        this._replace("video", stream.getVideoTracks()[0]);
      } catch (error) {
        this.media.cameraOff = true;
        this.store.notice(gettext("The camera did not start (%(error)s).", { error: error.name }), { kind: "warning" });
        this._changed();
      }
    } else this._changed();
  }

  // Whether we are speaking now (WebRTCManager asks a few times a second); true if that changed.
  updateSpeaking(now) {
    const speaking = Boolean(this.speaking && !this.media.muted && this.speaking.speaking(now));
    if (speaking === this.media.speaking) return false;
    this.media.speaking = speaking;
    return true;
  }

  stop() {
    for (const track of this.stream.getTracks()) track.stop();
    this.stopScreen();
  }
}
