// Speech bubbles over avatars: what someone nearby just said, for a few seconds; and reactions
// (emotes). Drawn on the world canvas at the screen's resolution, above the name tag; speech
// wrapped to a few short lines.

import { gettext } from "./i18n.js";

export const EMOTES = {
  wave: ["👋", gettext("Wave")], thumbs_up: ["👍", gettext("Thumbs up")], heart: ["❤️", gettext("Heart")],
  laugh: ["😂", gettext("Laugh")], raised_hand: ["✋", gettext("Raise hand")],
};

export const BUBBLE_MS = 6000;
const MAX_CHARS = 120;
const MAX_LINES = 3;

// Keeps who said what last, and until when.
export class Bubbles {
  constructor() {
    this.said = new Map(); // player id -> {text, until, message}
  }

  add(senderId, message, now = performance.now()) {
    const text = message.text.length > MAX_CHARS ? `${message.text.slice(0, MAX_CHARS - 1)}…` : message.text;
    this.said.set(senderId, { text, until: now + BUBBLE_MS, message: message.id, lines: null });
  }

  forget({ message, sender }) {
    for (const [id, bubble] of this.said) if (bubble.message === message || id === sender) this.said.delete(id);
  }

  of(playerId, now) {
    const bubble = this.said.get(playerId);
    if (!bubble) return null;
    if (now >= bubble.until) {
      this.said.delete(playerId);
      return null;
    }
    return bubble;
  }
}

// Draw `bubble` centred on x with its tail at `bottom` (screen pixels); `ratio`: device pixels.
export function drawBubble(ctx, bubble, x, bottom, ratio) {
  const size = Math.round(12 * ratio);
  const font = `${size}px system-ui, -apple-system, "Segoe UI", sans-serif`;
  ctx.save();
  ctx.font = font;
  if (!bubble.lines) bubble.lines = wrap(ctx, bubble.text, 180 * ratio);
  const pad = Math.round(6 * ratio);
  const lineHeight = Math.round(15 * ratio);
  const width = Math.ceil(Math.max(...bubble.lines.map((line) => ctx.measureText(line).width))) + pad * 2;
  const height = bubble.lines.length * lineHeight + pad * 2;
  const tail = Math.round(5 * ratio);
  const left = Math.round(x - width / 2);
  const top = Math.round(bottom - tail - height);
  ctx.fillStyle = "rgba(255, 255, 255, 0.95)";
  ctx.strokeStyle = "rgba(20, 24, 28, 0.35)";
  ctx.lineWidth = Math.max(1, ratio);
  ctx.beginPath();
  ctx.roundRect(left, top, width, height, Math.round(8 * ratio));
  ctx.moveTo(x - tail, top + height);
  ctx.lineTo(x, bottom);
  ctx.lineTo(x + tail, top + height);
  ctx.fill();
  ctx.stroke();
  ctx.fillStyle = "#1d2228";
  ctx.textBaseline = "top";
  bubble.lines.forEach((line, index) => ctx.fillText(line, left + pad, top + pad + index * lineHeight + ratio));
  ctx.restore();
  return top;
}

// A reaction: its emoji in a round badge, its bottom at `bottom`.
export function drawEmote(ctx, emote, x, bottom, ratio) {
  const [glyph] = EMOTES[emote] || ["?"];
  const radius = Math.round(13 * ratio);
  ctx.save();
  ctx.fillStyle = "rgba(255, 255, 255, 0.95)";
  ctx.beginPath();
  ctx.arc(x, bottom - radius - ratio, radius, 0, Math.PI * 2);
  ctx.fill();
  ctx.font = `${Math.round(16 * ratio)}px "Noto Color Emoji", "Apple Color Emoji", "Segoe UI Emoji", sans-serif`;
  ctx.textAlign = "center";
  ctx.textBaseline = "middle";
  ctx.fillText(glyph, x, bottom - radius);
  ctx.restore();
}

function wrap(ctx, text, maxWidth) {
  const lines = [];
  let line = "";
  for (const word of text.split(/\s+/)) {
    const next = line ? `${line} ${word}` : word;
    if (ctx.measureText(next).width <= maxWidth || !line) line = next;
    else {
      lines.push(line);
      line = word;
    }
  }
  if (line) lines.push(line);
  if (lines.length > MAX_LINES) return [...lines.slice(0, MAX_LINES - 1), `${lines[MAX_LINES - 1]}…`];
  return lines.map((item) => (ctx.measureText(item).width > maxWidth ? `${item.slice(0, 24)}…` : item));
}
