"""The avatar looks the project ships: `players/sprites/catalog.json` and one PNG sheet each."""

import hashlib
import json
from pathlib import Path
from typing import Any

SPRITES_DIR = Path(__file__).resolve().parent / "sprites"


def shipped_looks() -> list[dict[str, Any]]:
    catalog = json.loads((SPRITES_DIR / "catalog.json").read_text())
    return [
        {"slug": entry["slug"], "name": entry["name"], "sprite": (SPRITES_DIR / f"{entry['slug']}.png").read_bytes()}
        for entry in catalog
    ]


def load_shipped_avatars(avatar_model: Any) -> int:
    """Create or refresh the shipped looks; takes the model so a data migration can pass its own."""
    count = 0
    for position, look in enumerate(shipped_looks()):
        sprite = look["sprite"]
        avatar_model.objects.update_or_create(
            slug=look["slug"],
            defaults={
                "name": look["name"],
                "sprite": sprite,
                "sprite_hash": hashlib.sha256(sprite).hexdigest()[:16],
                "position": position,
            },
        )
        count += 1
    return count
