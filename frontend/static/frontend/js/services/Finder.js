// Reaching someone anywhere in the world (the people panel): Locate looks at where they stand and
// draws the way there; Walk to finds a free tile beside them and walks; Follow walks behind them,
// asking where they are once a second, until we steer with the keys or they stop sharing where
// they are. The server answers `locate` only as far as they allow (docs/protocol.md).

import { gettext } from "../lib/i18n.js";
import { findPath, nearestWalkable } from "../lib/pathfinding.js";

const FOLLOW_EVERY_MS = 1000;
const CLOSE_ENOUGH = 1.6; // tiles: a follower this near stays put
const SIDES = [[1, 0], [-1, 0], [0, 1], [0, -1], [1, 1], [-1, 1], [1, -1], [-1, -1]];

export class Finder {
  constructor({ store, world, view }) {
    Object.assign(this, { store, world, view });
    this.following = null; // {id, name, timer}
    world.local.onSteer = () => this.stopFollowing(true);
  }

  async locate({ id, name }) {
    const found = await this._where(id, name);
    if (!found) return;
    const path = this._path(found) || [];
    this.view.showSpot(found.x, found.y, path);
    const text = found.zone ? gettext("%(name)s is in %(zone)s.", { name, zone: found.zone }) : gettext("%(name)s is here.", { name });
    this.store.notice(text, { timeout: 5000 });
  }

  async walkTo({ id, name }) {
    const found = await this._where(id, name);
    if (found && !this._walkBeside(found)) this.store.notice(gettext("There is no way to %(name)s from here.", { name }), { kind: "warning" });
  }

  follow({ id, name }) {
    this.stopFollowing(false);
    const following = { id, name, timer: 0 };
    this.following = following;
    const step = async () => {
      if (this.following !== following) return;
      const found = await this._where(id, name);
      if (this.following !== following) return;
      if (!found) {
        this.stopFollowing(false);
        return;
      }
      const me = this.store.state.me;
      if (me && Math.hypot(found.x - me.x, found.y - me.y) > CLOSE_ENOUGH) this._walkBeside(found);
      following.timer = setTimeout(step, FOLLOW_EVERY_MS);
    };
    this.store.notice(gettext("Following %(name)s. Walk with the keys to stop.", { name }), { timeout: 5000 });
    this.store.emit("following", { id });
    step();
  }

  // `say`: tell the person they stopped following (they did, by steering or with the button).
  stopFollowing(say) {
    const following = this.following;
    if (!following) return;
    this.following = null;
    clearTimeout(following.timer);
    if (say) this.store.notice(gettext("You stopped following %(name)s.", { name: following.name }), { timeout: 3000 });
    this.store.emit("following", { id: null });
  }

  async _where(id, name) {
    try {
      return await this.world.locate(id);
    } catch (error) {
      const text = error.code ? error.message : gettext("Could not find %(name)s: %(reason)s", { name, reason: error.message });
      this.store.notice(text, { kind: "warning" });
      return null;
    }
  }

  // A free tile next to them (the one nearest us), and the walk there.
  _walkBeside(found) {
    const { map, me } = this.store.state;
    if (!map || !me) return false;
    const tx = Math.floor(found.x);
    const ty = Math.floor(found.y);
    const free = SIDES.map(([dx, dy]) => [tx + dx, ty + dy])
      .filter(([x, y]) => !map.isBlocked(x, y))
      .sort((a, b) => Math.hypot(a[0] + 0.5 - me.x, a[1] + 0.5 - me.y) - Math.hypot(b[0] + 0.5 - me.x, b[1] + 0.5 - me.y));
    for (const [x, y] of free) if (this.world.walkTo(x, y)) return true;
    return false;
  }

  _path(found) {
    const { map, me } = this.store.state;
    if (!map || !me) return null;
    const goal = nearestWalkable(map, Math.floor(found.x), Math.floor(found.y));
    return goal ? findPath(map, [Math.floor(me.x), Math.floor(me.y)], goal) : null;
  }
}
