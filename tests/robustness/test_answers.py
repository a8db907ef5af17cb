"""Every call gets an answer, whatever its arguments, and hostile payloads stall no one else."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from wampgate.clients import Session, connect
from wampgate.contract import uris
from wampgate.router.launcher import Gateway
from websockets.exceptions import ConnectionClosed

from tests.conftest import TEST_PASSWORD, TEST_USER
from tests.robustness.figures import record
from tests.robustness.wire import ANSWER_TIMEOUT, ERROR, RESULT, Peer

# JSON numbers the backend's MessagePack cannot carry, a string its UTF-8
# cannot, nesting past what the router accepts.
UNCARRIABLE = {
    "2**100": f"[{2**100}, 1]",
    "10**400": f"[{10**400}, 1]",
    "-2**64": f"[{-(2**64)}, 1]",
    "lone surrogate": '["\\ud800", 1]',
    "10,000 deep": "[" + "[" * 10_000 + "]" * 10_000 + ", 1]",
}
DEEP = 100_000


@pytest.fixture
def peer(url: str) -> Iterator[Peer]:
    p = Peer.join(url)
    yield p
    p.close()


@pytest.mark.parametrize("name", sorted(UNCARRIABLE))
@pytest.mark.parametrize("procedure", [uris.CALC_ADD, uris.ECHO])
def test_uncarriable_arguments_get_invalid_argument(peer: Peer, procedure: str, name: str) -> None:
    reply = peer.call_text(procedure, UNCARRIABLE[name])
    assert reply[0] == ERROR
    assert reply[4] == uris.ERROR_INVALID_ARGUMENT
    # The session is still good for the next call.
    assert peer.call_text(uris.CALC_ADD, "[2, 3]")[3] == [5]


def _json_values() -> st.SearchStrategy[Any]:
    # Unbounded integers and every code point, lone surrogates included.
    # A string that starts with NUL is binary in WAMP's JSON (base64 after the NUL);
    # what happens to malformed ones is tested on its own below.
    text = st.text(st.characters(exclude_categories=()), max_size=8).filter(
        lambda t: not t.startswith("\x00")
    )
    scalars = st.none() | st.booleans() | st.integers() | st.floats() | text
    return st.recursive(
        scalars,
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(text, inner, max_size=4),
        max_leaves=12,
    )


@pytest.fixture(scope="module")
async def demo_procedures(session: Session) -> list[str]:
    entries = await session.call(uris.CATALOG_LIST)
    found = sorted(e["uri"] for e in entries if e["uri"].startswith("demo."))
    assert uris.CALC_ADD in found and uris.ECHO in found
    return found


def test_random_json_arguments_are_all_answered(peer: Peer, demo_procedures: list[str]) -> None:
    unanswered: list[str] = []
    kinds: dict[str, int] = {}

    @settings(
        max_examples=150,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(
        procedure=st.sampled_from(demo_procedures),
        args=st.lists(_json_values(), max_size=3),
        kwargs=st.dictionaries(st.sampled_from(["a", "b", "numbers", "x"]), _json_values()),
    )
    def one_call(procedure: str, args: list[Any], kwargs: dict[str, Any]) -> None:
        request = peer.next_id()
        text = json.dumps([48, request, {}, procedure, args, kwargs])
        peer.send_text(text)
        try:
            reply = peer.answer(request)
        except TimeoutError:
            unanswered.append(text[:200])
            return
        assert reply[0] in (RESULT, ERROR), reply
        kind = "result" if reply[0] == RESULT else reply[4]
        kinds[kind] = kinds.get(kind, 0) + 1

    one_call()
    total = len(unanswered) + sum(kinds.values())
    record("random_json_calls", {"calls": total, "unanswered": len(unanswered), "answers": kinds})
    assert unanswered == [], f"{len(unanswered)} of {total} calls unanswered: {unanswered[:3]}"


def test_malformed_binary_closes_only_that_connection(url: str, session: Session) -> None:
    """A NUL-prefixed string that is not base64 is a protocol error: that peer alone is closed."""
    peer = Peer.join(url)
    try:
        peer.send_text(json.dumps([48, peer.next_id(), {}, uris.ECHO, ["\x00not base64!"]]))
        with pytest.raises(ConnectionClosed):
            peer.answer(1)
    finally:
        peer.close()
    other = Peer.join(url)
    assert other.call_text(uris.CALC_ADD, "[2, 3]")[3] == [5]
    other.close()


async def _probe(session: Session, stop: asyncio.Event, latencies: list[float]) -> int:
    """Call add() back to back until ``stop``; return how many calls got no answer."""
    unanswered = 0
    while not stop.is_set():
        started = time.monotonic()
        try:
            async with asyncio.timeout(ANSWER_TIMEOUT):
                assert await session.call(uris.CALC_ADD, 1, 2) == 3
        except TimeoutError:
            unanswered += 1
        latencies.append(time.monotonic() - started)
    return unanswered


def _log_size(gateway: Gateway) -> int:
    return gateway.log_file.stat().st_size


@pytest.mark.parametrize("kind", ["call", "publish"])
async def test_deep_message_stalls_no_other_session(
    gateway: Gateway, url: str, session: Session, kind: str
) -> None:
    deep = "[" * DEEP + "]" * DEEP
    if kind == "call":
        text = f'[48, 7, {{}}, "{uris.ECHO}", [{deep}]]'
    else:
        text = f'[16, 7, {{}}, "demo.deep", [{deep}]]'
    hostile = await asyncio.to_thread(Peer.join, url)
    log_before = _log_size(gateway)
    latencies: list[float] = []
    stop = asyncio.Event()
    probe = asyncio.ensure_future(_probe(session, stop, latencies))
    # Let the probe get going, so that it is in flight while the message is handled.
    while len(latencies) < 5:
        await asyncio.sleep(0.01)

    def send_and_wait() -> Any:
        hostile.send_text(text)
        try:
            return hostile.answer(7)
        except ConnectionClosed as exc:
            return exc.rcvd.code if exc.rcvd is not None else "closed"

    outcome = await asyncio.to_thread(send_and_wait)
    seen = len(latencies)
    while len(latencies) < seen + 20:
        await asyncio.sleep(0.01)
    stop.set()
    unanswered = await probe
    await asyncio.to_thread(hostile.close)

    if kind == "call":
        assert outcome[0] == ERROR and outcome[4] == uris.ERROR_INVALID_ARGUMENT
    else:
        assert outcome == 1008  # policy violation: the connection is closed
    assert unanswered == 0
    grown = _log_size(gateway) - log_before
    assert grown < 20_000, f"node.log grew by {grown} bytes for one refused message"
    record(
        f"deep_{kind}",
        {
            "depth": DEEP,
            "bytes": len(text),
            "probe_calls": len(latencies),
            "probe_worst_s": round(max(latencies), 3),
            "probe_median_s": round(sorted(latencies)[len(latencies) // 2], 4),
            "node_log_growth_bytes": grown,
        },
    )


EVENT = 36


async def test_uncarriable_event_skips_only_the_subscriber_that_cannot_take_it(url: str) -> None:
    """An event with 2**100 reaches JSON subscribers; a MessagePack one misses only that event."""
    topic = "demo.robustness.events"
    json_peer = await asyncio.to_thread(Peer.join, url)
    await asyncio.to_thread(json_peer.subscribe, topic)
    async with (
        connect(url, serializer="msgpack") as packed,
        connect(url, authid=TEST_USER, password=TEST_PASSWORD) as publisher,
    ):
        async with packed.subscribe(topic) as events:
            await publisher.publish(topic, {"big": 2**100})
            await publisher.publish(topic, {"n": 1})
            # The MessagePack subscriber gets the second event, not the first...
            assert (await events.next(timeout=ANSWER_TIMEOUT)).value == {"n": 1}
            # ... and its session carries on.
            assert await packed.call(uris.CALC_ADD, 2, 3) == 5

        def two_events() -> list[Any]:
            got = []
            while len(got) < 2:
                message = json.loads(json_peer.ws.recv(ANSWER_TIMEOUT))
                if message[0] == EVENT:
                    got.append(message[4][0])
            return got

        assert await asyncio.to_thread(two_events) == [{"big": 2**100}, {"n": 1}]
    json_peer.close()


LONE_SURROGATE_HELLOS = {
    "realm": ["realm1\ud800", {}],
    "authmethods": ["realm1", {"authmethods": ["\ud800"]}],
    "authextra": ["realm1", {"authextra": {"\ud800": 1}}],
    "authid": ["realm1", {"authid": "\ud800"}],
    "authrole": ["realm1", {"authrole": "\ud800"}],
}


def _close_code(ws: Any) -> int | None:
    try:
        while True:
            ws.recv(ANSWER_TIMEOUT)
    except ConnectionClosed as closed:
        return closed.rcvd.code if closed.rcvd else None
    except TimeoutError:
        return None


@pytest.mark.parametrize("name", sorted(LONE_SURROGATE_HELLOS))
def test_lone_surrogate_in_hello_closes_with_1007(url: str, name: str) -> None:
    from websockets.sync.client import connect as ws_connect
    from websockets.typing import Subprotocol

    realm, details = LONE_SURROGATE_HELLOS[name]
    details = {"roles": {"caller": {}}} | details
    ws = ws_connect(url, subprotocols=[Subprotocol("wamp.2.json")], open_timeout=ANSWER_TIMEOUT)
    ws.send(json.dumps([1, realm, details]))
    assert _close_code(ws) == 1007
    ws.close()


def test_lone_surrogate_in_cancel_closes_with_1007(peer: Peer) -> None:
    peer.send_text(json.dumps([49, 7, {"mode": "\ud800"}]))
    assert _close_code(peer.ws) == 1007
