"""``wampgate history``: a journaled topic's stored events, or every topic's sizes."""

from __future__ import annotations

import argparse
import json
from contextlib import ExitStack
from pathlib import Path
from typing import Any, TextIO

from wampgate.clients import output
from wampgate.clients.errors import UsageError
from wampgate.clients.session import Session
from wampgate.clients.settings import check_uri
from wampgate.contract import uris

RECOVER_HELP = "after a reconnect, first the events missed meanwhile (journaled topics)"
#: Events per call (the journal's own maximum).
PAGE = 1000


def add_parser(sub: Any, client: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "history",
        parents=[client],
        help="a journaled topic's stored events (JSON lines), or --stats for every topic",
        description="Prints one JSON line per stored event, oldest first.",
    )
    p.add_argument("topic", nargs="?", metavar="TOPIC")
    p.add_argument("--after", type=int, metavar="SEQ", help="only events with a seq above SEQ")
    p.add_argument("--since", metavar="ISO", help="only events from this time (ISO 8601)")
    p.add_argument("--until", metavar="ISO", help="only events before this time (ISO 8601)")
    p.add_argument("--limit", type=int, default=100, metavar="N", help="at most N (default 100)")
    p.add_argument("--jsonl", metavar="FILE", help="append the events to FILE instead")
    p.add_argument("--stats", action="store_true", help="each topic: events, seq range, bytes")


def _stats_line(item: dict[str, Any]) -> str:
    return (
        f"{item['topic']:<32} {item['count']:>8} events  seq {item['first_seq']}-"
        f"{item['last_seq']}  {item.get('bytes', 0):>10} bytes  {item['first_time']} .. "
        f"{item['last_time']}"
    )


async def _events(session: Session, args: argparse.Namespace) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    after = args.after
    while len(found) < args.limit:
        page = await session.call(
            uris.HISTORY_GET, args.topic, after=after, since=args.since, until=args.until,
            limit=min(PAGE, args.limit - len(found)),
        )  # fmt: skip
        found.extend(page)
        if len(page) < PAGE:
            break
        after = page[-1]["seq"]
    return found


async def command(args: argparse.Namespace, out: TextIO) -> None:
    from wampgate.clients.commands import settings_from

    if args.stats == bool(args.topic):
        raise UsageError("wampgate history: give a TOPIC, or --stats for every topic")
    if args.limit < 1:
        raise UsageError("--limit must be at least 1")
    if args.topic:
        check_uri(args.topic)
    async with Session(settings_from(args)) as session:
        if args.stats:
            stats = await session.call(uris.HISTORY_TOPICS, sizes=True)
            print("\n".join(_stats_line(item) for item in stats) or "no journaled events", file=out)
            return
        events = await _events(session, args)
    with ExitStack() as files:
        target = files.enter_context(Path(args.jsonl).open("a")) if args.jsonl else out
        for event in events:
            print(json.dumps(event, ensure_ascii=False, default=output.to_json), file=target)
