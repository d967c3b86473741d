"""The sprite and tileset generators (`make art`): deterministic Pillow drawings whose output is
committed in `players/sprites/` and `world/demo/maps/`."""
