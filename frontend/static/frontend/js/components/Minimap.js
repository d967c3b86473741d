// The minimap: the whole world small, in a corner of the stage: its walls and floors, everyone in
// view as dots (us in our colour), and the part the screen shows. A click looks at that place
// for a few seconds (WorldView.showSpot); the button folds it away.

import { gettext } from "../lib/i18n.js";

const SIZE = 160; // CSS pixels, the longer side
const REDRAW_MS = 250;

export class Minimap {
  constructor({ root, toggle, store, view }) {
    Object.assign(this, { root, toggle, store, view });
    this.canvas = document.createElement("canvas");
    this.canvas.className = "minimap-canvas";
    this.canvas.setAttribute("role", "img");
    this.canvas.setAttribute("aria-label", gettext("Map of the whole world; click a place to look at it"));
    this.canvas.title = gettext("Click a place to look at it");
    this.root.append(this.canvas);
    this.background = null; // the map drawn small once, for each map
  }

  start() {
    if (matchMedia("(max-width: 700px)").matches) this._show(false); // a phone's screen is small
    this.toggle.addEventListener("click", () => this._show(this.root.hidden));
    this.canvas.addEventListener("click", (event) => this._click(event));
    this.store.on("map", () => (this.background = null));
    setInterval(() => this.draw(), REDRAW_MS);
  }

  _show(open) {
    this.root.hidden = !open;
    this.toggle.setAttribute("aria-expanded", String(open));
  }

  draw() {
    const { map, me, players } = this.store.state;
    if (this.root.hidden || !map || !me) return;
    const ratio = devicePixelRatio || 1;
    const scale = SIZE / Math.max(map.pixelWidth, map.pixelHeight); // CSS pixels per map pixel
    const width = Math.round(map.pixelWidth * scale);
    const height = Math.round(map.pixelHeight * scale);
    if (this.canvas.width !== Math.round(width * ratio)) {
      this.canvas.width = Math.round(width * ratio);
      this.canvas.height = Math.round(height * ratio);
      this.canvas.style.width = `${width}px`;
      this.canvas.style.height = `${height}px`;
      this.background = null;
    }
    const ctx = this.canvas.getContext("2d");
    const pixels = scale * ratio; // device pixels per map pixel
    if (!this.background) this.background = this._background(map, pixels);
    ctx.drawImage(this.background, 0, 0);
    const dot = (player, colour, radius) => {
      ctx.fillStyle = colour;
      ctx.beginPath();
      ctx.arc(player.x * map.tileWidth * pixels, player.y * map.tileHeight * pixels, radius * ratio, 0, Math.PI * 2);
      ctx.fill();
    };
    for (const player of players.values()) dot(player, "#f4f1ea", 1.8);
    dot(me, "#ffd60a", 3);
    const { camera, canvas, scale: viewScale } = this.view;
    ctx.strokeStyle = "rgba(255, 255, 255, 0.8)";
    ctx.lineWidth = ratio;
    const factor = pixels / viewScale;
    ctx.strokeRect(camera.x * factor, camera.y * factor, canvas.width * factor, canvas.height * factor);
  }

  _background(map, pixels) {
    const image = document.createElement("canvas");
    image.width = this.canvas.width;
    image.height = this.canvas.height;
    const ctx = image.getContext("2d");
    ctx.fillStyle = map.background;
    ctx.fillRect(0, 0, image.width, image.height);
    ctx.imageSmoothingEnabled = true;
    for (const chunk of [...map.below, ...map.above]) {
      ctx.drawImage(chunk.canvas, chunk.x * pixels, chunk.y * pixels, chunk.width * pixels, chunk.height * pixels);
    }
    return image;
  }

  _click(event) {
    const { map } = this.store.state;
    if (!map) return;
    const rect = this.canvas.getBoundingClientRect();
    const x = ((event.clientX - rect.left) / rect.width) * map.width;
    const y = ((event.clientY - rect.top) / rect.height) * map.height;
    this.view.showSpot(x, y, []);
  }
}
