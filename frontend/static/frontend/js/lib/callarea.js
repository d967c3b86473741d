// The call's "bubble" on the map: a soft area around us and the people we are in a call with,
// drawn under the avatars (components/WorldView.js), so that whoever looks sees who talks together.
//
// The group is who the server put us in contact with (the world's `contacts`: proximity or the
// same meeting room) and whom the media server carries to us (`peers`); those in view are drawn.
// The area is one shape however they stand: a disc around each of them, and a band joining each
// to the nearest one already joined (a spanning tree), filled as a single path.

const FILL = "rgba(80, 200, 235, 0.2)";
const EDGE = "rgba(30, 150, 195, 0.8)";

// Who is in our call now and in view: us first, then the others by id; empty outside calls.
export function callGroup(state) {
  if (!state.me) return [];
  const ids = new Set([...state.contacts.keys(), ...state.peers.keys()]);
  const others = [...ids].map((id) => state.players.get(id)).filter(Boolean).sort((a, b) => a.id - b.id);
  return others.length ? [state.me, ...others] : [];
}

// Which point joins which (Prim's spanning tree over the distances): [[from, to], ...].
function links(points) {
  const joined = [0];
  const pairs = [];
  const left = new Set(points.map((_, index) => index).slice(1));
  while (left.size) {
    let best = null;
    for (const from of joined) {
      for (const to of left) {
        const distance = Math.hypot(points[to].x - points[from].x, points[to].y - points[from].y);
        if (!best || distance < best.distance) best = { from, to, distance };
      }
    }
    joined.push(best.to);
    left.delete(best.to);
    pairs.push([best.from, best.to]);
  }
  return pairs;
}

// Every disc and band wound the same way round, so the non-zero rule fills their union once.
function shape(ctx, points, pairs, radius) {
  ctx.beginPath();
  for (const { x, y } of points) {
    ctx.moveTo(x + radius, y);
    ctx.arc(x, y, radius, 0, Math.PI * 2);
  }
  for (const [from, to] of pairs) {
    const a = points[from];
    const b = points[to];
    const length = Math.hypot(b.x - a.x, b.y - a.y);
    if (length < 1) continue;
    const nx = (-(b.y - a.y) / length) * radius;
    const ny = ((b.x - a.x) / length) * radius;
    // Clockwise on the screen, as arc() draws: the band's corners go a-n, b-n, b+n, a+n.
    ctx.moveTo(a.x - nx, a.y - ny);
    ctx.lineTo(b.x - nx, b.y - ny);
    ctx.lineTo(b.x + nx, b.y + ny);
    ctx.lineTo(a.x + nx, a.y + ny);
    ctx.closePath();
  }
}

// Draw the area around `points` (canvas pixels) on `ctx`, through `scratch` (a spare canvas):
// an edge of `edge` pixels and a faint fill inside, each laid on once however the shapes overlap.
export function drawCallArea(ctx, points, radius, edge, scratch) {
  if (points.length < 2) return false;
  const outer = radius + edge;
  const xs = points.map((point) => point.x);
  const ys = points.map((point) => point.y);
  const left = Math.max(0, Math.floor(Math.min(...xs) - outer - 1));
  const top = Math.max(0, Math.floor(Math.min(...ys) - outer - 1));
  const right = Math.min(ctx.canvas.width, Math.ceil(Math.max(...xs) + outer + 1));
  const bottom = Math.min(ctx.canvas.height, Math.ceil(Math.max(...ys) + outer + 1));
  if (right <= left || bottom <= top) return false;
  scratch.width = right - left; // also clears it
  scratch.height = bottom - top;
  const pen = scratch.getContext("2d");
  const shifted = points.map(({ x, y }) => ({ x: x - left, y: y - top }));
  const pairs = links(shifted);
  pen.fillStyle = EDGE;
  shape(pen, shifted, pairs, outer);
  pen.fill();
  pen.globalCompositeOperation = "destination-out";
  pen.fillStyle = "#000";
  shape(pen, shifted, pairs, radius);
  pen.fill();
  pen.globalCompositeOperation = "source-over";
  pen.fillStyle = FILL;
  pen.fill();
  ctx.drawImage(scratch, left, top);
  return true;
}
