"""Connection limits on a gateway of its own with tight limits: idle sockets, caps, slow readers.

The limits are the same code as the defaults, made small so that the tests
need seconds, not minutes: HELLO timeout 2 s, 1 MiB send buffer, 12
connections on the web port.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from wampgate.clients.sync import SyncSession, connect_sync
from wampgate.contract import uris
from wampgate.router import accounts, render
from wampgate.router.config import GatewaySettings
from wampgate.router.gateway import Gateway
from wampgate.router.nodelog import NodeLog
from websockets.exceptions import ConnectionClosed, InvalidHandshake
from websockets.sync.client import ClientConnection, connect
from websockets.typing import Subprotocol

from tests.conftest import ADMIN, ADMIN_PASSWORD, ROOT, TEST_PASSWORD, TEST_USER, running
from tests.helpers import free_port
from tests.robustness.figures import record
from tests.robustness.wire import ANSWER_TIMEOUT, Peer

HELLO_TIMEOUT = 2
CONNECT_TIMEOUT = 4
SEND_BUFFER = 1024 * 1024
CALLEE_BACKLOG = 256 * 1024
CALLS_IN_FLIGHT = 50
HOLD_CALLS = 20
MAX_CONNECTIONS = 12
MIB = 1024 * 1024


class TightGateway(Gateway):
    """The stock node configuration with small limits and only the calc component."""

    def prepare(self) -> tuple[list[str], dict[str, str]]:
        command, env = super().prepare()
        path = self.settings.node_dir / "config.json"
        config = json.loads(path.read_text())
        router = next(w for w in config["workers"] if w["type"] == "router")
        for component in router.get("components", []):
            if "limits" in component.get("extra", {}):
                component["extra"]["limits"] |= {
                    "hello_timeout": HELLO_TIMEOUT,
                    "connect_timeout": CONNECT_TIMEOUT,
                    "max_send_buffer_client": SEND_BUFFER,
                    "max_callee_backlog": CALLEE_BACKLOG,
                    "max_calls_in_flight": CALLS_IN_FLIGHT,
                    "hold_calls": HOLD_CALLS,
                }
        web = next(t for t in router["transports"] if t["type"] == "web")
        web["max_connections"] = MAX_CONNECTIONS
        web.setdefault("options", {})["client_timeout"] = HELLO_TIMEOUT
        config["workers"] = [
            w for w in config["workers"] if w["type"] != "guest" or w.get("id") in ("calc", "echo")
        ]
        render.write(config, self.settings.node_dir)
        self._log = NodeLog(["calc", "echo"])
        return command, env


@pytest.fixture(scope="module")
def tight(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gateway]:
    settings = GatewaySettings(
        root=ROOT,
        state_dir=tmp_path_factory.mktemp("tight"),
        port=free_port(),
        echo_port=free_port(),
        rawsocket_port=free_port(),
    )
    accounts.add(settings.users_file, TEST_USER, password=TEST_PASSWORD)
    accounts.add(settings.users_file, ADMIN, password=ADMIN_PASSWORD, role="admin")
    with running(TightGateway(settings)) as gw:
        yield gw


def router_worker_pid(gateway: Gateway) -> int:
    """The Crossbar router worker: the node's child whose title names its controller."""
    assert gateway.pid is not None
    children = Path(f"/proc/{gateway.pid}/task/{gateway.pid}/children").read_text().split()
    for pid in children:
        with contextlib.suppress(OSError):
            if b"RouterController" in Path(f"/proc/{pid}/cmdline").read_bytes():
                return int(pid)
    raise AssertionError(f"no router worker among {children}")


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


def seconds_until_closed(sock: socket.socket | ClientConnection) -> float:
    """Block until the router closes the connection; ``inf`` if it is still open at the timeout."""
    started = time.monotonic()
    try:
        if isinstance(sock, ClientConnection):
            while True:
                sock.recv(ANSWER_TIMEOUT)
        sock.settimeout(ANSWER_TIMEOUT)
        while sock.recv(65536):
            pass
    except TimeoutError:
        return float("inf")
    except (ConnectionClosed, ConnectionResetError):
        pass
    return time.monotonic() - started


def _tcp(port: int) -> socket.socket:
    return socket.create_connection(("127.0.0.1", port), timeout=ANSWER_TIMEOUT)


