// The landing page: keep each world's "online" count fresh without reloading.
const list = document.querySelector("[data-worlds-url]");
const REFRESH_MS = 15000;

async function refresh() {
  try {
    const response = await fetch(list.dataset.worldsUrl, { headers: { Accept: "application/json" } });
    if (!response.ok) return;
    for (const world of await response.json()) {
      const card = list.querySelector(`[data-slug="${CSS.escape(world.slug)}"] [data-online]`);
      // null: a members-only world, whose count is not shown to guests.
      if (card && world.online !== null) card.textContent = String(world.online);
    }
  } catch {
    // Offline for a moment: the next refresh tries again.
  }
}

if (list) setInterval(() => { if (!document.hidden) refresh(); }, REFRESH_MS);
