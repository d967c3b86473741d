// The camera framing a rectangle of the map instead of following us: an area's `focus`
// (docs/protocol.md "areas"), its bounds with `margin` tiles around. WorldView.setFocus takes the
// rectangle; the scale stays a whole number of device pixels per map pixel (crisp pixels).

const MAX_SCALE = 12; // as WorldView's own zoom

/** The rectangle an area's focus frames, in tiles: {left, top, right, bottom} (right and bottom
 * exclusive), or null for an area without one. */
export function focusRect(area) {
  if (!area || !area.focus || !Array.isArray(area.bounds)) return null;
  const [left, top, right, bottom] = area.bounds;
  const margin = Math.max(0, Number(area.focus.margin) || 0);
  return { left: left - margin, top: top - margin, right: right + margin, bottom: bottom + margin };
}

/** The largest whole scale (device pixels per map pixel, 1–12) at which `rect` fits a canvas of
 * `width`×`height` device pixels; null without a rectangle or before the map is loaded. */
export function framingScale(rect, map, width, height) {
  if (!rect || !map) return null;
  const across = Math.max(1, (rect.right - rect.left) * map.tileWidth);
  const down = Math.max(1, (rect.bottom - rect.top) * map.tileHeight);
  return Math.max(1, Math.min(MAX_SCALE, Math.floor(Math.min(width / across, height / down))));
}

/** The rectangle's centre, in tiles. */
export function framingCentre(rect) {
  return { x: (rect.left + rect.right) / 2, y: (rect.top + rect.bottom) / 2 };
}
