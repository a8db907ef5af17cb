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
        "seq": event.seq,
        "recovered": event.recovered,
        **({"lost": event.lost} if event.lost else {}),
    }


def format_procedure(info: dict[str, Any]) -> str:
    """One catalog line: the catalog's signature text, then the docstring."""
    signature = info.get("signature") or f"{info['uri']}(...)"
    return f"{signature}  {info.get('doc') or ''}".rstrip()


def status_json(
    url: str,
    realm: str,
    sessions: int,
    registrations: list[Row],
    subscriptions: list[Row],
    bridges: list[dict[str, Any]] | None = None,
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
            "bridges": bridges or [],
        }
    )


def status_text(
    url: str,
    realm: str,
    sessions: int,
    registrations: list[Row],
    subscriptions: list[Row],
    bridges: list[dict[str, Any]] | None = None,
) -> str:
    lines = [
        f"router    {url} (realm {realm})",
        f"sessions  {sessions} (including this one)",
        f"registrations ({len(registrations)}):",
        *(f"  {u:<40} {m:<8} {c} callee(s)" for u, m, c in sorted(registrations)),
        f"subscriptions ({len(subscriptions)}):",
        *(f"  {u:<40} {m:<8} {c} subscriber(s)" for u, m, c in sorted(subscriptions)),
        *format_bridges(bridges or []),
    ]
    return "\n".join(lines)


def format_bridge(state: dict[str, Any]) -> list[str]:
    """A bridge's lines: name, kind and broker state, counters, then its mappings."""
    counts = state.get("counts") or {}
    rates = state.get("rates") or {}
    error = f" ({state['error']})" if state.get("error") else ""
    lines = [
        f"  {state.get('name', '?'):<16} {state.get('kind', '?'):<8} "
        f"{state.get('broker', '?')}{error}",
        f"    to WAMP {counts.get('to_wamp', 0)} ({rates.get('to_wamp', 0)}/s), "
        f"from WAMP {counts.get('from_wamp', 0)} ({rates.get('from_wamp', 0)}/s), "
        f"dropped {counts.get('dropped', 0)}, reconnects {state.get('reconnects', 0)}",
    ]
    return lines + [f"    {m}" for m in state.get("mappings") or []]


def format_bridges(found: list[dict[str, Any]]) -> list[str]:
    lines = [f"bridges ({len(found)}):"]
    for state in found:
        lines += format_bridge(state)
    return lines
