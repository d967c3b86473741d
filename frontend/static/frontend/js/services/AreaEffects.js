// What the interactive areas we stand in do to the page (docs/protocol.md "areas", from the
// `welcome` and every `areas` message): websites beside the map (components/CoWebsite.js), a
// sound while we are inside, a camera that frames the area (WorldView.setFocus, lib/focus.js),
// and a badge in the bar on a stage or in its audience. The map tools' Sounds button silences
// every area's sound, remembered in this browser.

import { CoWebsite } from "../components/CoWebsite.js";
import { h } from "../lib/dom.js";
import { focusRect } from "../lib/focus.js";
import { gettext } from "../lib/i18n.js";

const STORAGE_KEY = "metaverse.areaSounds"; // "off" while muted

export class AreaEffects {
  constructor({ store, view, stage, canvas, panel, soundsButton, badge }) {
    Object.assign(this, { store, view, soundsButton, badge });
    this.websites = new CoWebsite({ panel, stage, canvas, allowed: store.state.config.embedOrigins || [] });
    this.player = h("div", { class: "area-sounds", hidden: true }); // the <audio> elements
    stage.append(this.player);
    this.sounds = new Map(); // absolute URL -> its <audio>, kept to play again when we come back
    this.wanted = new Set(); // the URLs of the sounds of the areas we stand in
    this.muted = remembered() === "off";
    this.waiting = false; // a play() was refused: we try again on the next key press or click
    this.focus = null; // the rectangle framed ({left, top, right, bottom}, tiles), or null
  }

  start() {
    this.websites.start();
    this.soundsButton.addEventListener("click", () => this.mute(!this.muted));
    this._showMuted();
    this.store.on("areas", () => this._update(this.store.state.areas || []));
    this.store.on("map", () => this.view.setFocus(this.focus)); // its scale needs the map's tiles
  }

  _update(areas) {
    this.websites.update(areas);
    this._sounds(areas);
    const rect = focusRect(areas.find((area) => area.focus));
    if (JSON.stringify(rect) !== JSON.stringify(this.focus)) {
      this.focus = rect;
      this.view.setFocus(rect);
    }
    this._stage(areas.find((area) => area.stage && area.stage.role === "speaker") || areas.find((area) => area.stage));
  }

  // --- sounds ----------------------------------------------------------------------------------

  _sounds(areas) {
    // Relative URLs ("assets/…", a file shipped with the map) are relative to the map's URL.
    const mapUrl = new URL((this.store.state.world && this.store.state.world.map_url) || "/", location.origin);
    const wanted = new Set();
    for (const area of areas) {
      if (!area.sound) continue;
      let url;
      try {
        url = new URL(area.sound.url, mapUrl);
      } catch {
        continue;
      }
      if (url.protocol !== "https:" && url.protocol !== "http:") continue;
      let audio = this.sounds.get(url.href);
      if (!audio) {
        audio = h("audio", { class: "area-sound", preload: "auto", src: url.href });
        this.sounds.set(url.href, audio);
        this.player.append(audio);
      }
      audio.dataset.area = area.id;
      audio.loop = Boolean(area.sound.loop);
      audio.volume = Math.max(0, Math.min(1, Number(area.sound.volume ?? 1)));
      wanted.add(url.href);
    }
    for (const [href, audio] of this.sounds) {
      if (wanted.has(href)) continue;
      audio.pause(); // walked out: from the start next time
      audio.currentTime = 0;
    }
    this.wanted = wanted;
    this._play();
  }

  _play() {
    if (this.muted) return;
    for (const href of this.wanted) {
      const audio = this.sounds.get(href);
      if (!audio.paused) continue;
      audio.play().catch((error) => {
        if (error.name === "NotAllowedError") this._playAfterGesture(); // no key press or click yet
      });
    }
  }

  // Browsers let a page play sound only once the person has interacted with it.
  _playAfterGesture() {
    if (this.waiting) return;
    this.waiting = true;
    const events = ["pointerdown", "keydown"];
    const retry = () => {
      for (const type of events) window.removeEventListener(type, retry, { capture: true });
      this.waiting = false;
      this._play();
    };
    for (const type of events) window.addEventListener(type, retry, { capture: true });
  }

  mute(muted) {
    this.muted = muted;
    try {
      if (muted) localStorage.setItem(STORAGE_KEY, "off");
      else localStorage.removeItem(STORAGE_KEY);
    } catch {
      // storage refused (private mode): the choice holds for this page only
    }
    if (muted) for (const audio of this.sounds.values()) audio.pause();
    else this._play();
    this._showMuted();
  }

  _showMuted() {
    const button = this.soundsButton;
    button.setAttribute("aria-pressed", String(this.muted));
    button.textContent = this.muted ? gettext("Sounds off") : gettext("Sounds on");
    button.title = gettext("Turn the sounds of places on the map on or off");
  }

  // --- stages ----------------------------------------------------------------------------------

  _stage(area) {
    const stage = area && area.stage;
    this.badge.hidden = !stage;
    if (!stage) this.badge.textContent = "";
    else if (stage.role === "speaker") this.badge.textContent = gettext("On stage: %(name)s", { name: stage.name });
    else this.badge.textContent = gettext("In the audience of %(name)s", { name: stage.name });
  }
}

function remembered() {
  try {
    return localStorage.getItem(STORAGE_KEY) || "";
  } catch {
    return "";
  }
}
