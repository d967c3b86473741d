// The world on a <canvas>: the map (pre-rendered, lib/tiled.js), the avatars on the floor
// layer, name tags with status dots; a camera that follows us; keyboard, click and tap input.
//
// Crisp pixels: the canvas has one pixel per device pixel, every map pixel is drawn as a whole
// number of device pixels (`scale`) at whole-pixel offsets, and smoothing is off.

import { Bubbles, drawBubble, drawEmote } from "../lib/bubbles.js";
import { callGroup, drawCallArea } from "../lib/callarea.js";
import { framingCentre, framingScale } from "../lib/focus.js";
import { gettext } from "../lib/i18n.js";
import { directionOfKey } from "../lib/movement.js";

const FRAME = 32; // avatar sprite sheets: 3 walk frames x 4 directions of 32x32
const FEET = 30; // where the feet are in a frame, from its top
const WALK_CYCLE = [0, 1, 0, 2];
const SPOT_MS = 5000; // how long a located person is looked at and marked
const WHEEL_STEP = 100; // wheel delta (pixels) per zoom step
const STEP_MS = 140;
const ROWS = { down: 0, left: 1, right: 2, up: 3 };
const STATUS_COLOURS = { available: "#35b26b", busy: "#f0a020", dnd: "#d9413b", away: "#9aa3ab" };
const ZONE_BANNER_MS = 2600;
const STATS_FRAMES = 240;

function isTyping(target) {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName);
}

export class WorldView {
  constructor({ canvas, store, world, banner, zoneLabel }) {
    this.canvas = canvas;
    this.ctx = canvas.getContext("2d", { alpha: false });
    this.store = store;
    this.world = world;
    this.banner = banner;
    this.zoneLabel = zoneLabel;
    this.sprites = new Map(); // avatar_url -> Image (drawn once loaded)
    this.zoom = 0; // steps the user zoomed in (+) or out (-)
    this.scale = 2;
    this.camera = { x: 0, y: 0 };
    this.spot = null; // {x, y, until, path}: a place we were shown (Locate): looked at, marked
    this.focus = null; // {left, top, right, bottom} in tiles: an area the camera frames (setFocus)
    this.coveredTop = () => 0; // CSS pixels at the top the call dock covers (main.js sets it)
    this.coveredBottom = () => 0; // CSS pixels at the bottom a sheet covers (the chat on a phone)
    this.callArea = { members: [], scratch: document.createElement("canvas") }; // the call's bubble
    this.bubbles = new Bubbles(); // what people nearby just said, over their heads
    this.last = 0;
    this.intervals = new Float32Array(STATS_FRAMES);
    this.drawTimes = new Float32Array(STATS_FRAMES);
    this.frames = 0;
    this.sorted = [];
    this.tags = new WeakMap(); // player -> their name tag, drawn again when its key changes
    this.stats = { frames: 0, fps: 0, frameMs: { mean: 0, p95: 0 }, drawMs: 0, scale: this.scale, inView: 0 };
  }

  // The frame rate over the last STATS_FRAMES frames, and how many avatars were in view.
  frameStats() {
    const spot = this.spot && performance.now() < this.spot.until ? { x: this.spot.x, y: this.spot.y } : null;
    return { ...this.stats, frameMs: { ...this.stats.frameMs }, scale: this.scale, zoom: this.zoom, spot };
  }

  start() {
    new ResizeObserver(() => this.resize()).observe(this.canvas);
    this._watchPixelRatio();
    this.resize();
    window.addEventListener("keydown", (event) => this._keydown(event));
    window.addEventListener("keyup", (event) => this._keyup(event));
    window.addEventListener("blur", () => this.world.local.releaseAll());
    this.canvas.addEventListener("click", (event) => this._click(event));
    this.canvas.addEventListener("wheel", (event) => this._wheel(event), { passive: false });
    for (const type of ["touchstart", "touchmove"]) {
      this.canvas.addEventListener(type, (event) => this._pinch(event), { passive: false });
    }
    this.store.on("zone", ({ entered }) => this._zone(entered));
    this.store.on("chat", (detail) => this._said(detail || {}));
    requestAnimationFrame((now) => this._frame(now));
  }

