// What the page and the server agree on about closing a socket (docs/protocol.md, "Closing").
// The names are the server's (`CloseCode` in metaverse/sockets.py);
// frontend/tests/test_protocol_js.py checks that both lists, and the no-reconnect set, match.

export const CloseCode = Object.freeze({
  INTERNAL_ERROR: 1011,
  SERVICE_RESTART: 1012,
  TRY_AGAIN_LATER: 1013,
  PROTOCOL_ABUSE: 4000,
  NOT_AUTHENTICATED: 4001,
  BANNED: 4003,
  UNKNOWN_WORLD: 4004,
  WORLD_FULL: 4005,
  NOT_IN_WORLD: 4006,
  REPLACED: 4009,
  KICKED: 4010,
  GUESTS_NOT_ALLOWED: 4011,
  RATE_LIMITED: 4029,
});

// After these a socket stays closed: reconnecting would be refused, or would undo what the
// person or a moderator did.
export const NO_RECONNECT = new Set([
  CloseCode.NOT_AUTHENTICATED,
  CloseCode.BANNED,
  CloseCode.UNKNOWN_WORLD,
  CloseCode.REPLACED,
  CloseCode.KICKED,
  CloseCode.GUESTS_NOT_ALLOWED,
]);

// After these the page offers to come back in (on request): another tab took over, or a
// moderator removed us without a ban.
export const COME_BACK_IN = new Set([CloseCode.REPLACED, CloseCode.KICKED]);

// The codes the page itself closes with (the server only logs them).
export const ClientCloseCode = Object.freeze({
  LEAVING: 1000, // for good: leaving the page or the world
  RECONNECTING: 4999, // dropped on purpose to connect again at once
});
