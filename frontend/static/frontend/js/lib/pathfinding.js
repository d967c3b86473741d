// A* over the walkable tiles: eight directions, never cutting a wall's corner, so that an
// avatar following the path never brushes a blocked tile.

const SQRT2 = Math.SQRT2;
const STEPS = [
  [1, 0, 1], [-1, 0, 1], [0, 1, 1], [0, -1, 1],
  [1, 1, SQRT2], [1, -1, SQRT2], [-1, 1, SQRT2], [-1, -1, SQRT2],
];

class Heap {
  constructor() {
    this.items = [];
  }

  get size() {
    return this.items.length;
  }

  push(node, priority) {
    const items = this.items;
    items.push([priority, node]);
    let index = items.length - 1;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (items[parent][0] <= items[index][0]) break;
      [items[parent], items[index]] = [items[index], items[parent]];
      index = parent;
    }
  }

  pop() {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length) {
      items[0] = last;
      let index = 0;
      for (;;) {
        const left = index * 2 + 1;
        const right = left + 1;
        let smallest = index;
        if (left < items.length && items[left][0] < items[smallest][0]) smallest = left;
        if (right < items.length && items[right][0] < items[smallest][0]) smallest = right;
        if (smallest === index) break;
        [items[smallest], items[index]] = [items[index], items[smallest]];
        index = smallest;
      }
    }
    return top[1];
  }
}

function octile(ax, ay, bx, by) {
  const dx = Math.abs(ax - bx);
  const dy = Math.abs(ay - by);
  return Math.max(dx, dy) + (SQRT2 - 1) * Math.min(dx, dy);
}

// The walkable tile nearest to (tx, ty) within `radius` tiles, or null: a click on a desk
// walks you up to the desk.
export function nearestWalkable(map, tx, ty, radius = 3) {
  if (!map.isBlocked(tx, ty)) return [tx, ty];
  let best = null;
  let bestDistance = Infinity;
  for (let dy = -radius; dy <= radius; dy += 1) {
    for (let dx = -radius; dx <= radius; dx += 1) {
      const distance = dx * dx + dy * dy;
      if (distance < bestDistance && !map.isBlocked(tx + dx, ty + dy)) {
        best = [tx + dx, ty + dy];
        bestDistance = distance;
      }
    }
  }
  return best;
}

// The tiles from start to goal (both included), or null when there is no way there within
// `maxNodes` expansions.
export function findPath(map, [sx, sy], [gx, gy], { maxNodes = 40000 } = {}) {
  if (map.isBlocked(gx, gy)) return null;
  const width = map.width;
  const start = sy * width + sx;
  const goal = gy * width + gx;
  if (start === goal) return [[sx, sy]];
  const cost = new Map([[start, 0]]);
  const cameFrom = new Map();
  const open = new Heap();
  open.push(start, octile(sx, sy, gx, gy));
  let expanded = 0;
  while (open.size && expanded < maxNodes) {
    const current = open.pop();
    if (current === goal) break;
    expanded += 1;
    const cx = current % width;
    const cy = (current - cx) / width;
    const base = cost.get(current);
    for (const [dx, dy, stepCost] of STEPS) {
      const nx = cx + dx;
      const ny = cy + dy;
      if (map.isBlocked(nx, ny)) continue;
      if (dx && dy && (map.isBlocked(cx + dx, cy) || map.isBlocked(cx, cy + dy))) continue;
      const next = ny * width + nx;
      const nextCost = base + stepCost;
      if (nextCost < (cost.get(next) ?? Infinity)) {
        cost.set(next, nextCost);
        cameFrom.set(next, current);
        open.push(next, nextCost + octile(nx, ny, gx, gy));
      }
    }
  }
  if (!cameFrom.has(goal)) return null;
  const path = [];
  for (let node = goal; node !== undefined; node = cameFrom.get(node)) path.push([node % width, Math.floor(node / width)]);
  return path.reverse();
}

// Drop the tiles in the middle of straight runs: fewer turns, fewer `move` messages.
export function simplify(path) {
  if (path.length < 3) return path.slice();
  const kept = [path[0]];
  for (let index = 1; index < path.length - 1; index += 1) {
    const [px, py] = kept[kept.length - 1];
    const [x, y] = path[index];
    const [nx, ny] = path[index + 1];
    const same = Math.sign(x - px) === Math.sign(nx - x) && Math.sign(y - py) === Math.sign(ny - y);
    if (!same) kept.push(path[index]);
  }
  kept.push(path[path.length - 1]);
  return kept;
}
