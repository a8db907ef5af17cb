"""What the router sends a JSON client is standard JSON: never NaN or Infinity.

Python writes non-finite floats as ``NaN``/``Infinity``; JavaScript's
``JSON.parse`` (browsers, Node clients) rejects them and drops the
connection. A result that would carry one is answered with an error, an
event that would carry one skips that subscriber.
"""

from __future__ import annotations

import json
from typing import Any

from wampgate.clients import connect
from wampgate.contract import uris

from tests.conftest import TEST_PASSWORD, TEST_USER
from tests.robustness.wire import ANSWER_TIMEOUT, Peer


def _reject(constant: str) -> Any:
    raise AssertionError(f"the router sent {constant}, which is not JSON")


def strict_answer(peer: Peer, procedure: str, args_json: str) -> list[Any]:
    request = peer.next_id()
    peer.send_text(f'[48,{request},{{}},"{procedure}",{args_json}]')
    return list(json.loads(peer.ws.recv(ANSWER_TIMEOUT), parse_constant=_reject))


def test_a_non_finite_result_is_an_error_and_the_session_goes_on(url: str) -> None:
    peer = Peer.join(url)
    overflow = strict_answer(peer, uris.CALC_ADD, "[1e308, 1e308]")
    assert overflow[0] == 8 and overflow[4] == "wamp.error.invalid_argument", overflow
    assert "not JSON compliant" in overflow[5][0]
    echoed = strict_answer(peer, uris.ECHO, "[NaN]")
    assert echoed[0] == 8, echoed
    assert strict_answer(peer, uris.CALC_ADD, "[2, 3]")[3] == [5]
    peer.close()


async def test_a_non_finite_event_skips_json_subscribers_only(url: str) -> None:
    watcher = Peer.join(url)
    watcher.subscribe("demo.strict")
    async with connect(url, authid=TEST_USER, password=TEST_PASSWORD) as publisher:
        await publisher.publish("demo.strict", float("nan"))
        await publisher.publish("demo.strict", 1.5)
    event = json.loads(watcher.ws.recv(ANSWER_TIMEOUT), parse_constant=_reject)
    assert event[0] == 36 and event[4] == [1.5], event
    watcher.close()