  // --- sizing ------------------------------------------------------------------------------

  _watchPixelRatio() {
    const query = matchMedia(`(resolution: ${devicePixelRatio}dppx)`);
    query.addEventListener("change", () => {
      this.resize();
      this._watchPixelRatio();
    }, { once: true });
  }

  resize() {
    const ratio = devicePixelRatio || 1;
    const rect = this.canvas.getBoundingClientRect();
    const width = Math.max(1, Math.round(rect.width * ratio));
    const height = Math.max(1, Math.round(rect.height * ratio));
    if (this.canvas.width !== width || this.canvas.height !== height) {
      this.canvas.width = width;
      this.canvas.height = height;
    }
    // About 2 CSS pixels per map pixel on a desktop, 1.25 on a phone; always whole device pixels.
    const cssZoom = Math.min(rect.width, rect.height) >= 560 ? 2 : 1.25;
    const framed = framingScale(this.focus, this.store.state.map, width, height); // the whole area fits
    this.scale = framed || Math.max(1, Math.min(12, Math.round(cssZoom * ratio) + this.zoom));
    this.ratio = ratio;
    this.ctx.imageSmoothingEnabled = false;
  }

  // --- input -------------------------------------------------------------------------------

  _keydown(event) {
    if (event.ctrlKey || event.metaKey || event.altKey || isTyping(event.target)) return;
    if (document.querySelector("dialog[open]")) return;
    const direction = directionOfKey(event.code);
    if (direction) {
      event.preventDefault();
      if (!event.repeat) this.world.local.press(direction);
      return;
    }
    if (event.key === "+" || event.key === "=" || event.key === "-") this.zoomBy(event.key === "-" ? -1 : 1);
  }

  // Zoom in (+1) or out (-1) a step: keys + and -, the zoom buttons, the wheel, a pinch.
  zoomBy(step) {
    const zoom = Math.max(-4, Math.min(6, this.zoom + step));
    if (zoom === this.zoom) return;
    this.zoom = zoom;
    this.resize();
  }

  _wheel(event) {
    event.preventDefault();
    this.wheeled = (this.wheeled || 0) + event.deltaY;
    if (Math.abs(this.wheeled) < WHEEL_STEP) return;
    this.zoomBy(this.wheeled < 0 ? 1 : -1);
    this.wheeled = 0;
  }

  // Two fingers apart or together: zoom a step each time their distance changes by a third.
  _pinch(event) {
    if (event.touches.length !== 2) {
      this.pinched = null;
      return;
    }
    const [a, b] = event.touches;
    const distance = Math.hypot(a.clientX - b.clientX, a.clientY - b.clientY);
    if (event.type === "touchstart" || !this.pinched) {
      this.pinched = distance;
      return;
    }
    event.preventDefault();
    if (distance > this.pinched * 1.33 || distance < this.pinched / 1.33) {
      this.zoomBy(distance > this.pinched ? 1 : -1);
      this.pinched = distance;
    }
  }

  _keyup(event) {
    const direction = directionOfKey(event.code);
    if (direction) this.world.local.release(direction);
  }

  // The tile under a point of the page, in map tiles.
  tileAt(clientX, clientY) {
    const map = this.store.state.map;
    if (!map) return null;
    const rect = this.canvas.getBoundingClientRect();
    const x = ((clientX - rect.left) * (this.canvas.width / rect.width) + this.camera.x) / this.scale;
    const y = ((clientY - rect.top) * (this.canvas.height / rect.height) + this.camera.y) / this.scale;
    return [Math.floor(x / map.tileWidth), Math.floor(y / map.tileHeight)];
  }

