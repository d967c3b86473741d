// Loading and pre-rendering a normalised Tiled map (docs/protocol.md: tilesets embedded, tile
// data as plain arrays, image paths relative to the map's URL).
//
// Tile layers before the `floorLayer` object group are drawn under the avatars, the ones after
// it over them. Each half is drawn once into chunks of CHUNK×CHUNK tiles (one canvas for a
// large map would pass the browser's size limits); a frame then blits the visible chunks.
// The collision grid follows the server's rule exactly: a tile is blocked if any tile layer
// has a tile with the `collides` property there, or a tile at all when the layer `collides`.

import { gettext } from "./i18n.js";

const FLIP_H = 0x80000000;
const FLIP_V = 0x40000000;
const FLIP_D = 0x20000000;
const GID_MASK = 0x0fffffff;
const CHUNK = 32;
const FLOOR_LAYER = "floorLayer";

function properties(owner) {
  const raw = owner.properties || [];
  if (!Array.isArray(raw)) return { ...raw };
  const found = {};
  for (const prop of raw) if (prop && typeof prop === "object") found[String(prop.name)] = prop.value;
  return found;
}

const truthy = (value) => value === true || (typeof value === "string" && value.toLowerCase() === "true");

function loadImage(url) {
  const image = new Image();
  image.src = url;
  return image.decode().then(
    () => image,
    () => {
      throw new Error(gettext("its image %(url)s could not be loaded", { url }));
    },
  );
}

async function loadTileset(tileset, base) {
  const loaded = {
    firstgid: tileset.firstgid,
    tileWidth: tileset.tilewidth,
    tileHeight: tileset.tileheight,
    columns: tileset.columns || 0,
    margin: tileset.margin || 0,
    spacing: tileset.spacing || 0,
    image: null,
    tileImages: new Map(), // image-collection tilesets: tile id -> image
    colliding: new Set(),
  };
  const pending = [];
  if (tileset.image) {
    pending.push(loadImage(new URL(tileset.image, base).href).then((image) => (loaded.image = image)));
  }
  for (const tile of tileset.tiles || []) {
    if (truthy(properties(tile).collides)) loaded.colliding.add(tileset.firstgid + tile.id);
    if (tile.image) {
      pending.push(loadImage(new URL(tile.image, base).href).then((image) => loaded.tileImages.set(tile.id, image)));
    }
  }
  await Promise.all(pending);
  return loaded;
}

// Tile layers in drawing order with their effective opacity, visibility and offset, and
// where the floor layer sits among them.
function flattenLayers(layers, parent = { opacity: 1, visible: true, offsetX: 0, offsetY: 0 }, out = []) {
  for (const layer of layers) {
    const own = {
      opacity: parent.opacity * (layer.opacity ?? 1),
      visible: parent.visible && layer.visible !== false,
      offsetX: parent.offsetX + (layer.offsetx || 0),
      offsetY: parent.offsetY + (layer.offsety || 0),
    };
    if (layer.type === "group") flattenLayers(layer.layers || [], own, out);
    else if (layer.type === "tilelayer") out.push({ kind: "tiles", layer, ...own });
    else if (layer.type === "objectgroup" && layer.name === FLOOR_LAYER) out.push({ kind: "floor" });
  }
  return out;
}

function collisionGrid(tiled, entries, tilesets) {
  const blocked = new Uint8Array(tiled.width * tiled.height);
  const colliding = new Set();
  for (const tileset of tilesets) for (const gid of tileset.colliding) colliding.add(gid);
  for (const entry of entries) {
    if (entry.kind !== "tiles") continue;
    const data = entry.layer.data || [];
    const wholeLayer = truthy(properties(entry.layer).collides);
    for (let index = 0; index < data.length && index < blocked.length; index += 1) {
      const gid = data[index] & GID_MASK;
      if (gid && (wholeLayer || colliding.has(gid))) blocked[index] = 1;
    }
  }
  return blocked;
}

function tilesetFor(tilesets, gid) {
  for (let index = tilesets.length - 1; index >= 0; index -= 1) {
    if (tilesets[index].firstgid <= gid) return tilesets[index];
  }
  return null;
}

function drawTile(ctx, tileset, gid, raw, x, y) {
  const id = gid - tileset.firstgid;
  let image = tileset.image;
  let sx = 0;
  let sy = 0;
  let width = tileset.tileWidth;
  let height = tileset.tileHeight;
  if (image && tileset.columns > 0) {
    sx = tileset.margin + (id % tileset.columns) * (width + tileset.spacing);
    sy = tileset.margin + Math.floor(id / tileset.columns) * (height + tileset.spacing);
  } else {
    image = tileset.tileImages.get(id);
    if (!image) return;
    width = image.naturalWidth;
    height = image.naturalHeight;
  }
  const flags = raw & (FLIP_H | FLIP_V | FLIP_D);
  if (!flags) {
    ctx.drawImage(image, sx, sy, width, height, x, y, width, height);
    return;
  }
  // Tiled flips diagonally first, then horizontally, then vertically; canvas transforms apply
  // to the image in the reverse order of the calls.
  ctx.save();
  ctx.translate(x + width / 2, y + height / 2);
  if (raw & FLIP_V) ctx.scale(1, -1);
  if (raw & FLIP_H) ctx.scale(-1, 1);
  if (raw & FLIP_D) ctx.transform(0, 1, 1, 0, 0, 0);
  ctx.drawImage(image, sx, sy, width, height, -width / 2, -height / 2, width, height);
  ctx.restore();
}

