"""``wampgate bridge list`` and the bridges part of ``wampgate status``.

Every joined bridge registers ``wampgate.bridge.state.<name>``; ``bridge list``
finds them in the catalog, ``status`` among the registrations it reads, and
each one is called.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterable
from typing import Any, TextIO

from wampgate.clients import output
from wampgate.clients.session import Session
from wampgate.contract import uris


def add_parser(sub: Any, client: argparse.ArgumentParser) -> None:
    p = sub.add_parser("bridge", help="the bridges to other brokers (RabbitMQ, Celery, ...)")
    actions = p.add_subparsers(dest="bridge_command", required=True, metavar="ACTION")
    listing = actions.add_parser(
        "list", parents=[client], help="each joined bridge: mappings, counts, broker state"
    )
    listing.add_argument("--json", action="store_true", help="print JSON")


def bridge_names(registered: Iterable[str]) -> list[str]:
    """The bridges among registered procedure URIs, by name.

    >>> bridge_names(["demo.calc.add", "wampgate.bridge.state.robots"])
    ['robots']
    """
    prefix = uris.BRIDGE_STATE_PREFIX
    return sorted({u[len(prefix) :] for u in registered if u.startswith(prefix)})


async def states(session: Session, registered: Iterable[str]) -> list[dict[str, Any]]:
    """The state of every bridge whose state procedure is among ``registered``."""
    found = []
    for name in bridge_names(registered):
        state = await session.call(uris.BRIDGE_STATE_PREFIX + name)
        if isinstance(state, dict):
            found.append(state)
    return found


async def registered_uris(session: Session) -> list[str]:
    """Every procedure in the catalog (anyone may read it; the meta API is for admins)."""
    return [str(entry["uri"]) for entry in await session.call(uris.CATALOG_LIST)]


async def command(args: argparse.Namespace, out: TextIO) -> None:
    from wampgate.clients.commands import settings_from

    async with Session(settings_from(args)) as session:
        found = await states(session, await registered_uris(session))
    text = json.dumps(found) if args.json else "\n".join(output.format_bridges(found))
    print(text, file=out)
