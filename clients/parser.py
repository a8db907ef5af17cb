"""The ``wampgate`` command line grammar: arguments in, a namespace out (no I/O)."""

from __future__ import annotations

import argparse
import json
import os
from typing import Any, NoReturn

from wampgate.clients import admin, bench_cli, bridgecli, historycli, soakcli
from wampgate.clients.errors import UsageError
from wampgate.clients.settings import (
    DEFAULT_CALL_TIMEOUT,
    DEFAULT_REALM,
    DEFAULT_URL,
    MATCHES,
    SERIALIZERS,
)
from wampgate.contract import env

EXIT_CODES = "Exit codes: 0 ok, 1 WAMP error or call timeout, 2 usage, 3 cannot connect."

#: What a value must start with to be meant as JSON (a plain word is a string).
_JSON_OPENERS = ("{", "[", '"')


class Parser(argparse.ArgumentParser):
    """Reports a malformed command line as one :class:`UsageError` line."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{self.prog}: {message} (see {self.prog} --help)")


def parse_value(text: str) -> Any:
    """A command line value: JSON where it parses (``2``, ``[1,2]``, ``true``), else the string.

    Text that opens like a JSON object, array or string must parse.
    """
    try:
        return json.loads(text)
    except RecursionError:
        raise argparse.ArgumentTypeError(
            f"JSON value of {len(text)} characters is nested too deeply to parse"
        ) from None
    except ValueError as exc:
        if text.lstrip().startswith(_JSON_OPENERS):
            raise argparse.ArgumentTypeError(
                f"{text!r} looks like JSON but does not parse: {exc}"
            ) from None
        return text


def parse_kwarg(pair: str) -> tuple[str, Any]:
    """``"a=1"`` → ``("a", 1)``."""
    key, sep, value = pair.partition("=")
    if not sep or not key:
        raise argparse.ArgumentTypeError(f"expects KEY=VALUE (e.g. -k b=2), got {pair!r}")
    return key, parse_value(value)


def seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"expects a positive number of seconds, got {text!r}")
    return value


def count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(
            f"expects a whole number of events of at least 1, got {text!r} "
            "(leave --count out to follow the topic until Ctrl-C)"
        )
    return value


def payload(args: argparse.Namespace) -> tuple[list[Any], dict[str, Any]]:
    """The positional and keyword arguments given with ARG and -k KEY=VALUE."""
    return list(args.args), dict(args.kwarg)


def _add_payload(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "args", nargs="*", default=[], type=parse_value, metavar="ARG", help="positional argument"
    )
    parser.add_argument(
        "-k",
        dest="kwarg",
        action="append",
        default=[],
        type=parse_kwarg,
        metavar="KEY=VALUE",
        help="keyword argument",
    )


def _client_options() -> argparse.ArgumentParser:
    client = argparse.ArgumentParser(add_help=False)
    client.add_argument(
        "--url",
        default=os.environ.get(env.URL, DEFAULT_URL),
        help=f"router WebSocket URL (env {env.URL}, default %(default)s)",
    )
    client.add_argument(
        "--realm",
        default=os.environ.get(env.REALM, DEFAULT_REALM),
        help=f"realm (env {env.REALM}, default %(default)s)",
    )
    client.add_argument("--serializer", choices=SERIALIZERS, default="json", help="default json")
    client.add_argument(
        "--timeout",
        type=seconds,
        default=DEFAULT_CALL_TIMEOUT,
        metavar="SECONDS",
        help="how long a call may take before it is cancelled (default %(default)g)",
    )
    client.add_argument(
        "--connect-timeout",
        type=seconds,
        default=10.0,
        metavar="SECONDS",
        help="how long to wait for the router (default %(default)g)",
    )
    client.add_argument(
        "--user",
        default=os.environ.get(env.USER),
        help=f"log in as this named user (env {env.USER}); anonymous without it",
    )
    client.add_argument(
        "--key-file", help="sign in with the Ed25519 private key (64 hex digits) in this file"
    )
    client.add_argument("--cafile", help="certificate(s) to trust for a wss:// URL")
    return client


def _add_gateway_commands(sub: Any) -> None:
    p = sub.add_parser(
        "up",
        help="start the gateway (router and components) in the foreground",
        description="Start Crossbar with the wampgate components; Ctrl-C stops everything.",
    )
    p.add_argument("--host", help=f"interface to listen on (env {env.HOST}, default 127.0.0.1)")
    p.add_argument(
        "--expose-all",
        action="store_true",
        help="allow a --host that means every interface (0.0.0.0, ::); off by default",
    )
    p.add_argument("--port", type=int, help=f"web/WebSocket port (env {env.PORT}, default 8080)")
    p.add_argument(
        "--echo-port", type=int, help=f"echo server port (env {env.ECHO_PORT}, default 9000)"
    )
    p.add_argument(
        "--rawsocket-port",
        type=int,
        help=f"WAMP over RawSocket for clients (env {env.RAWSOCKET_PORT}, default 8081; 0: off)",
    )
    p.add_argument("--realm", dest="gateway_realm", help=f"realm (env {env.REALM}, default realm1)")
    p.add_argument(
        "--state-dir", help="secret, rendered config and logs (default .wampgate/ in the checkout)"
    )
    p.add_argument("--root", help="the wampgate checkout (default: found automatically)")

    admin.add_up_arguments(p)
    admin.add_parsers(sub)


def _add_client_commands(sub: Any, client: argparse.ArgumentParser) -> None:
    json_args = "Arguments are parsed as JSON where they parse, else taken as strings."
    p = sub.add_parser(
        "call",
        parents=[client],
        help="call a procedure and print its result as JSON",
        description=json_args,
    )
    p.add_argument("uri", nargs="?", metavar="URI", help="procedure URI, e.g. demo.calc.add")
    _add_payload(p)

    p = sub.add_parser(
        "publish",
        parents=[client],
        help="publish an event (needs a role that may publish)",
        description=json_args,
    )
    p.add_argument("topic", metavar="TOPIC")
    _add_payload(p)

    p = sub.add_parser(
        "subscribe",
        parents=[client],
        help="print events of a topic as they arrive",
        description="Prints one line per event; --jsonl also appends each event to a file.",
    )
    p.add_argument("topic", metavar="TOPIC")
    p.add_argument("--match", choices=MATCHES, default="exact")
    p.add_argument("--recover", action="store_true", help=historycli.RECOVER_HELP)
    p.add_argument("--jsonl", metavar="FILE", help="append one JSON line per event to FILE")
    p.add_argument("--count", type=count, metavar="N", help="stop after N events (N >= 1)")
    p = sub.add_parser(
        "echo",
        parents=[client],
        help="send messages to the plain WebSocket echo server",
        description="Sends each MESSAGE (or stdin line); prints each reply and its round trip.",
    )
    p.add_argument("messages", nargs="*", default=[], metavar="MESSAGE")
    p.add_argument("--echo-url", help="echo server URL (default: the router's /echo)")
    p = sub.add_parser(
        "bench",
        parents=[client],
        help="RPC latency/throughput and pub/sub delivery, as ratios to a websockets echo pair",
        description="Load processes against a gateway on this machine: a table, JSON, a plot.",
    )
    bench_cli.add_arguments(p, seconds)

    p = sub.add_parser(
        "status",
        parents=[client],
        help="sessions, registrations and subscriptions (meta API; sign in as an admin)",
    )
    p.add_argument("--json", action="store_true", help="print JSON")

    p = sub.add_parser(
        "procedures", parents=[client], help="the catalog: every procedure with its signature"
    )
    p.add_argument("uri", nargs="?", help="describe one procedure (JSON Schema)")
    p.add_argument("--json", action="store_true", help="print the whole catalog as JSON")


def build_parser() -> Parser:
    parser = Parser(
        prog="wampgate",
        description="A WAMP RPC and pub/sub gateway: Crossbar router plus typed components.",
        epilog=EXIT_CODES,
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="more logging")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _add_gateway_commands(sub)
    client = _client_options()
    _add_client_commands(sub, client)
    soakcli.add_parser(sub, client)
    bridgecli.add_parser(sub, client)
    historycli.add_parser(sub, client)
    return parser
