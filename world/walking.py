"""Walking a map the way a client does: paths around walls, and the steps to send along them.
Used by the load test (tools/loadtest/) and by the tests that walk players about, so it stays beside
the engine rather than in tools/ (which the runtime apps and their tests never import)."""

import math
import random
from collections import deque
from collections.abc import Iterator

from world.engine.mapdata import MapData

Point = tuple[float, float]
Tile = tuple[int, int]
_STEPS = ((1, 0), (-1, 0), (0, 1), (0, -1))


def tile_of(point: Point) -> Tile:
    return int(point[0]), int(point[1])


def centre(tile: Tile) -> Point:
    return tile[0] + 0.5, tile[1] + 0.5


def neighbours(mapdata: MapData, tile: Tile) -> Iterator[Tile]:
    for step_x, step_y in _STEPS:
        x, y = tile[0] + step_x, tile[1] + step_y
        if 0 <= x < mapdata.width and 0 <= y < mapdata.height and not mapdata.blocked[y * mapdata.width + x]:
            yield x, y


def tile_path(mapdata: MapData, start: Tile, goal: Tile) -> list[Tile] | None:
    """The shortest 4-way path of walkable tiles from start to goal (both included), or None."""
    previous: dict[Tile, Tile | None] = {start: None}
    queue = deque([start])
    while queue:
        tile = queue.popleft()
        if tile == goal:
            path = [tile]
            while (before := previous[path[-1]]) is not None:
                path.append(before)
            return path[::-1]
        for neighbour in neighbours(mapdata, tile):
            if neighbour not in previous:
                previous[neighbour] = tile
                queue.append(neighbour)
    return None


def tiles_within(mapdata: MapData, start: Tile, *, minimum: float, maximum: float) -> list[Tile]:
    """Walkable tiles reachable from start whose straight-line distance is in [minimum, maximum]."""
    seen = {start}
    queue = deque([start])
    found = []
    while queue:
        tile = queue.popleft()
        distance = math.dist(tile, start)
        if minimum <= distance <= maximum:
            found.append(tile)
        for neighbour in neighbours(mapdata, tile):
            if neighbour not in seen and math.dist(neighbour, start) <= maximum:
                seen.add(neighbour)
                queue.append(neighbour)
    return found


def steps_along(start: Point, path: list[Tile], *, step: float) -> list[Point]:
    """Points at most `step` tiles apart from `start` through the centres of `path`."""
    points: list[Point] = []
    x, y = start
    for tile in path:
        target_x, target_y = centre(tile)
        distance = math.hypot(target_x - x, target_y - y)
        count = math.ceil(distance / step) if distance else 0
        for index in range(1, count + 1):
            points.append((x + (target_x - x) * index / count, y + (target_y - y) * index / count))
        x, y = target_x, target_y
    return points


def walk_to(mapdata: MapData, start: Point, goal: Tile, *, step: float = 0.5) -> list[Point]:
    path = tile_path(mapdata, tile_of(start), goal)
    if path is None:
        raise ValueError(f"no path from {tile_of(start)} to {goal}")
    return steps_along(start, path[1:], step=step)


def direction_of(before: Point, after: Point, default: str = "down") -> str:
    dx, dy = after[0] - before[0], after[1] - before[1]
    if dx == dy == 0:
        return default
    if abs(dx) >= abs(dy):
        return "right" if dx > 0 else "left"
    return "down" if dy > 0 else "up"


class RandomWalker:
    """Wanders from tile centre to a random neighbouring walkable tile, `step` tiles a move."""

    def __init__(self, mapdata: MapData, start: Point, *, step: float, rng: random.Random) -> None:
        self.mapdata = mapdata
        self.position = start
        self.step = step
        self.rng = rng
        self.heading: Tile | None = None
        self._pending: list[Point] = []

    def reset(self, position: Point) -> None:
        """The server put us elsewhere (a correction): carry on from there."""
        self.position = position
        self._pending.clear()

    def next(self) -> tuple[Point, str]:
        if not self._pending:
            here = tile_of(self.position)
            options = list(neighbours(self.mapdata, here))
            if self.heading is not None and self.rng.random() < 0.7:  # keep going mostly straight
                ahead = (here[0] + self.heading[0], here[1] + self.heading[1])
                if ahead in options:
                    options = [ahead]
            target = self.rng.choice(options) if options else here
            self.heading = (target[0] - here[0], target[1] - here[1]) if target != here else None
            self._pending = steps_along(self.position, [target], step=self.step) or [self.position]
        before, self.position = self.position, self._pending.pop(0)
        return self.position, direction_of(before, self.position)
