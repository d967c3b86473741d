"""The demo campus's interactive areas (docs/maps.md "Interactive areas"): a notice board in the
lobby that opens the world's own "about" page, the kitchen's sound, a stage with its audience in
the garden, and a whiteboard corner in the Blue Room that the camera frames. Also the kitchen's
sound itself, generated here (a soft room hum with the odd clink of a cup), shipped next to the map."""

import io
import math
import random
import struct
import wave

KITCHEN_SOUND = "kitchen.wav"
RATE = 8000  # Hz: ambience needs little; 6 s of 8-bit mono is 48 KB
SECONDS = 6


Property = dict[str, object]


def prop(name: str, kind: str, value: object) -> Property:
    return {"name": name, "type": kind, "value": value}


# (name, x0, y0, x1, y1 (inclusive tiles), properties), added to the demo map's "interactions" layer.
DEMO_INTERACTIONS: list[tuple[str, int, int, int, int, tuple[Property, ...]]] = [
        ("Notice board", 22, 18, 25, 19, (
            prop("openWebsite", "string", "/w/demo/about/"),
            prop("openWebsiteTrigger", "string", "onaction"),
            prop("openWebsiteTriggerMessage", "string", "Press Space to read the notice board"),
            prop("openWebsiteWidth", "int", 40),
        )),
        ("Kitchen sound", 1, 18, 16, 32, (
            prop("playAudio", "string", KITCHEN_SOUND),
            prop("audioLoop", "bool", True),
            prop("audioVolume", "float", 0.35),
        )),
        ("Garden stage", 31, 34, 34, 36, (prop("speakerMegaphone", "string", "garden"),)),
        ("Garden audience", 27, 38, 38, 43, (prop("listenerMegaphone", "string", "garden"),)),
        ("Whiteboard", 59, 2, 61, 3, (prop("focusable", "bool", True), prop("zoom_margin", "float", 1.0))),
]  # fmt: skip


def kitchen_sound() -> bytes:
    """The same bytes every time (seeded): a low hum under brown noise, and three clinks that ring
    out, faded at both ends so the loop has no click."""
    rng = random.Random(7)
    count = RATE * SECONDS
    samples = []
    brown = 0.0
    clinks = [(1.1, 2400.0), (2.9, 3100.0), (4.6, 2700.0)]  # (second, pitch)
    for index in range(count):
        t = index / RATE
        brown = max(-1.0, min(1.0, brown * 0.995 + rng.uniform(-1, 1) * 0.05))
        value = 0.25 * brown + 0.08 * math.sin(2 * math.pi * 100 * t) + 0.04 * math.sin(2 * math.pi * 150 * t)
        for start, pitch in clinks:
            if t >= start:
                value += 0.3 * math.exp(-(t - start) * 9) * math.sin(2 * math.pi * pitch * (t - start))
        fade = min(1.0, t / 0.3, (SECONDS - t) / 0.3)
        samples.append(round(128 + 127 * max(-1.0, min(1.0, value * fade))))
    out = io.BytesIO()
    with wave.open(out, "wb") as sound:
        sound.setnchannels(1)
        sound.setsampwidth(1)
        sound.setframerate(RATE)
        sound.writeframes(struct.pack(f"{count}B", *samples))
    return out.getvalue()
