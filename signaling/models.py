"""Signaling stores nothing: offers, answers and candidates are relayed and forgotten, TURN
credentials are computed from a shared secret, and contacts live in the world engine."""
