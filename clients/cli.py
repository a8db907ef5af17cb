"""The ``wampgate`` command line: parse, run one command, turn errors into exit codes.

Exit codes: 0 ok, 1 WAMP error (its URI is printed) or call timeout, 2 usage,
3 cannot connect (or the router refused the user name, password or key).
"""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Coroutine, Sequence
from typing import Any, TextIO

import coloredlogs
from wampgate.clients import commands
from wampgate.clients.errors import WampgateError
from wampgate.clients.parser import build_parser
from wampgate.router.errors import RouterError

EXIT_OK, EXIT_USAGE = 0, 2


def _log_debug(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    """Errors in Autobahn's own callbacks (e.g. a TLS handshake with a plain
    port) are noise: the command reports the failure itself, in one line."""
    logging.getLogger("wampgate").debug(
        "%s", context.get("message"), exc_info=context.get("exception")
    )


async def _quietly(command: Coroutine[Any, Any, None]) -> None:
    asyncio.get_running_loop().set_exception_handler(_log_debug)
    await command


def _run(argv: Sequence[str] | None, out: TextIO) -> int:
    args = build_parser().parse_args(argv)
    level = "DEBUG" if args.verbose else "INFO"
    coloredlogs.install(
        level=level, fmt="%(asctime)s %(levelname)s %(message)s", datefmt="%H:%M:%S"
    )
    logging.getLogger("autobahn").setLevel(logging.CRITICAL)
    if args.command == "up":
        return commands.up(args)
    if args.command in commands.ASYNC_COMMANDS:
        asyncio.run(_quietly(commands.ASYNC_COMMANDS[args.command](args, out)))
        return EXIT_OK
    return commands.admin_command(args, out)


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    try:
        return _run(argv, out or sys.stdout)
    except WampgateError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except RouterError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