  // Where a tile's centre is on the page (the inverse of tileAt), or null when off screen.
  pointOfTile(tx, ty) {
    const map = this.store.state.map;
    if (!map) return null;
    const rect = this.canvas.getBoundingClientRect();
    const ratio = this.canvas.width / rect.width;
    const x = rect.left + (((tx + 0.5) * map.tileWidth * this.scale - this.camera.x) / ratio);
    const y = rect.top + (((ty + 0.5) * map.tileHeight * this.scale - this.camera.y) / ratio);
    const inside = x >= rect.left && y >= rect.top && x < rect.right && y < rect.bottom;
    return inside ? { x, y } : null;
  }

  _click(event) {
    const tile = this.tileAt(event.clientX, event.clientY);
    if (tile) this.world.walkTo(tile[0], tile[1]);
  }

  // --- zones -------------------------------------------------------------------------------

  _zone(entered) {
    const zone = this.store.state.zone;
    this.zoneLabel.textContent = zone ? zone.name : "";
    if (!entered || !zone) return;
    const hint = { meeting: gettext("Meeting room: everyone here is in one call"), silent: gettext("Silent zone: no calls here") };
    this.banner.replaceChildren(Object.assign(document.createElement("strong"), { textContent: zone.name }));
    if (hint[zone.kind]) this.banner.append(Object.assign(document.createElement("span"), { textContent: hint[zone.kind] }));
    this.banner.classList.add("shown");
    clearTimeout(this.bannerTimer);
    this.bannerTimer = setTimeout(() => this.banner.classList.remove("shown"), ZONE_BANNER_MS);
  }

  // --- the frame ---------------------------------------------------------------------------

  _frame(now) {
    requestAnimationFrame((next) => this._frame(next));
    const dt = this.last ? (now - this.last) / 1000 : 0;
    if (this.last) this.intervals[this.frames % STATS_FRAMES] = now - this.last;
    this.last = now;
    this.world.frame(dt, now);
    const started = performance.now();
    this.draw(now);
    this.drawTimes[this.frames % STATS_FRAMES] = performance.now() - started;
    this.frames += 1;
    if (this.frames % 30 === 0) this._stats();
  }

  _stats() {
    const count = Math.min(this.frames - 1, STATS_FRAMES);
    if (count < 2) return;
    const intervals = Array.from(this.intervals.slice(0, count)).sort((a, b) => a - b);
    const mean = intervals.reduce((sum, value) => sum + value, 0) / count;
    const draws = this.drawTimes.slice(0, count);
    const stats = this.stats;
    stats.frames = this.frames;
    stats.fps = Math.round((1000 / mean) * 10) / 10;
    stats.frameMs = { mean: round2(mean), p95: round2(intervals[Math.floor(count * 0.95)]) };
    stats.drawMs = round2(draws.reduce((sum, value) => sum + value, 0) / count);
    stats.scale = this.scale;
    stats.inView = this.inView || 0;
  }

  draw(now) {
    const { ctx, canvas } = this;
    const state = this.store.state;
    const map = state.map;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.imageSmoothingEnabled = false;
    ctx.fillStyle = map ? map.background : "#1d2228";
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    if (!map || !state.me) return;
    this._follow(map, this.spot && now < this.spot.until ? this.spot : this._framed(map) || state.me);
    this._drawChunks(map.below);
    this._visible(map, now);
    this._drawCallArea(map);
    this._drawTarget(map);
    this._drawSpot(map, now);
    this._drawAvatars(map, now);
    this._drawChunks(map.above);
    this._drawTags(map, now);
  }

  // A nearby message shows over its sender's head (ours too); hidden or blocked, it goes.
  _said({ message, hidden, blocked }) {
    if (hidden !== undefined || blocked !== undefined) this.bubbles.forget({ message: hidden, sender: blocked });
    if (message && message.scope === "nearby" && message.sender && !message.pending) {
      this.bubbles.add(message.sender.id, message);
    }
  }

