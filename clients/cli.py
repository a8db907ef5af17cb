"""The ``wampgate`` command line.

Exit codes: 0 ok, 1 WAMP error (its URI is printed), 2 usage, 3 cannot connect.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import urlsplit, urlunsplit

import coloredlogs
from wampgate.clients import admin
from wampgate.clients.errors import CallError, ConnectError, ConnectionLost, WampgateError
from wampgate.clients.session import (
    DEFAULT_REALM,
    DEFAULT_URL,
    CallResult,
    ClientSettings,
    Event,
    Session,
)
from wampgate.contract import uris
from wampgate.router.errors import RouterError

log = logging.getLogger("wampgate")

EXIT_OK, EXIT_WAMP_ERROR, EXIT_USAGE, EXIT_CONNECT = 0, 1, 2, 3


class UsageError(Exception):
    """A command line argument is malformed."""


# Pure helpers ---------------------------------------------------------------


def parse_value(text: str) -> Any:
    """A command line value: JSON where it parses (``2``, ``[1,2]``, ``true``), else the string."""
    try:
        return json.loads(text)
    except ValueError:
        return text


def parse_kwargs(pairs: Sequence[str]) -> dict[str, Any]:
    """``["a=1", "name=x"]`` → ``{"a": 1, "name": "x"}``."""
    out: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise UsageError(f"-k expects key=value, got {pair!r}")
        out[key] = parse_value(value)
    return out


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


def echo_url(wamp_url: str) -> str:
    """The echo server behind the router: the WAMP URL with path ``/echo``."""
    parts = urlsplit(wamp_url)
    return urlunsplit((parts.scheme, parts.netloc, "/echo", "", ""))


def format_procedure(info: dict[str, Any]) -> str:
    """One catalog line: ``uri(a: number, b: number) -> number  doc``."""
    props = info.get("params", {}).get("properties", {})
    names = [
        f"{name}: {props.get(name, {}).get('type', 'any')}" for name in info.get("positional", [])
    ]
    variadic = info.get("params", {}).get("x-variadic", {})
    names += ["*args"] if variadic.get("args") else []
    names += ["**kwargs"] if variadic.get("kwargs") else []
    params = ", ".join(names)
    result = info.get("result", {})
    returns = result.get("type", "any") if "not" not in result else "error"
    doc = info.get("doc") or ""
    return f"{info['uri']}({params}) -> {returns}  {doc}".rstrip()


# Commands -------------------------------------------------------------------


def _private_key(path: str) -> str:
    try:
        return Path(path).read_text().strip()
    except OSError as exc:
        raise UsageError(f"--key-file {path}: {exc.strerror}") from None


def settings_from(args: argparse.Namespace) -> ClientSettings:
    password = os.environ.get(admin.PASSWORD_ENV)
    if args.user and not password and not args.key_file:
        raise UsageError(
            f"--user {args.user} needs a password (env {admin.PASSWORD_ENV}) or --key-file"
        )
    return ClientSettings(
        url=args.url,
        realm=args.realm,
        serializer=args.serializer,
        connect_timeout=args.timeout,
        authid=args.user,
        password=password if args.user and not args.key_file else None,
        privkey=_private_key(args.key_file) if args.key_file else None,
        cafile=args.cafile,
    )


async def cmd_call(args: argparse.Namespace, out: TextIO) -> int:
    arguments, kwargs = payload(args)
    async with Session(settings_from(args)) as session:
        result = await session.call(args.uri, *arguments, **kwargs)
    print(to_json(result), file=out)
    return EXIT_OK


async def cmd_publish(args: argparse.Namespace, out: TextIO) -> int:
    arguments, kwargs = payload(args)
    async with Session(settings_from(args)) as session:
        publication = await session.publish(args.topic, *arguments, **kwargs)
    log.info("published to %s (publication %d)", args.topic, publication)
    return EXIT_OK


async def cmd_subscribe(args: argparse.Namespace, out: TextIO) -> int:
    received = 0
    with contextlib.ExitStack() as files:
        jsonl = files.enter_context(Path(args.jsonl).open("a")) if args.jsonl else None
        async with (
            Session(settings_from(args)) as session,
            session.subscribe(args.topic, match=args.match) as events,
        ):
            log.info("subscribed to %s (%s match)", args.topic, args.match)
            async for event in events:
                received += 1
                if jsonl is not None:
                    jsonl.write(json.dumps(event_record(event, datetime.now(UTC))) + "\n")
                    jsonl.flush()
                print(f"{event.topic} {to_json(event.value)}", file=out, flush=True)
                if args.count and received >= args.count:
                    break
    return EXIT_OK


async def cmd_status(args: argparse.Namespace, out: TextIO) -> int:
    async with Session(settings_from(args)) as session:

        async def listed(list_uri: str, get_uri: str, count_uri: str) -> list[tuple[str, str, int]]:
            """(uri, match, sessions) of every registration or subscription."""
            rows = []
            for item in uris.meta_ids(await session.call(list_uri)):
                info = await session.call(get_uri, item)
                rows.append((info["uri"], info["match"], await session.call(count_uri, item)))
            return rows

        sessions = await session.call(uris.META_SESSION_COUNT)
        registrations = await listed(
            uris.META_REGISTRATION_LIST,
            uris.META_REGISTRATION_GET,
            uris.META_REGISTRATION_COUNT_CALLEES,
        )
        subscriptions = await listed(
            uris.META_SUBSCRIPTION_LIST,
            uris.META_SUBSCRIPTION_GET,
            uris.META_SUBSCRIPTION_COUNT_SUBSCRIBERS,
        )
    if args.json:
        print(
            json.dumps(
                {
                    "url": args.url,
                    "realm": args.realm,
                    "sessions": sessions,
                    "registrations": [
                        {"uri": u, "match": m, "callees": c} for u, m, c in sorted(registrations)
                    ],
                    "subscriptions": [
                        {"uri": u, "match": m, "subscribers": c}
                        for u, m, c in sorted(subscriptions)
                    ],
                }
            ),
            file=out,
        )
        return EXIT_OK
    print(f"router    {args.url} (realm {args.realm})", file=out)
    print(f"sessions  {sessions} (including this one)", file=out)
    print(f"registrations ({len(registrations)}):", file=out)
    for uri, match, count in sorted(registrations):
        print(f"  {uri:<40} {match:<8} {count} callee(s)", file=out)
    print(f"subscriptions ({len(subscriptions)}):", file=out)
    for uri, match, count in sorted(subscriptions):
        print(f"  {uri:<40} {match:<8} {count} subscriber(s)", file=out)
    return EXIT_OK


async def cmd_procedures(args: argparse.Namespace, out: TextIO) -> int:
    async with Session(settings_from(args)) as session:
        if args.uri:
            info = await session.call(uris.CATALOG_DESCRIBE, args.uri)
            print(json.dumps(info, indent=2), file=out)
            return EXIT_OK
        catalog = await session.call(uris.CATALOG_LIST)
    if args.json:
        print(json.dumps(catalog, indent=2), file=out)
    else:
        for info in catalog:
            print(format_procedure(info), file=out)
    return EXIT_OK


async def cmd_echo(args: argparse.Namespace, out: TextIO) -> int:
    # The echo server speaks plain WebSocket, not WAMP.
    import websockets

    url = args.echo_url or echo_url(args.url)
    messages = args.messages or [line.rstrip("\n") for line in sys.stdin]
    try:
        async with websockets.connect(url, open_timeout=args.timeout) as ws:
            for message in messages:
                start = time.perf_counter()
                await ws.send(message)
                reply = await ws.recv()
                rtt = (time.perf_counter() - start) * 1000
                print(f"{reply!s}  ({rtt:.2f} ms)", file=out)
    except (OSError, websockets.exceptions.InvalidHandshake, TimeoutError) as exc:
        raise ConnectError(url, str(exc) or type(exc).__name__) from None
    return EXIT_OK


async def cmd_bench(args: argparse.Namespace, out: TextIO) -> int:
    from wampgate.clients import bench

    if args.calls < 1 or args.window < 1:
        raise UsageError("--calls and --window must be at least 1")
    serializers = [s.strip() for s in args.serializers.split(",") if s.strip()]
    unknown = set(serializers) - {"json", "msgpack", "cbor"}
    if unknown or not serializers:
        raise UsageError(f"--serializers takes json, msgpack and cbor, not {sorted(unknown)}")
    log.info("benchmarking %s: %d calls per serializer", args.url, args.calls)
    try:
        report = await bench.run(
            args.url,
            args.echo_url or echo_url(args.url),
            args.realm,
            serializers,
            args.calls,
            args.window,
        )
    except (OSError, websockets_errors()) as exc:
        raise ConnectError(args.url, str(exc) or type(exc).__name__) from None
    print(bench.format_report(report), file=out)
    path = bench.save(report, Path(args.out))
    log.info("results saved to %s", path)
    return EXIT_OK


def websockets_errors() -> type[Exception]:
    import websockets

    return websockets.exceptions.InvalidHandshake


def _state_dir(args: argparse.Namespace) -> Path:
    from wampgate.router.config import GatewaySettings, find_root

    root = Path(args.root).resolve() if args.root else find_root()
    return GatewaySettings.from_env(root, state_dir=args.state_dir).state_dir


def cmd_up(args: argparse.Namespace) -> int:
    from wampgate.router.config import ConfigError, GatewaySettings, find_root
    from wampgate.router.launcher import up

    try:
        root = Path(args.root).resolve() if args.root else find_root()
        settings = GatewaySettings.from_env(
            root,
            host=args.host,
            port=args.port,
            echo_port=args.echo_port,
            realm=args.gateway_realm,
            state_dir=args.state_dir,
            tls_cert=args.tls_cert,
            tls_key=args.tls_key,
            allow_origins=tuple(args.allow_origin),
            http_key=args.http_key,
        )
    except ConfigError as exc:
        log.error("%s", exc)
        return EXIT_USAGE
    return up(settings, verbose=args.verbose)


# Parser ---------------------------------------------------------------------


def add_payload_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("args", nargs="*", metavar="ARG", help="positional arguments")
    parser.add_argument(
        "-k",
        dest="kwarg",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="keyword argument",
    )


def payload(args: argparse.Namespace) -> tuple[list[Any], dict[str, Any]]:
    return [parse_value(a) for a in args.args], parse_kwargs(args.kwarg)


def build_parser() -> argparse.ArgumentParser:
    env = os.environ
    parser = argparse.ArgumentParser(
        prog="wampgate",
        description="A WAMP RPC and pub/sub gateway: Crossbar router plus typed components.",
        epilog="Exit codes: 0 ok, 1 WAMP error, 2 usage, 3 cannot connect.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="more logging")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    client = argparse.ArgumentParser(add_help=False)
    client.add_argument(
        "--url",
        default=env.get("WAMPGATE_URL", DEFAULT_URL),
        help="router WebSocket URL (env WAMPGATE_URL, default %(default)s)",
    )
    client.add_argument(
        "--realm",
        default=env.get("WAMPGATE_REALM", DEFAULT_REALM),
        help="realm (env WAMPGATE_REALM, default %(default)s)",
    )
    client.add_argument(
        "--serializer", choices=["json", "msgpack", "cbor"], default="json", help="default json"
    )
    client.add_argument(
        "--timeout", type=float, default=10.0, help="seconds to wait for the router (default 10)"
    )
    client.add_argument(
        "--user",
        default=env.get("WAMPGATE_USER"),
        help="log in as this named user (env WAMPGATE_USER); anonymous without it",
    )
    client.add_argument(
        "--key-file",
        help="sign in with the Ed25519 private key (64 hex digits) in this file",
    )
    client.add_argument("--cafile", help="certificate(s) to trust for a wss:// URL")

    p = sub.add_parser(
        "up",
        help="start the gateway (router and components) in the foreground",
        description="Start Crossbar with the wampgate components; Ctrl-C stops everything.",
    )
    p.add_argument("--host", help="interface to listen on (env WAMPGATE_HOST, default 127.0.0.1)")
    p.add_argument("--port", type=int, help="web/WebSocket port (env WAMPGATE_PORT, default 8080)")
    p.add_argument(
        "--echo-port", type=int, help="echo server port (env WAMPGATE_ECHO_PORT, default 9000)"
    )
    p.add_argument(
        "--realm", dest="gateway_realm", help="realm (env WAMPGATE_REALM, default realm1)"
    )
    p.add_argument(
        "--state-dir", help="secret, rendered config and logs (default .wampgate/ in the checkout)"
    )
    p.add_argument("--root", help="the wampgate checkout (default: found automatically)")
    admin.add_up_arguments(p)

    admin.add_parsers(sub)

    p = sub.add_parser(
        "call",
        parents=[client],
        help="call a procedure and print its result as JSON",
        description="Arguments are parsed as JSON where they parse, else taken as strings.",
    )
    p.add_argument("uri", help="procedure URI, e.g. demo.calc.add")
    add_payload_arguments(p)

    p = sub.add_parser(
        "publish",
        parents=[client],
        help="publish an event (needs a role that may publish)",
        description="Arguments are parsed as JSON where they parse, else taken as strings.",
    )
    p.add_argument("topic")
    add_payload_arguments(p)

    p = sub.add_parser(
        "subscribe",
        parents=[client],
        help="print events of a topic as they arrive",
        description="Prints one line per event; --jsonl also appends each event to a file.",
    )
    p.add_argument("topic")
    p.add_argument("--match", choices=["exact", "prefix", "wildcard"], default="exact")
    p.add_argument("--jsonl", metavar="FILE", help="append one JSON line per event to FILE")
    p.add_argument("--count", type=int, metavar="N", help="stop after N events")

    p = sub.add_parser(
        "echo",
        parents=[client],
        help="send messages to the plain WebSocket echo server",
        description="Sends each MESSAGE (or stdin line); prints each reply and its round trip.",
    )
    p.add_argument("messages", nargs="*", metavar="MESSAGE")
    p.add_argument("--echo-url", help="echo server URL (default: the router's /echo)")

    p = sub.add_parser(
        "bench",
        parents=[client],
        help="measure call latency and throughput against a plain WebSocket baseline",
        description="Runs against a live gateway; prints a table and saves JSON results.",
    )
    p.add_argument("--calls", type=int, default=2000, help="operations per measurement")
    p.add_argument("--window", type=int, default=64, help="calls in flight when pipelined")
    p.add_argument(
        "--serializers",
        default="json,msgpack,cbor",
        help="comma-separated serializers to measure (default: %(default)s)",
    )
    p.add_argument("--echo-url", help="baseline echo URL (default: the router's /echo)")
    p.add_argument("--out", default="bench/results", help="folder for the JSON results")

    p = sub.add_parser(
        "status", parents=[client], help="sessions, registrations and subscriptions (meta API)"
    )
    p.add_argument("--json", action="store_true", help="print JSON")

    p = sub.add_parser(
        "procedures", parents=[client], help="the catalog: every procedure with its signature"
    )
    p.add_argument("uri", nargs="?", help="describe one procedure (JSON Schema)")
    p.add_argument("--json", action="store_true", help="print the whole catalog as JSON")
    return parser


COMMANDS = {
    "bench": cmd_bench,
    "call": cmd_call,
    "publish": cmd_publish,
    "subscribe": cmd_subscribe,
    "status": cmd_status,
    "procedures": cmd_procedures,
    "echo": cmd_echo,
}


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    level = "DEBUG" if args.verbose else "INFO"
    coloredlogs.install(
        level=level, fmt="%(asctime)s %(levelname)s %(message)s", datefmt="%H:%M:%S"
    )
    logging.getLogger("autobahn").setLevel(logging.CRITICAL)
    if args.command == "up":
        return cmd_up(args)
    try:
        if args.command == "user":
            return admin.cmd_user(args, _state_dir(args) / "users.json", out or sys.stdout)
        if args.command == "tls":
            return admin.cmd_tls(args, _state_dir(args), out or sys.stdout)
        if args.command == "http-sign":
            return admin.cmd_http_sign(args, out or sys.stdout)
        return asyncio.run(COMMANDS[args.command](args, out or sys.stdout))
    except (UsageError, admin.AdminUsageError) as exc:
        parser.error(str(exc))
    except RouterError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except CallError as exc:
        print(
            f"error: {exc.uri}: {exc.message}" if exc.message else f"error: {exc.uri}",
            file=sys.stderr,
        )
        return EXIT_WAMP_ERROR
    except (ConnectError, ConnectionLost) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_CONNECT
    except WampgateError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_WAMP_ERROR
    except KeyboardInterrupt:
        return EXIT_OK
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