def _unix(path: Path, handshake: bytes = b"") -> socket.socket:
    sock = socket.socket(socket.AF_UNIX)
    sock.connect(str(path))
    if handshake:
        sock.sendall(handshake)
    return sock


def test_idle_connections_are_closed(tight: Gateway) -> None:
    settings = tight.settings
    joined = Peer.join(settings.url)
    upgraded = connect(
        settings.url, subprotocols=[Subprotocol("wamp.2.json")], open_timeout=ANSWER_TIMEOUT
    )
    idle = {
        "tcp, no HTTP request": _tcp(settings.port),
        "websocket, no HELLO": upgraded,
        "rawsocket, no handshake": _unix(settings.socket_path),
        # RawSocket handshake for msgpack, then silence.
        "rawsocket, no HELLO": _unix(settings.socket_path, b"\x7f\xf2\x00\x00"),
    }
    seconds: dict[str, float] = {}
    threads = [
        threading.Thread(target=lambda k=k, s=s: seconds.__setitem__(k, seconds_until_closed(s)))
        for k, s in idle.items()
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    record(
        "idle_close_seconds",
        {k: round(v, 2) for k, v in seconds.items()} | {"timeout": HELLO_TIMEOUT},
    )
    assert set(seconds) == set(idle)
    assert all(v < ANSWER_TIMEOUT for v in seconds.values()), seconds
    # A session that joined is not touched by the timer that closed the others.
    assert joined.call_text(uris.CALC_ADD, "[1, 2]")[3] == [3]
    joined.close()
    for connection in idle.values():
        connection.close()


def _try_join(url: str) -> Peer | None:
    try:
        return Peer.join(url)
    except (ConnectionClosed, InvalidHandshake, OSError, EOFError):
        return None


def test_max_connections(tight: Gateway) -> None:
    url = tight.settings.url
    held = [Peer.join(url) for _ in range(MAX_CONNECTIONS)]
    try:
        assert _try_join(url) is None, "a connection beyond max_connections was served"
        held.pop().close()
        deadline = time.monotonic() + ANSWER_TIMEOUT
        while (extra := _try_join(url)) is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert extra is not None, "no room again after one connection closed"
        held.append(extra)
    finally:
        for peer in held:
            peer.close()


def _session_ids(admin: SyncSession) -> list[int]:
    return list(admin.call(uris.META_SESSION_LIST))


def test_slow_reader_is_dropped_and_memory_returns(tight: Gateway) -> None:
    url = tight.settings.url
    worker = router_worker_pid(tight)
    publisher = connect_sync(url, authid=TEST_USER, password=TEST_PASSWORD)
    # Only an admin may list sessions.
    watcher = connect_sync(url, authid=ADMIN, password=ADMIN_PASSWORD)
    baseline = rss_mib(worker)
    # A tiny receive buffer and a one-message client queue: it stops reading for real.
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect(("127.0.0.1", tight.settings.port))
    slow = Peer.join(url, sock=sock, max_queue=1)
    slow.subscribe("demo.flood")
    event = "x" * (64 * 1024)
    peak = baseline
    published = 0
    dropped = False
    for published in range(1, 801):
        publisher.publish("demo.flood", event)  # acknowledged: paced by the router
        if published % 10 == 0:
            with contextlib.suppress(ConnectionClosed, OSError):
                # Keep-alive traffic: the slow reader keeps talking, it just never reads.
                slow.send_text(f'[48,{slow.next_id()},{{}},"{uris.CALC_ADD}",[1,2]]')
            peak = max(peak, rss_mib(worker))
            if slow.session_id not in _session_ids(watcher):
                dropped = True
                break
    dropped_at = time.monotonic()
    # The router gives the dropped buffer back to the system shortly after the drop.
    while (after := rss_mib(worker)) > baseline + 8 and time.monotonic() - dropped_at < 10:
        time.sleep(0.1)
    returned_after = time.monotonic() - dropped_at
    record(
        "slow_reader",
        {
            "send_buffer_limit_mib": SEND_BUFFER / MIB,
            "event_kib": 64,
            "events_until_dropped": published,
            "rss_mib_before": round(baseline, 1),
            "rss_mib_peak": round(peak, 1),
            "rss_mib_after": round(after, 1),
            "rss_returned_after_s": round(returned_after, 2),
        },
    )
    for peer in (publisher, watcher, slow):
        with contextlib.suppress(Exception):
            peer.close()
    assert dropped, f"a client that reads nothing was still served after {published} events"
    assert peak - baseline < 64, f"router RSS grew from {baseline:.0f} to {peak:.0f} MiB"
    assert after - baseline <= 8, f"router RSS {after:.0f} MiB after, {baseline:.0f} before"


def test_no_timeout_line_for_a_session_that_joined_and_left(tight: Gateway) -> None:
    url = tight.settings.url
    peer = Peer.join(url)
    assert peer.call_text(uris.CALC_ADD, "[1, 2]")[3] == [3]
    port = peer.ws.socket.getsockname()[1]
    peer.send_text(json.dumps([6, {}, "wamp.close.normal"]))
    assert json.loads(peer.ws.recv(ANSWER_TIMEOUT))[0] == 6
    peer.close()
    # A later WebSocket that never says HELLO: once its timer has closed it,
    # the earlier connection's timer has run out too.
    idle = connect(url, subprotocols=[Subprotocol("wamp.2.json")], open_timeout=ANSWER_TIMEOUT)
    idle_port = idle.socket.getsockname()[1]
    assert seconds_until_closed(idle) < ANSWER_TIMEOUT
    idle.close()
    expected = f"127.0.0.1:{idle_port}: no WAMP session after"
    deadline = time.monotonic() + ANSWER_TIMEOUT
    while expected not in (text := tight.log_file.read_text(errors="replace")):
        assert time.monotonic() < deadline, f"no timeout line for the idle connection {idle_port}"
        time.sleep(0.05)
    assert f"127.0.0.1:{port}: no WAMP session" not in text


#: Requests sent one byte every half second: never idle as long as client_timeout.
DRIBBLED = {
    "headers": (b"", b"GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 1000),
    "body": (b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000\r\n\r\n", b"a" * 1000),
    "second request": (b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", b"GET / HTTP/1.1\r\n" * 60),
}


@pytest.mark.parametrize("shape", DRIBBLED)
def test_a_request_dribbled_byte_by_byte_is_closed_by_the_deadline(
    tight: Gateway, shape: str
) -> None:
    # Closed one deadline after accept or after the last whole request, not later.
    seconds = _seconds_until_dribbler_closed(tight.settings.port, *DRIBBLED[shape])
    assert CONNECT_TIMEOUT - 0.5 <= seconds < 1.5 * CONNECT_TIMEOUT, seconds


def _seconds_until_dribbler_closed(port: int, at_once: bytes, slowly: bytes) -> float:
    sock = _tcp(port)
    sock.sendall(at_once)
    closed = threading.Event()

    def dribble() -> None:
        for byte in slowly:
            if closed.is_set():
                return
            with contextlib.suppress(OSError):
                sock.send(bytes([byte]))
            closed.wait(0.5)

    sender = threading.Thread(target=dribble)
    sender.start()
    try:
        return seconds_until_closed(sock)
    finally:
        closed.set()
        sender.join()
        sock.close()


def test_an_echo_websocket_outlives_the_connect_deadline(tight: Gateway) -> None:
    echo = connect(f"ws://127.0.0.1:{tight.settings.port}/echo", open_timeout=ANSWER_TIMEOUT)
    # Opened after the echo socket and closed by the deadline: the echo one's has passed too.
    dribbled = _seconds_until_dribbler_closed(tight.settings.port, *DRIBBLED["body"])
    assert CONNECT_TIMEOUT - 0.5 <= dribbled < ANSWER_TIMEOUT
    echo.send("still served")
    assert echo.recv(ANSWER_TIMEOUT) == "still served"
    echo.close()


def _rawsocket_frame(wamp: list[object]) -> bytes:
    data = json.dumps(wamp).encode()
    return b"\x00" + len(data).to_bytes(3, "big") + data


def _rawsocket_json_peer(port: int) -> socket.socket:
    """A joined anonymous RawSocket JSON session (TCP) that reads only when told."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect(("127.0.0.1", port))
    sock.settimeout(ANSWER_TIMEOUT)
    sock.sendall(b"\x7f\xf1\x00\x00")  # JSON, messages up to 16 MiB
    assert sock.recv(4)[:1] == b"\x7f"
    sock.sendall(_rawsocket_frame([1, "realm1", {"roles": {"subscriber": {}}}]))
    header = sock.recv(4)
    welcome = json.loads(sock.recv(int.from_bytes(header[1:], "big"), socket.MSG_WAITALL))
    assert welcome[0] == 2, welcome
    return sock


def test_a_slow_rawsocket_client_gets_the_client_send_buffer(tight: Gateway) -> None:
    assert tight.settings.rawsocket_port is not None
    url = tight.settings.url
    publisher = connect_sync(url, authid=TEST_USER, password=TEST_PASSWORD)
    watcher = connect_sync(url, authid=ADMIN, password=ADMIN_PASSWORD)
    before = set(_session_ids(watcher))
    slow = _rawsocket_json_peer(tight.settings.rawsocket_port)
    slow.sendall(_rawsocket_frame([32, 1, {}, "demo.rawflood"]))  # then never reads again
    (session,) = set(_session_ids(watcher)) - before
    event = "x" * (64 * 1024)
    published = 0
    for published in range(1, 301):  # 300 x 64 KiB = 19 MiB: far past the 1 MiB limit
        publisher.publish("demo.rawflood", event)
        if published % 10 == 0 and session not in _session_ids(watcher):
            break
    still_there = session in _session_ids(watcher)
    for peer in (publisher, watcher, slow):
        peer.close()
    assert not still_there, f"a RawSocket client that reads nothing got {published} events"


def test_flooding_a_component_gets_answers_and_never_drops_it(tight: Gateway) -> None:
    url = tight.settings.url
    flood = connect(url, subprotocols=[Subprotocol("wamp.2.json")], max_size=2**24)
    flood.send(json.dumps([1, "realm1", {"roles": {"caller": {}}}]))
    assert json.loads(flood.recv(ANSWER_TIMEOUT))[0] == 2
    big = "e" * 500_000
    calls = 60  # 30 MB for calc, sent faster than it can take them
    for request in range(1, calls + 1):
        flood.send(f'[48,{request},{{}},"{uris.CALC_ADD}",["{big}",1]]')
    answers = [json.loads(flood.recv(ANSWER_TIMEOUT)) for _ in range(calls)]
    flood.close()
    errors = [answer[4] for answer in answers if answer[0] == 8]
    assert len(errors) == calls and {a[2] for a in answers} == set(range(1, calls + 1))
    assert "wamp.error.unavailable" in errors, errors
    assert set(errors) <= {"wamp.error.unavailable", "wamp.error.invalid_argument"}
    with connect_sync(url) as other:
        assert other.call(uris.CALC_ADD, 1, 2) == 3
    text = tight.log_file.read_text(errors="replace")
    assert "refused calls to session" in text
    dropped = [line for line in text.splitlines() if "bytes wait unread" in line and "unix" in line]
    assert dropped == [], dropped


def test_a_pipelined_flood_is_held_in_its_socket_and_every_call_answered(
    tight: Gateway,
) -> None:
    flood = Peer.join(tight.settings.url)
    calls = 20_000  # about 900 KB: many socket reads
    # Sent at once: the router reads on only while fewer than HOLD_CALLS are in flight.
    for request in range(1, calls + 1):
        flood.send_text(f'[48,{request},{{}},"{uris.CALC_ADD}",[{request},1]]')
    answers = [json.loads(flood.ws.recv(ANSWER_TIMEOUT)) for _ in range(calls)]
    flood.close()
    results = [a for a in answers if a[0] == 50]
    refused = [a for a in answers if a[0] == 8]
    assert len(results) + len(refused) == calls
    # Held, each read brings up to CALLS_IN_FLIGHT calls to the callee (about 900 in all);
    # read at once, the flood is refused after the first CALLS_IN_FLIGHT (about 200).
    assert len(results) > 8 * CALLS_IN_FLIGHT, len(results)
    assert all(a[3] == [a[1] + 1] for a in results)
    # What arrived in one read past the in-flight limit is refused, never dropped.
    assert all(a[4] == "wamp.error.unavailable" for a in refused)
    assert all("calls in flight" in a[5][0] for a in refused)