  _follow(map, me) {
    const scale = this.scale;
    const viewWidth = this.canvas.width / scale;
    const viewHeight = this.canvas.height / scale;
    const centreX = me.x * map.tileWidth;
    const centreY = me.y * map.tileHeight - FRAME / 2;
    // What the call dock covers at the top and a sheet (the chat on a phone) at the bottom, in map
    // pixels: we are centred in the rest, and near the map's edges the view may go past them
    // rather than leave us under either.
    const toMap = (css) => (Math.max(0, css) * this.ratio) / scale;
    const above = Math.min(viewHeight / 2, toMap(this.coveredTop()));
    const below = Math.min(Math.max(0, viewHeight - above - FRAME * 1.5), toMap(this.coveredBottom()));
    const fit = (value, view, size, before = 0, after = 0) => {
      const open = view - before - after;
      return size <= open ? (size - open) / 2 - before : Math.max(-before, Math.min(size - view + after, value));
    };
    this.camera.x = Math.round(fit(centreX - viewWidth / 2, viewWidth, map.pixelWidth) * scale);
    const open = viewHeight - above - below;
    this.camera.y = Math.round(fit(centreY - above - open / 2, viewHeight, map.pixelHeight, above, below) * scale);
  }

  _drawChunks(chunks) {
    const { ctx, canvas, scale } = this;
    const { x: left, y: top } = this.camera;
    for (const chunk of chunks) {
      const x = chunk.x * scale - left;
      const y = chunk.y * scale - top;
      const width = chunk.width * scale;
      const height = chunk.height * scale;
      if (x >= canvas.width || y >= canvas.height || x + width <= 0 || y + height <= 0) continue;
      ctx.drawImage(chunk.canvas, x, y, width, height);
    }
  }

  // Frame a rectangle of the map (an area's focus, lib/focus.js) instead of following us; null:
  // follow us again, at the zoom we had.
  setFocus(rect) {
    this.focus = rect;
    this.resize();
  }

  // The point _follow centres on while framing (it centres on an avatar's middle, FRAME/2 up).
  _framed(map) {
    if (!this.focus) return null;
    const { x, y } = framingCentre(this.focus);
    return { x, y: y + FRAME / 2 / map.tileHeight };
  }

  // Look at a place for a few seconds, marked, with the way there from us (Locate).
  showSpot(x, y, path, ms = SPOT_MS) {
    this.spot = { x, y, path: path || [], until: performance.now() + ms };
  }

  _drawSpot(map, now) {
    const spot = this.spot;
    if (!spot || now >= spot.until) return;
    const { ctx, scale } = this;
    const at = (tx, ty) => [tx * map.tileWidth * scale - this.camera.x, ty * map.tileHeight * scale - this.camera.y];
    ctx.save();
    ctx.strokeStyle = "rgba(255, 214, 10, 0.9)";
    ctx.lineWidth = Math.max(2, scale * 1.5);
    ctx.setLineDash([4 * scale, 3 * scale]);
    if (spot.path.length > 1) {
      ctx.beginPath();
      spot.path.forEach(([tx, ty], index) => {
        const [px, py] = at(tx + 0.5, ty + 0.5);
        if (index) ctx.lineTo(px, py);
        else ctx.moveTo(px, py);
      });
      ctx.stroke();
    }
    ctx.setLineDash([]);
    const [sx, sy] = at(spot.x, spot.y);
    const pulse = 1 + 0.15 * Math.sin(now / 150);
    ctx.beginPath();
    ctx.arc(sx, sy - 8 * scale, 14 * scale * pulse, 0, Math.PI * 2);
    ctx.stroke();
    ctx.restore();
  }

  _drawTarget(map) {
    const target = this.world.local.target;
    if (!target) return;
    const { ctx, scale } = this;
    const x = target.x * map.tileWidth * scale - this.camera.x;
    const y = target.y * map.tileHeight * scale - this.camera.y;
    ctx.strokeStyle = "rgba(255, 255, 255, 0.85)";
    ctx.lineWidth = Math.max(1, scale);
    ctx.strokeRect(x + scale, y + scale, map.tileWidth * scale - 2 * scale, map.tileHeight * scale - 2 * scale);
  }

