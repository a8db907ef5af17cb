"""The blocking facade."""

from __future__ import annotations

import pytest
from wampgate.clients import InvalidArgument, connect_sync
from wampgate.contract import uris
from wampgate.router.launcher import Gateway


def test_sync_call_and_subscribe(gateway: Gateway) -> None:
    with connect_sync(gateway.settings.url) as s:
        assert s.call(uris.CALC_ADD, 40, 2) == 42
        with pytest.raises(InvalidArgument):
            s.call(uris.CALC_ADD, "x", [])
        seqs = [e.value["seq"] for e in s.subscribe(uris.CLOCK_TICK, count=2, timeout=10)]
        assert seqs[1] == seqs[0] + 1
