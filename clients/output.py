"""What the ``wampgate`` commands print: pure functions from values to text."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from wampgate.clients.session import CallResult
from wampgate.clients.subscription import Event

#: (uri, match, count) of one registration or subscription.
Row = tuple[str, str, int]


def to_json(value: Any) -> str:
    if isinstance(value, CallResult):
        value = {"args": list(value.args), "kwargs": value.kwargs}
    return json.dumps(value, ensure_ascii=False, default=repr)


def event_record(event: Event, received: datetime) -> dict[str, Any]:
    """The JSON line written for one event by ``subscribe --jsonl``."""
    return {
        "topic": event.topic,
        "args": list(event.args),
        "kwargs": event.kwargs,
        "publication": event.publication,
        "received": received.isoformat(timespec="milliseconds"),
    }


def format_procedure(info: dict[str, Any]) -> str:
    """One catalog line: the catalog's signature text, then the docstring."""
    signature = info.get("signature") or f"{info['uri']}(...)"
    return f"{signature}  {info.get('doc') or ''}".rstrip()


def status_json(
    url: str, realm: str, sessions: int, registrations: list[Row], subscriptions: list[Row]
) -> str:
    return json.dumps(
        {
            "url": url,
            "realm": realm,
            "sessions": sessions,
            "registrations": [
                {"uri": u, "match": m, "callees": c} for u, m, c in sorted(registrations)
            ],
            "subscriptions": [
                {"uri": u, "match": m, "subscribers": c} for u, m, c in sorted(subscriptions)
            ],
        }
    )


def status_text(
    url: str, realm: str, sessions: int, registrations: list[Row], subscriptions: list[Row]
) -> str:
    lines = [
        f"router    {url} (realm {realm})",
        f"sessions  {sessions} (including this one)",
        f"registrations ({len(registrations)}):",
        *(f"  {u:<40} {m:<8} {c} callee(s)" for u, m, c in sorted(registrations)),
        f"subscriptions ({len(subscriptions)}):",
        *(f"  {u:<40} {m:<8} {c} subscriber(s)" for u, m, c in sorted(subscriptions)),
    ]
    return "\n".join(lines)
