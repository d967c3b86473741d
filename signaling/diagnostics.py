"""What `rtc_check` measures: which kinds of ICE candidate (host, srflx, relay) the configured
STUN and TURN servers give a peer here, and how long each took, gathered with aiortc."""

import asyncio
import time
from dataclasses import dataclass, field

from aioice.stun import TransactionFailed
from aioice.turn import create_turn_endpoint
from aiortc import RTCIceCandidate, RTCIceGatherer, RTCIceServer, RTCIceTransport
from aiortc.rtcicetransport import connection_kwargs

from signaling.services import turn_credentials

KINDS = ("host", "srflx", "relay")
DIAGNOSE_SECONDS = 5.0


@dataclass
class Gathering:
    """The candidates one gatherer found: with no server (host addresses) or with one server."""

    server: str  # "" for host addresses only
    seconds: float = 0.0
    candidates: list[RTCIceCandidate] = field(default_factory=list)
    problem: str = ""

    def kinds(self) -> set[str]:
        return {candidate.type for candidate in self.candidates}


@dataclass
class Report:
    gatherings: list[Gathering]

    def _sources(self, kind: str) -> list[Gathering]:
        # Every gatherer finds the host addresses; only the one without a server counts for them.
        return [g for g in self.gatherings if (kind == "host") == (g.server == "") and kind in g.kinds()]

    def candidates(self, kind: str) -> list[RTCIceCandidate]:
        return [c for g in self._sources(kind) for c in g.candidates if c.type == kind]

    def first_ms(self, kind: str) -> float | None:
        times = [g.seconds for g in self._sources(kind)]
        return min(times) * 1000 if times else None


async def _gather(server: str, servers: list[RTCIceServer]) -> Gathering:
    gathering = Gathering(server=server)
    try:
        if servers and not connection_kwargs(servers):
            gathering.problem = "aiortc cannot use this URL (TURN over udp or tcp, or TURNS over tcp only)"
            return gathering
        gatherer = RTCIceGatherer(iceServers=servers)
    except ValueError as error:
        gathering.problem = f"bad URL: {error}"
        return gathering
    has_turn = "turn_server" in connection_kwargs(servers)
    started = time.monotonic()
    try:
        # The gatherer keeps quiet about failures; a second allocation, at the same time, says why.
        _, problem = await asyncio.gather(gatherer.gather(), _try_allocation(servers) if has_turn else _nothing())
        gathering.seconds = time.monotonic() - started
        gathering.candidates = gatherer.getLocalCandidates()
    finally:
        await RTCIceTransport(gatherer).stop()
    if has_turn and "relay" not in gathering.kinds():
        gathering.problem = problem or "gave no relay candidate"
    return gathering


async def _nothing() -> str:
    return ""


async def _try_allocation(servers: list[RTCIceServer]) -> str:
    """Ask the TURN server for an allocation: "" when it gives one, otherwise why not."""
    kwargs = connection_kwargs(servers)
    try:
        transport, _ = await asyncio.wait_for(
            create_turn_endpoint(
                asyncio.DatagramProtocol, server_addr=kwargs["turn_server"], username=kwargs["turn_username"],
                password=kwargs["turn_password"], ssl=kwargs["turn_ssl"], transport=kwargs["turn_transport"],
            ),
            DIAGNOSE_SECONDS,
        )  # fmt: skip
    except TransactionFailed as error:
        code, reason = error.response.attributes.get("ERROR-CODE", (0, "refused"))
        hint = " (is TURN_SECRET the server's static-auth-secret?)" if code == 401 else ""
        return f"refused the allocation: {code} {reason}{hint}"
    except TimeoutError:
        return f"no answer within {DIAGNOSE_SECONDS:g} s"
    except (OSError, ConnectionError) as error:
        return f"unreachable: {error}"
    except Exception as error:  # noqa: BLE001 - whatever aioice raises is worth printing
        return f"failed: {type(error).__name__}: {error}"
    transport.close()
    return ""


async def ice_check(*, stun_urls: list[str], turn_urls: list[str], user_id: int = 0) -> Report:
    """Gather with no server, and with each server on its own, all at once."""
    jobs = [_gather("", [])]
    jobs += [_gather(url, [RTCIceServer(urls=url)]) for url in stun_urls]
    if turn_urls:
        credentials = turn_credentials(user_id=user_id)
        jobs += [
            _gather(
                url, [RTCIceServer(urls=url, username=credentials["username"], credential=credentials["credential"])]
            )
            for url in turn_urls
        ]
    return Report(gatherings=list(await asyncio.gather(*jobs)))
