// Our own avatar: keyboard and click-to-walk input, client-side prediction with collision, and
// the decision of when to tell the server (docs/protocol.md, `move`).
//
// The server accepts a position when the point is on a walkable tile and the straight line from
// the last accepted position crosses no blocked tile. Locally the avatar is a small box around
// its feet that may not enter a blocked tile, which is stricter, so every predicted position is
// one the server accepts; when a turn would make the line from the last sent position clip a
// corner, the position before the turn is sent first.

import { findPath, nearestWalkable, simplify } from "./pathfinding.js";

const HALF_WIDTH = 0.3; // tiles, the feet box around (x, y)
const HALF_HEIGHT = 0.2;
const EDGE = 1e-3;
const SEND_EVERY_MS = 100; // while walking, about ten moves a second
const MIN_GAP_MS = 55; // never more than ~18 a second (the server accepts 20)
const MAX_STEP_S = 0.1; // a long frame (tab in the background) does not teleport the avatar
const ARRIVED = 0.05;

const KEYS = {
  ArrowUp: "up", KeyW: "up",
  ArrowDown: "down", KeyS: "down",
  ArrowLeft: "left", KeyA: "left",
  ArrowRight: "right", KeyD: "right",
};

export function directionOfKey(code) {
  return KEYS[code] || null;
}

function boxIsFree(map, x, y) {
  const left = Math.floor(x - HALF_WIDTH);
  const right = Math.floor(x + HALF_WIDTH);
  const top = Math.floor(y - HALF_HEIGHT);
  const bottom = Math.floor(y + HALF_HEIGHT);
  for (let ty = top; ty <= bottom; ty += 1) {
    for (let tx = left; tx <= right; tx += 1) if (map.isBlocked(tx, ty)) return false;
  }
  return true;
}

// Move along one axis as far as the box may go. A box that already overlaps a wall (a saved
// position from before the map changed) may still move, as long as the point stays walkable.
function slide(map, x, y, dx, dy) {
  let nx = x + dx;
  let ny = y + dy;
  if (boxIsFree(map, nx, ny)) return [nx, ny];
  if (dx > 0) nx = Math.max(x, Math.floor(nx + HALF_WIDTH) - HALF_WIDTH - EDGE);
  if (dx < 0) nx = Math.min(x, Math.floor(nx - HALF_WIDTH) + 1 + HALF_WIDTH + EDGE);
  if (dy > 0) ny = Math.max(y, Math.floor(ny + HALF_HEIGHT) - HALF_HEIGHT - EDGE);
  if (dy < 0) ny = Math.min(y, Math.floor(ny - HALF_HEIGHT) + 1 + HALF_HEIGHT + EDGE);
  if (boxIsFree(map, nx, ny) || (!boxIsFree(map, x, y) && map.isWalkable(nx, ny))) return [nx, ny];
  return [x, y];
}

function facing(vx, vy, current) {
  if (!vx && !vy) return current;
  if (Math.abs(vx) > Math.abs(vy) + 1e-9) return vx > 0 ? "right" : "left";
  return vy > 0 ? "down" : "up";
}

export class LocalPlayer {
  // send(move) is called with {x, y, dir, moving} when the server should hear about it.
  constructor({ send }) {
    this.send = send;
    this.held = []; // directions of keys held, the most recent last
    this.path = []; // waypoints (tile centres) still to walk to
    this.target = null; // the clicked tile, for drawing a marker
    this.lastSent = null; // {x, y, dir, moving, at}
    this.pending = false; // something changed that must still be sent
    this.onSteer = null; // called when the person walks with the keys (following stops then)
  }

  press(direction) {
    this.held = this.held.filter((held) => held !== direction);
    this.held.push(direction);
    this.path = [];
    this.target = null;
    if (this.onSteer) this.onSteer();
  }

  release(direction) {
    this.held = this.held.filter((held) => held !== direction);
  }

  releaseAll() {
    this.held = [];
  }

