"""Media that needs no device, and how to tell it apart on arrival: a camera that sees one flat
colour, a microphone that hums one tone. The checks (`meeting_check`) and the tests send these and
recognise who sent what by colour and pitch."""

import array
import asyncio
import fractions
import math

from aiortc.mediastreams import AudioStreamTrack, VideoStreamTrack
from av import AudioFrame, AudioResampler, VideoFrame
from PIL import Image

SAMPLE_RATE, FRAME_SAMPLES = 48000, 960  # 20 ms frames, as a microphone gives them


class ToneTrack(AudioStreamTrack):
    """A sine tone (440 Hz unless told), 20 ms a frame, as a microphone would give it."""

    def __init__(self, frequency: float = 440.0, amplitude: int = 8000) -> None:
        super().__init__()
        self.frequency = frequency
        self.amplitude = amplitude
        self.sent = 0

    async def recv(self) -> AudioFrame:
        silence = await super().recv()  # paces the frames in real time
        step = 2 * math.pi * self.frequency / SAMPLE_RATE
        wave = (int(self.amplitude * math.sin(step * (self.sent + i))) for i in range(FRAME_SAMPLES))
        samples = array.array("h", wave)
        frame = AudioFrame(format="s16", layout="mono", samples=FRAME_SAMPLES)
        frame.planes[0].update(samples.tobytes())
        frame.sample_rate = SAMPLE_RATE
        frame.pts = silence.pts
        frame.time_base = fractions.Fraction(1, SAMPLE_RATE)
        self.sent += FRAME_SAMPLES
        return frame


class ColourTrack(VideoStreamTrack):
    """A camera that sees one flat colour, `fps` frames a second (a camera's 30 by default; a
    check with many receivers in one process sends fewer, each decoded by every receiver)."""

    def __init__(self, colour: tuple[int, int, int], size: tuple[int, int] = (320, 240), fps: int = 30) -> None:
        super().__init__()
        self.image = Image.new("RGB", size, colour)
        self.fps = fps
        self.started = 0.0
        self.sent = 0

    async def recv(self) -> VideoFrame:
        if self.fps >= 30:
            pts, time_base = await self.next_timestamp()
        else:
            loop = asyncio.get_running_loop()
            self.started = self.started or loop.time()
            await asyncio.sleep(max(0.0, self.started + self.sent / self.fps - loop.time()))
            pts, time_base = int(self.sent * 90000 / self.fps), fractions.Fraction(1, 90000)
            self.sent += 1
        frame = VideoFrame.from_image(self.image)
        frame.pts, frame.time_base = pts, time_base
        return frame


def mono_samples(frame: AudioFrame) -> tuple["array.array[int]", int]:
    """A frame's samples as 16-bit mono, and its sample rate."""
    samples: array.array[int] = array.array("h")
    for mono in AudioResampler(format="s16", layout="mono", rate=frame.sample_rate).resample(frame):
        samples.frombytes(bytes(mono.planes[0])[: mono.samples * 2])
    return samples, frame.sample_rate


def loudness(frame: AudioFrame) -> float:
    """Root mean square of a frame's samples, as 16-bit mono."""
    samples, _ = mono_samples(frame)
    return math.sqrt(sum(s * s for s in samples) / max(1, len(samples)))


def tone_power(frames: list[AudioFrame], frequency: float) -> float:
    """How much of `frequency` the frames hold, taken together (Goertzel's algorithm: one bin of a
    Fourier transform; five 20 ms frames tell tones 10 Hz apart)."""
    samples: array.array[int] = array.array("h")
    rate = SAMPLE_RATE
    for frame in frames:
        more, rate = mono_samples(frame)
        samples.extend(more)
    coefficient = 2 * math.cos(2 * math.pi * frequency / rate)
    previous = before = 0.0
    for sample in samples:
        previous, before = sample + coefficient * previous - before, previous
    return previous * previous + before * before - coefficient * previous * before


def average_colour(frame: VideoFrame) -> tuple[int, int, int]:
    centre = frame.to_image().resize((1, 1), Image.Resampling.BOX).getpixel((0, 0))
    assert isinstance(centre, tuple)
    return (int(centre[0]), int(centre[1]), int(centre[2]))
