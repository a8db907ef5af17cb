"""A bare WAMP-over-WebSocket (JSON) peer that sends exactly the bytes a test gives it.

The Python client library refuses to send hostile messages; a probe of the
router has to. It joins anonymously and writes JSON text.
"""

from __future__ import annotations

import itertools
import json
import socket
import time
from typing import Any

from websockets.sync.client import ClientConnection, connect
from websockets.typing import Subprotocol

HELLO, WELCOME, ERROR, PUBLISH, SUBSCRIBE, SUBSCRIBED, CALL, RESULT = 1, 2, 8, 16, 32, 33, 48, 50
#: Generous: an answer later than this counts as no answer at all.
ANSWER_TIMEOUT = 15.0


class Peer:
    """One joined anonymous session on a raw WebSocket connection."""

    def __init__(self, ws: ClientConnection, session_id: int) -> None:
        self.ws = ws
        self.session_id = session_id
        self._ids = itertools.count(1)

    @classmethod
    def join(
        cls,
        url: str,
        realm: str = "realm1",
        *,
        sock: socket.socket | None = None,
        max_queue: int | None = 16,
    ) -> Peer:
        ws = connect(
            url,
            subprotocols=[Subprotocol("wamp.2.json")],
            max_size=2**24,
            max_queue=max_queue,
            open_timeout=ANSWER_TIMEOUT,
            sock=sock,
        )
        details: dict[str, Any] = {"roles": {"caller": {}, "subscriber": {}, "publisher": {}}}
        ws.send(json.dumps([HELLO, realm, details]))
        reply = json.loads(ws.recv(ANSWER_TIMEOUT))
        if reply[0] != WELCOME:
            raise AssertionError(f"not welcomed: {reply}")
        return cls(ws, int(reply[1]))

    def next_id(self) -> int:
        return next(self._ids)

    def send_text(self, text: str) -> None:
        self.ws.send(text)

    def answer(self, request: int, kinds: tuple[int, ...] = (RESULT, ERROR)) -> list[Any]:
        """The RESULT or ERROR (or SUBSCRIBED, ...) for ``request``; raise TimeoutError."""
        deadline = time.monotonic() + ANSWER_TIMEOUT
        while True:
            reply = json.loads(self.ws.recv(max(0.0, deadline - time.monotonic())))
            position = 2 if reply[0] == ERROR else 1
            if reply[0] in kinds and reply[position] == request:
                return list(reply)

    def call_text(self, procedure: str, args_json: str) -> list[Any]:
        """CALL ``procedure`` with ``args_json`` (a JSON array as text) and wait for the answer."""
        request = self.next_id()
        self.send_text(f'[{CALL},{request},{{}},"{procedure}",{args_json}]')
        return self.answer(request)

    def subscribe(self, topic: str) -> None:
        request = self.next_id()
        self.send_text(json.dumps([SUBSCRIBE, request, {}, topic]))
        self.answer(request, (SUBSCRIBED, ERROR))

    def close(self) -> None:
        self.ws.close()
