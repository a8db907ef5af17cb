"""The journal's ``x_seq`` of a received EVENT, which Autobahn itself does not keep.

Autobahn's ``Event.parse`` copies the details it knows into the message and
drops the rest, and the handler only sees an ``EventDetails``. :func:`install`
wraps ``Event.parse`` once per process to remember the seq of each recent
publication, so the subscription handler can look it up by publication id
(it runs right after the parse, on the same thread).
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from autobahn.wamp import message
from wampgate.contract import uris

#: Publications remembered at most (the handler reads its entry at once).
RECENT = 4_096
_seqs: OrderedDict[int, int] = OrderedDict()


def _wrap(original: Any) -> Any:
    def parse(wmsg: Any) -> Any:
        msg = original(wmsg)
        details = wmsg[3] if len(wmsg) > 3 else None
        seq = details.get(uris.EVENT_SEQ_KEY) if isinstance(details, dict) else None
        if isinstance(seq, int) and not isinstance(seq, bool):
            _seqs[msg.publication] = seq
            if len(_seqs) > RECENT:
                _seqs.popitem(last=False)
        return msg

    parse.wampgate_seq = True  # type: ignore[attr-defined]
    return staticmethod(parse)


def install() -> None:
    """Make :func:`seq_of` work for EVENTs parsed from now on (idempotent)."""
    if not getattr(message.Event.parse, "wampgate_seq", False):
        message.Event.parse = _wrap(message.Event.parse)


def seq_of(publication: int) -> int | None:
    """The journal seq the router sent with ``publication``, if any."""
    return _seqs.get(publication)