  // Walk to a tile along a path around walls; false if there is no way there.
  walkTo(map, me, tx, ty) {
    const goal = nearestWalkable(map, tx, ty);
    if (!goal) return false;
    const start = [Math.floor(me.x), Math.floor(me.y)];
    const tiles = findPath(map, start, goal);
    if (!tiles) return false;
    const waypoints = simplify(tiles).map(([x, y]) => ({ x: x + 0.5, y: y + 0.5 }));
    if (waypoints.length > 1) waypoints.shift(); // the tile we stand on: head for the next one
    this.path = waypoints;
    this.target = { x: goal[0], y: goal[1] };
    return true;
  }

  stop() {
    this.path = [];
    this.target = null;
    this.held = [];
  }

  // The server put us back somewhere: believe it.
  correct(me, { x, y, dir }) {
    me.x = x;
    me.y = y;
    if (dir) me.dir = dir;
    me.moving = false;
    this.stop();
    this.lastSent = { x, y, dir: me.dir, moving: false, at: performance.now() };
    this.pending = false;
  }

  // Where we start from after a (re)connect.
  reset(me) {
    this.stop();
    this.lastSent = { x: me.x, y: me.y, dir: me.dir, moving: false, at: 0 };
    this.pending = false;
  }

  velocity(me) {
    if (this.held.length) {
      let vx = 0;
      let vy = 0;
      for (const direction of this.held) {
        if (direction === "left") vx = -1;
        if (direction === "right") vx = 1;
        if (direction === "up") vy = -1;
        if (direction === "down") vy = 1;
      }
      // The most recent of two opposite keys wins.
      const last = this.held[this.held.length - 1];
      if (last === "left" || last === "right") vx = last === "left" ? -1 : 1;
      if (last === "up" || last === "down") vy = last === "up" ? -1 : 1;
      const length = Math.hypot(vx, vy);
      return length ? [vx / length, vy / length] : [0, 0];
    }
    while (this.path.length) {
      const next = this.path[0];
      const dx = next.x - me.x;
      const dy = next.y - me.y;
      const distance = Math.hypot(dx, dy);
      if (distance > ARRIVED) return [dx / distance, dy / distance, distance];
      this.path.shift();
    }
    this.target = null;
    return [0, 0];
  }

  // Advance by dt seconds; returns true when the avatar moved.
  step(map, me, speed, dt, now = performance.now()) {
    const [vx, vy, remaining] = this.velocity(me);
    const wasMoving = me.moving;
    let moved = false;
    if (vx || vy) {
      let distance = speed * Math.min(dt, MAX_STEP_S);
      if (remaining !== undefined) distance = Math.min(distance, remaining);
      let [x, y] = slide(map, me.x, me.y, vx * distance, 0);
      [x, y] = slide(map, x, y, 0, vy * distance);
      moved = x !== me.x || y !== me.y;
      if (!moved && remaining !== undefined) this.path = []; // something is in the way: give up
      const dir = facing(vx, vy, me.dir);
      if (dir !== me.dir) this.pending = true;
      if (moved && this.lastSent && !map.pathIsClear(this.lastSent.x, this.lastSent.y, x, y)) {
        this._send(me, now, true); // where we were, so the server sees no wall crossed
      }
      me.x = x;
      me.y = y;
      me.dir = dir;
    }
    me.moving = moved;
    if (me.moving !== wasMoving) this.pending = true;
    this.maybeSend(me, now);
    return moved;
  }

  maybeSend(me, now) {
    const last = this.lastSent;
    if (!last) return;
    const since = now - last.at;
    const changed = this.pending || me.moving !== last.moving || me.dir !== last.dir;
    const due = me.moving && since >= SEND_EVERY_MS && (me.x !== last.x || me.y !== last.y);
    if ((changed && since >= MIN_GAP_MS) || due) this._send(me, now);
  }

  _send(me, now, force = false) {
    const move = { x: round(me.x), y: round(me.y), dir: me.dir, moving: me.moving };
    if (this.send(move, force) !== false) {
      this.lastSent = { ...move, at: now };
      this.pending = false;
    }
  }
}

function round(value) {
  return Math.round(value * 1000) / 1000;
}
