"""A CALL reusing the request id of a call in flight closes only its own connection."""

from __future__ import annotations

import pytest
from wampgate.clients import connect
from wampgate.contract import uris
from wampgate.router.launcher import Gateway
from websockets.exceptions import ConnectionClosed

from tests.robustness.wire import ANSWER_TIMEOUT, Peer


async def test_a_reused_request_id_closes_that_connection_cleanly(gateway: Gateway) -> None:
    peer = Peer.join(gateway.settings.url)
    first = f'[48,7,{{}},"{uris.JOBS_SLOW_SQUARE}",[3, 1.0]]'
    peer.send_text(first)
    peer.send_text(first)  # the same id while the first is still running
    with pytest.raises(ConnectionClosed) as closed:
        while True:
            peer.ws.recv(ANSWER_TIMEOUT)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1008
    async with connect(gateway.settings.url) as other:  # others are served on
        assert await other.call(uris.CALC_ADD, 1, 2) == 3
    text = gateway.log_file.read_text(errors="replace")
    assert "CALL request id 7 is still in flight" in text
    assert "Failed to detach session" not in text