function renderChunks(tiled, entries, tilesets) {
  const { width, height, tilewidth: tw, tileheight: th } = tiled;
  const chunks = [];
  const gidCache = new Map();
  for (let cy = 0; cy < height; cy += CHUNK) {
    for (let cx = 0; cx < width; cx += CHUNK) {
      const cols = Math.min(CHUNK, width - cx);
      const rows = Math.min(CHUNK, height - cy);
      const canvas = document.createElement("canvas");
      canvas.width = cols * tw;
      canvas.height = rows * th;
      const ctx = canvas.getContext("2d");
      ctx.imageSmoothingEnabled = false;
      let drawn = 0;
      for (const entry of entries) {
        const data = entry.layer.data || [];
        ctx.globalAlpha = entry.opacity;
        for (let ty = cy; ty < cy + rows; ty += 1) {
          for (let tx = cx; tx < cx + cols; tx += 1) {
            const raw = data[ty * width + tx];
            const gid = raw & GID_MASK;
            if (!gid) continue;
            let tileset = gidCache.get(gid);
            if (tileset === undefined) gidCache.set(gid, (tileset = tilesetFor(tilesets, gid)));
            if (!tileset) continue;
            const x = (tx - cx) * tw + entry.offsetX;
            const y = (ty - cy + 1) * th - tileset.tileHeight + entry.offsetY; // Tiled anchors tiles bottom-left
            drawTile(ctx, tileset, gid, raw, x, y);
            drawn += 1;
          }
        }
      }
      if (drawn) chunks.push({ x: cx * tw, y: cy * th, width: canvas.width, height: canvas.height, canvas });
    }
  }
  return chunks;
}

// Tiled writes "#AARRGGBB" when the colour has alpha; CSS reads 8 digits as "#RRGGBBAA".
function cssColour(value) {
  if (typeof value !== "string" || !/^#[0-9a-f]{6}([0-9a-f]{2})?$/i.test(value)) return null;
  return value.length === 9 ? `#${value.slice(3)}${value.slice(1, 3)}` : value;
}

export async function loadMap(mapUrl) {
  const base = new URL(mapUrl, location.href);
  const response = await fetch(base, { credentials: "same-origin" });
  if (!response.ok) throw new Error(gettext("the server answered %(status)s", { status: response.status }));
  const tiled = await response.json();
  const tilesets = (await Promise.all((tiled.tilesets || []).map((tileset) => loadTileset(tileset, base)))).sort(
    (a, b) => a.firstgid - b.firstgid,
  );
  const entries = flattenLayers(tiled.layers || []);
  const floorAt = entries.findIndex((entry) => entry.kind === "floor");
  const visible = (entry) => entry.kind === "tiles" && entry.visible && entry.opacity > 0;
  const below = (floorAt < 0 ? entries : entries.slice(0, floorAt)).filter(visible);
  const above = floorAt < 0 ? [] : entries.slice(floorAt + 1).filter(visible);
  const blocked = collisionGrid(tiled, entries, tilesets);
  const { width, height } = tiled;
  return {
    url: mapUrl,
    width,
    height,
    tileWidth: tiled.tilewidth,
    tileHeight: tiled.tileheight,
    pixelWidth: width * tiled.tilewidth,
    pixelHeight: height * tiled.tileheight,
    background: cssColour(tiled.backgroundcolor) || "#1d2228",
    blocked,
    // Which tile layers are drawn under the avatars and which over them, by name (for the tests).
    layers: { below: below.map((entry) => entry.layer.name), above: above.map((entry) => entry.layer.name) },
    below: renderChunks(tiled, below, tilesets),
    above: renderChunks(tiled, above, tilesets),
    // The names of the layers drawn over the avatars that have a tile at (tx, ty).
    aboveAt(tx, ty) {
      if (tx < 0 || ty < 0 || tx >= width || ty >= height) return [];
      return above.filter((entry) => (entry.layer.data || [])[ty * width + tx] & GID_MASK).map((entry) => entry.layer.name);
    },
    isBlocked(tx, ty) {
      return tx < 0 || ty < 0 || tx >= width || ty >= height || blocked[ty * width + tx] === 1;
    },
    isWalkable(x, y) {
      return x >= 0 && y >= 0 && x < width && y < height && blocked[Math.floor(y) * width + Math.floor(x)] === 0;
    },
    // The server's check for a move: no blocked tile on the straight line, sampled every
    // quarter tile (world/engine/mapdata.py, path_is_clear).
    pathIsClear(x0, y0, x1, y1, step = 0.25) {
      const samples = Math.max(1, Math.ceil(Math.hypot(x1 - x0, y1 - y0) / step));
      for (let sample = 1; sample <= samples; sample += 1) {
        const fraction = sample / samples;
        if (!this.isWalkable(x0 + (x1 - x0) * fraction, y0 + (y1 - y0) * fraction)) return false;
      }
      return true;
    },
  };
}
