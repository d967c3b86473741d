// How loud a stream is right now, for the "speaking" indicator. One AudioContext for the page;
// browsers keep it suspended until the person has interacted with the page, so it is resumed
// on the first key press or click.

let context = null;

function audioContext() {
  if (!context && window.AudioContext) {
    context = new AudioContext();
    const resume = () => context.state === "suspended" && context.resume();
    for (const type of ["pointerdown", "keydown"]) window.addEventListener(type, resume, { capture: true });
  }
  return context;
}

export class LevelMeter {
  constructor(track) {
    const ctx = audioContext();
    this.analyser = null;
    if (!ctx || !track) return;
    this.source = ctx.createMediaStreamSource(new MediaStream([track]));
    this.analyser = ctx.createAnalyser();
    this.analyser.fftSize = 512;
    this.samples = new Float32Array(this.analyser.fftSize);
    this.source.connect(this.analyser);
  }

  // Root mean square of the last few milliseconds, 0 (silence) to 1.
  level() {
    if (!this.analyser) return 0;
    this.analyser.getFloatTimeDomainData(this.samples);
    let sum = 0;
    for (const sample of this.samples) sum += sample * sample;
    return Math.sqrt(sum / this.samples.length);
  }

  close() {
    if (this.source) this.source.disconnect();
    this.source = null;
    this.analyser = null;
  }
}

const SPEAKING_LEVEL = 0.02;
const HOLD_MS = 450;

// Speaking, with a short hold so the indicator does not flicker between words.
export class SpeakingDetector {
  constructor(track) {
    this.meter = new LevelMeter(track);
    this.until = 0;
  }

  speaking(now = performance.now()) {
    if (this.meter.level() > SPEAKING_LEVEL) this.until = now + HOLD_MS;
    return now < this.until;
  }

  close() {
    this.meter.close();
  }
}
