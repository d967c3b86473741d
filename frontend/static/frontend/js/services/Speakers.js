// Where the page's sound comes out: the speaker (audio output) chosen in Me, where the browser can
// choose (HTMLMediaElement.setSinkId: Chromium, recent Firefox; not Safari). The choice is
// remembered in localStorage and applied to every audio and video element on the page, those
// added later too (the call tiles, the meeting's mix).

const STORAGE_KEY = "metaverse.speaker";
const MEDIA = "audio, video";

export class Speakers {
  constructor() {
    this.supported = typeof HTMLMediaElement !== "undefined" && "setSinkId" in HTMLMediaElement.prototype &&
      Boolean(navigator.mediaDevices && navigator.mediaDevices.enumerateDevices);
    this.id = this.supported ? remembered() : ""; // "": the system's default output
    this.observer = null;
  }

  start() {
    if (!this.supported || this.observer) return;
    this.observer = new MutationObserver((records) => {
      for (const record of records) {
        for (const node of record.addedNodes) {
          if (node.nodeType !== Node.ELEMENT_NODE) continue;
          if (node.matches(MEDIA)) this._apply(node);
          for (const element of node.querySelectorAll(MEDIA)) this._apply(element);
        }
      }
    });
    this.observer.observe(document.body, { childList: true, subtree: true });
    this._applyAll();
  }

  // The outputs the browser names ({id, label}); without the camera and microphone allowed, most
  // browsers name none but the default.
  async list() {
    if (!this.supported) return [];
    const devices = await navigator.mediaDevices.enumerateDevices();
    return devices
      .filter((device) => device.kind === "audiooutput" && device.deviceId && device.deviceId !== "default")
      .map((device) => ({ id: device.deviceId, label: device.label }));
  }

  use(id) {
    this.id = id;
    try {
      if (id) localStorage.setItem(STORAGE_KEY, id);
      else localStorage.removeItem(STORAGE_KEY);
    } catch {
      // storage refused (private mode): the choice holds for this page only
    }
    return this._applyAll();
  }

  _applyAll() {
    return Promise.all([...document.querySelectorAll(MEDIA)].map((element) => this._apply(element)));
  }

  _apply(element) {
    if (element.sinkId === this.id) return Promise.resolve();
    // A speaker unplugged since: the element plays on the default output.
    return element.setSinkId(this.id).catch(() => {});
  }
}

function remembered() {
  try {
    return localStorage.getItem(STORAGE_KEY) || "";
  } catch {
    return "";
  }
}