  _sprite(url) {
    let sprite = this.sprites.get(url);
    if (sprite === undefined) {
      sprite = new Image();
      sprite.ready = false;
      sprite.onload = () => (sprite.ready = true);
      sprite.src = url;
      this.sprites.set(url, sprite);
    }
    return sprite.ready ? sprite : null;
  }

  // Everyone in view, with where to draw them, sorted so that nearer (lower) avatars are on top.
  _visible(map, now) {
    const state = this.store.state;
    const { canvas, scale } = this;
    const margin = FRAME * scale * 2;
    const sorted = this.sorted;
    sorted.length = 0;
    this.world.placeForDrawing(now);
    sorted.push(state.me);
    for (const player of state.players.values()) {
      const x = player.rx * map.tileWidth * scale - this.camera.x;
      const y = player.ry * map.tileHeight * scale - this.camera.y;
      if (x < -margin || y < -margin || x > canvas.width + margin || y > canvas.height + margin) continue;
      sorted.push(player);
    }
    sorted.sort((a, b) => a.ry - b.ry || a.id - b.id);
    this.inView = sorted.length - 1;
    return sorted;
  }

  // The call's bubble under the avatars: us and whoever we are in a call with (lib/callarea.js).
  _drawCallArea(map) {
    const { scale } = this;
    const group = callGroup(this.store.state);
    const points = group.map((player) => ({
      x: player.rx * map.tileWidth * scale - this.camera.x,
      y: (player.ry * map.tileHeight - FRAME / 3) * scale - this.camera.y,
    }));
    const radius = map.tileWidth * 0.85 * scale;
    const drawn = drawCallArea(this.ctx, points, radius, Math.max(2, Math.round(scale)), this.callArea.scratch);
    this.callArea.members = drawn ? group.map((player) => player.id) : [];
  }

  _drawAvatars(map, now) {
    const { ctx, scale } = this;
    for (const player of this.sorted) {
      const feetX = Math.round(player.rx * map.tileWidth * scale) - this.camera.x;
      const feetY = Math.round(player.ry * map.tileHeight * scale) - this.camera.y;
      const x = feetX - (FRAME / 2) * scale;
      const y = feetY - FEET * scale;
      const sprite = player.avatar_url ? this._sprite(player.avatar_url) : null;
      if (!sprite) {
        ctx.fillStyle = "#6b7780";
        ctx.beginPath();
        ctx.arc(feetX, feetY - 10 * scale, 8 * scale, 0, Math.PI * 2);
        ctx.fill();
        continue;
      }
      const walking = player.moving || player.gliding;
      const column = walking ? WALK_CYCLE[Math.floor((now + player.id * 97) / STEP_MS) % 4] : 0;
      const row = ROWS[player.dir] ?? 0;
      ctx.drawImage(sprite, column * FRAME, row * FRAME, FRAME, FRAME, x, y, FRAME * scale, FRAME * scale);
    }
  }

  // Name tags are drawn at the screen's resolution (not the map's), over everything.
  _drawTags(map, now) {
    const { ctx, scale } = this;
    const me = this.store.state.me;
    for (const player of this.sorted) {
      const tag = this._tag(player, player === me);
      const feetX = Math.round(player.rx * map.tileWidth * scale) - this.camera.x;
      const top = Math.round(player.ry * map.tileHeight * scale) - this.camera.y - FEET * scale;
      const tagTop = Math.round(top - tag.height - 2 * this.ratio);
      ctx.drawImage(tag, Math.round(feetX - tag.width / 2), tagTop);
      const bubble = this.bubbles.of(player.id, now);
      let above = tagTop - 2 * this.ratio;
      if (bubble) above = drawBubble(ctx, bubble, feetX, above, this.ratio);
      if (player.emote && now < player.emote.until) drawEmote(ctx, player.emote.name, feetX, above, this.ratio);
    }
  }

