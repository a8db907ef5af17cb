"""What each ``wampgate`` command does, given its parsed arguments.

Commands raise the client's errors (:mod:`wampgate.clients.errors`) or the
router's; the command line turns them into one line and an exit code.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import sys
import time
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import urlsplit, urlunsplit

from wampgate.clients import admin, bridgecli, historycli, meta, output, soakcli
from wampgate.clients.errors import ConnectError, UsageError
from wampgate.clients.parser import payload
from wampgate.clients.session import Session
from wampgate.clients.settings import ClientSettings, check_uri
from wampgate.contract import env, uris

log = logging.getLogger("wampgate")

Command = Callable[[argparse.Namespace, TextIO], Coroutine[Any, Any, None]]


def echo_url(wamp_url: str) -> str:
    """The echo server behind the router: the WAMP URL with path ``/echo``."""
    parts = urlsplit(wamp_url)
    return urlunsplit((parts.scheme, parts.netloc, "/echo", "", ""))


def _private_key(path: str) -> str:
    try:
        return Path(path).read_text().strip()
    except OSError as exc:
        raise UsageError(f"--key-file {path}: {exc.strerror}") from None


def settings_from(args: argparse.Namespace) -> ClientSettings:
    password = os.environ.get(env.PASSWORD)
    if args.user and not password and not args.key_file:
        raise UsageError(f"--user {args.user} needs a password (env {env.PASSWORD}) or --key-file")
    return ClientSettings(
        url=args.url,
        realm=args.realm,
        serializer=args.serializer,
        connect_timeout=args.connect_timeout,
        call_timeout=args.timeout,
        authid=args.user,
        password=password if args.user and not args.key_file else None,
        privkey=_private_key(args.key_file) if args.key_file else None,
        cafile=args.cafile,
    )


async def call(args: argparse.Namespace, out: TextIO) -> None:
    if args.uri is None:
        raise UsageError(
            "wampgate call: which procedure? give its URI and arguments, "
            "e.g. `wampgate call demo.calc.add 2 3` (`wampgate procedures` lists them)"
        )
    check_uri(args.uri)
    arguments, kwargs = payload(args)
    async with Session(settings_from(args)) as session:
        result = await session.call(args.uri, *arguments, **kwargs)
    print(output.to_json(result), file=out)


async def publish(args: argparse.Namespace, out: TextIO) -> None:
    check_uri(args.topic)
    arguments, kwargs = payload(args)
    async with Session(settings_from(args)) as session:
        publication = await session.publish(args.topic, *arguments, **kwargs)
    log.info("published to %s (publication %d)", args.topic, publication)


async def subscribe(args: argparse.Namespace, out: TextIO) -> None:
    check_uri(args.topic, args.match)
    settings = settings_from(args)
    received = 0
    with contextlib.ExitStack() as files:
        jsonl = files.enter_context(Path(args.jsonl).open("a")) if args.jsonl else None
        async with (
            Session(settings) as session,
            session.subscribe(args.topic, match=args.match, recover=args.recover) as events,
        ):
            log.info("subscribed to %s (%s match)", args.topic, args.match)
            async for event in events:
                received += 1
                if jsonl is not None:
                    record = output.event_record(event, datetime.now(UTC))
                    jsonl.write(json.dumps(record) + "\n")
                    jsonl.flush()
                print(f"{event.topic} {output.to_json(event.value)}", file=out, flush=True)
                if args.count is not None and received >= args.count:
                    break


async def status(args: argparse.Namespace, out: TextIO) -> None:
    async with Session(settings_from(args)) as session:
        sessions, registrations, subscriptions = await meta.read(session)
        bridges = await bridgecli.states(session, [uri for uri, _, _ in registrations])
    show = output.status_json if args.json else output.status_text
    print(show(args.url, args.realm, sessions, registrations, subscriptions, bridges), file=out)


async def procedures(args: argparse.Namespace, out: TextIO) -> None:
    async with Session(settings_from(args)) as session:
        if args.uri:
            info = await session.call(uris.CATALOG_DESCRIBE, check_uri(args.uri))
            print(json.dumps(info, indent=2), file=out)
            return
        catalog = await session.call(uris.CATALOG_LIST)
    if args.json:
        print(json.dumps(catalog, indent=2), file=out)
    else:
        for info in catalog:
            print(output.format_procedure(info), file=out)


async def echo(args: argparse.Namespace, out: TextIO) -> None:
    # The echo server speaks plain WebSocket, not WAMP.
    import websockets

    url = args.echo_url or echo_url(args.url)
    messages = args.messages or [line.rstrip("\n") for line in sys.stdin]
    try:
        async with websockets.connect(url, open_timeout=args.connect_timeout) as ws:
            for message in messages:
                start = time.perf_counter()
                await ws.send(message)
                reply = await ws.recv()
                rtt = (time.perf_counter() - start) * 1000
                print(f"{reply!s}  ({rtt:.2f} ms)", file=out)
    except (OSError, websockets.exceptions.InvalidHandshake, TimeoutError) as exc:
        raise ConnectError(url, str(exc) or type(exc).__name__) from None
    except websockets.exceptions.InvalidURI as exc:
        raise UsageError(f"--echo-url {url!r} is not a WebSocket URL ({exc})") from None


async def bench(args: argparse.Namespace, out: TextIO) -> None:
    from wampgate.clients import bench_cli

    await bench_cli.command(args, out, settings_from(args), _state_dir(args))


def _root(args: argparse.Namespace) -> Path:
    from wampgate.router.config import find_root

    return Path(args.root).resolve() if args.root else find_root()


def _state_dir(args: argparse.Namespace) -> Path:
    if args.state_dir:
        return Path(args.state_dir)
    from wampgate.router.config import GatewaySettings

    return GatewaySettings.from_env(_root(args)).state_dir


def admin_command(args: argparse.Namespace, out: TextIO) -> int:
    """``user``, ``role``, ``tls`` and ``http-sign``: files and tables, no router."""
    if args.command == "user":
        return admin.cmd_user(args, _state_dir(args) / "users.json", out)
    if args.command == "role":
        return admin.cmd_role(args, out)
    if args.command == "tls":
        return admin.cmd_tls(args, _state_dir(args), out)
    return admin.cmd_http_sign(args, out)


def up(args: argparse.Namespace) -> int:
    from wampgate.router import bridges
    from wampgate.router.config import GatewaySettings
    from wampgate.router.launcher import up

    settings = GatewaySettings.from_env(
        _root(args),
        host=args.host,
        expose_all=args.expose_all or None,
        port=args.port,
        echo_port=args.echo_port,
        rawsocket_port=args.rawsocket_port,
        realm=args.gateway_realm,
        state_dir=args.state_dir,
        tls_cert=args.tls_cert,
        tls_key=args.tls_key,
        allow_origins=tuple(args.allow_origin),
        http_key=args.http_key,
        workers=args.workers,
        bridges=tuple(bridges.load(spec) for spec in args.bridge) or None,
        proxies=args.proxies,
        proxy_port=args.proxy_port,
        rlink_port=args.rlink_port,
        journal=args.journal,
    )
    return up(settings, verbose=args.verbose)


ASYNC_COMMANDS: dict[str, Command] = {
    "bench": bench,
    "call": call,
    "publish": publish,
    "subscribe": subscribe,
    "status": status,
    "procedures": procedures,
    "echo": echo,
    "soak": soakcli.command,
    "bridge": bridgecli.command,
    "history": historycli.command,
}
