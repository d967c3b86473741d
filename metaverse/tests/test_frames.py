"""Frames built once for many connections: what a WebSocket client reads from them."""

import pytest
from websockets.frames import Frame, Opcode
from websockets.streams import StreamReader

from metaverse.frames import text_frame


def read_frame(data: bytes) -> Frame:
    """The frame as a client parses it (websockets' own parser; server frames are unmasked)."""
    reader = StreamReader()
    reader.feed_data(data)
    reader.feed_eof()
    parser = Frame.parse(reader.read_exact, mask=False)
    try:
        next(parser)
    except StopIteration as done:
        frame: Frame = done.value
        assert reader.at_eof()  # nothing before or after the one frame
        return frame
    raise AssertionError("the frame was incomplete")


@pytest.mark.parametrize("size", [0, 1, 125, 126, 65_535, 65_536, 200_000])
def test_a_text_frame_of_any_length_reads_back_as_one_final_text_frame(size):
    text = ("é" * size)[:size]  # two bytes of UTF-8 per character: lengths count bytes
    frame = read_frame(text_frame(text))
    assert frame.opcode == Opcode.TEXT
    assert frame.fin
    assert frame.data.decode() == text
