"""The meeting check with its guests spread over several processes: one Python process cannot
encode sixteen cameras and decode 240 streams on a small machine (its event loop falls behind and
misses Janus's answers), so each process runs a share of the guests (signaling/meeting.py
`run_meeting`), and they take each step of the meeting together (a barrier between processes).
The shares' verdicts add up to the meeting's."""

import asyncio
import math
import multiprocessing
import queue
from collections.abc import Callable
from multiprocessing.synchronize import Barrier
from typing import Any

from django.db import connections

from signaling.meeting import Guest, MeetingResult, run_meeting

GUESTS_PER_PROCESS = 6  # what one process sends and checks comfortably on a 2-core machine
STEPS = 6  # the meeting's steps (signaling/meeting.py `together`): the whole lasts at most this many times `seconds`


def processes_for(participants: int) -> int:
    return max(1, math.ceil(participants / GUESTS_PER_PROCESS))


def run_meeting_sharded(
    *, ws_url: str, slug: str, origin: str, guests: list[Guest], seconds: float, out: Callable[[str], None],
    processes: int,
) -> MeetingResult:  # fmt: skip
    """Each process meets as its share of `guests`; the verdicts added up. Uses fork: the
    guests' objects are the parent's, copied."""
    if processes <= 1:
        return asyncio.run(
            run_meeting(ws_url=ws_url, slug=slug, origin=origin, guests=guests, seconds=seconds, out=out)
        )
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(processes)
    results: Any = context.Queue()
    shares = [guests[index::processes] for index in range(processes)]
    connections.close_all()  # not shared with the children
    workers = [
        context.Process(
            target=_share, args=(index, share, guests, barrier, results, ws_url, slug, origin, seconds), daemon=True
        )
        for index, share in enumerate(shares)
    ]
    for worker in workers:
        worker.start()
    verdicts: list[MeetingResult] = []
    try:
        for _ in workers:
            verdicts.append(results.get(timeout=seconds * STEPS))
    except queue.Empty:
        barrier.abort()
        raise RuntimeError("a share of the guests did not finish the meeting") from None
    finally:
        for worker in workers:
            worker.join(timeout=10)
            if worker.is_alive():
                worker.kill()
    failures = [verdict for verdict in verdicts if isinstance(verdict, str)]
    if failures:
        raise RuntimeError("; ".join(map(str, failures)))
    out(f"{processes} processes, {len(guests)} guests: done")
    return MeetingResult(
        participants=len(guests),
        streams=sum(verdict.streams for verdict in verdicts),
        expected=sum(verdict.expected for verdict in verdicts),
        join_ms=[value for verdict in verdicts for value in verdict.join_ms],
        first_frame_ms=[value for verdict in verdicts for value in verdict.first_frame_ms],
        missing=[line for verdict in verdicts for line in verdict.missing],
        mixed=any(verdict.mixed for verdict in verdicts),
    )


def _share(
    index: int, share: list[Guest], everyone: list[Guest], barrier: Barrier, results: Any,
    ws_url: str, slug: str, origin: str, seconds: float,
) -> None:  # fmt: skip
    async def together(step: str) -> None:
        # `seconds`: as long as one step may take (meeting_check's --seconds)
        await asyncio.get_running_loop().run_in_executor(None, lambda: barrier.wait(seconds))

    def out(line: str) -> None:
        if index == 0:
            print(f"meeting_check: {line}", flush=True)

    try:  # `share` holds the same (forked) objects as `everyone`
        verdict: MeetingResult | str = asyncio.run(
            run_meeting(
                ws_url=ws_url,
                slug=slug,
                origin=origin,
                guests=share,
                seconds=seconds,
                out=out,
                everyone=everyone,
                together=together,
            )
        )
    except Exception as error:  # noqa: BLE001 - told to the parent, which fails the check with it
        barrier.abort()
        verdict = f"share {index}: {type(error).__name__}: {error}"
    results.put(verdict)
