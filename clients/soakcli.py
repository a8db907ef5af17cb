"""``wampgate soak`` on the command line: its arguments and the command."""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
from pathlib import Path
from typing import Any, TextIO

from wampgate.clients import soak
from wampgate.clients.errors import UsageError, WampgateError

log = logging.getLogger("wampgate")


def add_parser(sub: Any, client: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "soak",
        parents=[client],
        help="hold many subscribers while a named user publishes and callers call; count losses",
        description="Bounded and loopback only; exits 1 if an event was lost or a call failed.",
    )
    p.add_argument("--subscribers", type=int, default=1000, help="default %(default)s")
    p.add_argument("--publishes", type=int, default=2000, help="events (default %(default)s)")
    p.add_argument("--rate", type=float, default=50.0, help="events per second (default 50)")
    p.add_argument("--callers", type=int, default=20, help="concurrent callers (default 20)")
    p.add_argument("--max-seconds", type=float, default=900.0, help="stop after (default 900)")
    p.add_argument("--json", metavar="FILE", help="also write the figures as JSON")


async def command(args: argparse.Namespace, out: TextIO) -> None:
    from wampgate.clients.commands import settings_from

    client = settings_from(args)
    settings = soak.SoakSettings(
        client=dataclasses.replace(client, authid=None, password=None, privkey=None),
        publisher=client,
        subscribers=args.subscribers,
        publishes=args.publishes,
        rate=args.rate,
        callers=args.callers,
        max_seconds=args.max_seconds,
    )
    if (why := soak.problem(settings)) is not None:
        raise UsageError(why)
    report = await soak.soak(settings, progress=log.info)
    print(soak.format_report(report), file=out)
    if args.json:
        Path(args.json).write_text(json.dumps(soak.as_json(report), indent=2) + "\n")
    if report.lost or report.call_errors:
        raise WampgateError(f"{report.lost} event(s) lost, {report.call_errors} call error(s)")