  // Who has a speech bubble over them now (for the browser tests and the curious).
  bubbleStatus(now = performance.now()) {
    return this.sorted.filter((player) => this.bubbles.of(player.id, now)).map((player) => ({
      id: player.id, text: this.bubbles.of(player.id, now).text,
    }));
  }

  // Who shows a reaction now, and which.
  emoteStatus(now = performance.now()) {
    return this.sorted.filter((player) => player.emote && now < player.emote.until).map((player) => ({
      id: player.id, emote: player.emote.name,
    }));
  }

  // What the last frame drew: which tile layers are under the avatars and which over them, who
  // is inside the call's bubble, where our avatar is on the page (CSS pixels), and which layers
  // have a tile drawn over it there.
  drawStatus() {
    const { map, me } = this.store.state;
    if (!map || !me || me.rx === undefined) return null;
    const { scale, camera } = this;
    const rect = this.canvas.getBoundingClientRect();
    const ratio = this.canvas.width / rect.width;
    const left = Math.round(me.rx * map.tileWidth * scale) - camera.x - (FRAME / 2) * scale;
    const top = Math.round(me.ry * map.tileHeight * scale) - camera.y - FEET * scale;
    const size = (FRAME * scale) / ratio;
    const avatar = { left: rect.left + left / ratio, top: rect.top + top / ratio };
    Object.assign(avatar, { right: avatar.left + size, bottom: avatar.top + size });
    const covering = new Set();
    const [x, y] = [me.rx * map.tileWidth, me.ry * map.tileHeight];
    for (let ty = Math.floor((y - FEET) / map.tileHeight); ty * map.tileHeight < y - FEET + FRAME; ty += 1) {
      for (let tx = Math.floor((x - FRAME / 2) / map.tileWidth); tx * map.tileWidth < x + FRAME / 2; tx += 1) {
        for (const name of map.aboveAt(tx, ty)) covering.add(name);
      }
    }
    const layers = { below: [...map.layers.below], above: [...map.layers.above] };
    return { layers, callArea: [...this.callArea.members], me: avatar, over: [...covering] };
  }

  _tag(player, isMe) {
    const key = `${player.name}|${player.status}|${this.ratio}|${isMe}|${player.guest}`;
    const drawn = this.tags.get(player);
    if (drawn && drawn.key === key) return drawn;
    const ratio = this.ratio;
    const font = `600 ${Math.round(12 * ratio)}px system-ui, -apple-system, "Segoe UI", sans-serif`;
    const measure = document.createElement("canvas").getContext("2d");
    measure.font = font;
    const text = player.guest ? gettext("%(name)s · guest", { name: player.name || "…" }) : player.name || "…";
    const dot = Math.round(7 * ratio);
    const pad = Math.round(5 * ratio);
    const width = Math.ceil(measure.measureText(text).width) + dot + pad * 3;
    const height = Math.round(18 * ratio);
    const tag = document.createElement("canvas");
    tag.width = width;
    tag.height = height;
    const ctx = tag.getContext("2d");
    ctx.fillStyle = isMe ? "rgba(47, 125, 109, 0.9)" : "rgba(20, 24, 28, 0.72)";
    ctx.beginPath();
    ctx.roundRect(0, 0, width, height, height / 2);
    ctx.fill();
    ctx.fillStyle = STATUS_COLOURS[player.status] || STATUS_COLOURS.available;
    ctx.beginPath();
    ctx.arc(pad + dot / 2, height / 2, dot / 2, 0, Math.PI * 2);
    ctx.fill();
    ctx.font = font;
    ctx.fillStyle = "#fff";
    ctx.textBaseline = "middle";
    ctx.fillText(text, pad * 2 + dot, height / 2 + ratio);
    tag.key = key;
    this.tags.set(player, tag);
    return tag;
  }
}

function round2(value) {
  return Math.round(value * 100) / 100;
}
