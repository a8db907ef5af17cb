"""The CLI's commands about who may come in: ``user``, ``role``, ``tls``, ``http-sign``.

They work on files in the state directory (the running gateway reads the
users file at every sign-in, so ``user`` changes apply at once) and never
print or log a password or secret.
"""

from __future__ import annotations

import argparse
import datetime
import getpass
import os
import sys
from pathlib import Path
from typing import TextIO

from wampgate.clients.errors import UsageError
from wampgate.contract import env as names

PASSWORD_ENV = names.PASSWORD


def _read_password(prompt: str) -> str:
    if os.environ.get(PASSWORD_ENV):
        return os.environ[PASSWORD_ENV]
    if sys.stdin.isatty():
        first = getpass.getpass(prompt)
        if getpass.getpass("again: ") != first:
            raise UsageError("the two passwords differ")
        return first
    return sys.stdin.readline().rstrip("\n")


def cmd_user(args: argparse.Namespace, users_file: Path, out: TextIO) -> int:
    from wampgate.router import accounts, userstore

    action, name = args.action, args.name
    if action == "list":
        for user_name, user in userstore.load(users_file).users.items():
            methods = "+".join(user.methods) or "none"
            extra = " ".join(user.prefixes)
            print(f"{user_name}\t{user.role}\t{methods}\t{extra}".rstrip(), file=out)
        return 0
    if action == "migrate":
        for migrated in userstore.migrate(users_file):
            print(
                f"{migrated}: ticket replaced by a salted key (the ticket is the password)",
                file=out,
            )
        return 0
    if not name:
        raise UsageError(f"wampgate user {action} needs a NAME")
    if action == "add":
        role, prefixes = accounts.check_role(args.role or userstore.DEFAULT_ROLE, args.prefix or ())
        password = None if args.key else _read_password(f"password for {name}: ")
        if name in userstore.load(users_file).users:
            if not args.replace:
                raise UsageError(
                    f"user {name!r} exists: `wampgate user add {name} --replace` replaces "
                    f"them, `wampgate user passwd {name}` changes only the password"
                )
            accounts.remove(users_file, name)
        accounts.add(
            users_file, name, password=password, pubkey=args.key, role=role, prefixes=prefixes
        )
    elif action == "grant":
        accounts.grant(users_file, name, args.role, args.prefix or ())
    elif action == "passwd":
        accounts.passwd(users_file, name, _read_password(f"new password for {name}: "))
    elif action == "key":
        if not args.key:
            raise UsageError("wampgate user key NAME needs --key PUBLIC_KEY_HEX")
        accounts.add_key(users_file, name, args.key)
    elif action == "remove":
        accounts.remove(users_file, name)
    print(f"user {name}: {action} done; applies from the next sign-in", file=out)
    return 0


def cmd_role(args: argparse.Namespace, out: TextIO) -> int:
    from wampgate.router import permissions

    if args.action == "list":
        for name, each in permissions.ROLES.items():
            print(f"{name:<10} {each.about}", file=out)
        return 0
    role = permissions.ROLES.get(args.name or "")
    if role is None:
        raise UsageError(f"wampgate role show needs a role: one of {', '.join(permissions.ROLES)}")
    print(f"{args.name}: {role.about}", file=out)
    print(f"  {'URI':<24} {'match':<8} " + " ".join(permissions.ACTIONS), file=out)
    for uri, match, allowed in permissions.rows(role):
        pairs = zip(permissions.ACTIONS, allowed, strict=True)
        marks = " ".join(f"{'yes' if yes else '-':<{len(a)}}" for a, yes in pairs)
        print(f"  {uri:<24} {match:<8} {marks}".rstrip(), file=out)
    return 0


def cmd_tls(args: argparse.Namespace, state_dir: Path, out: TextIO) -> int:
    from wampgate.router import tlscert

    folder = Path(args.out) if args.out else state_dir / "tls"
    cert, key = folder / "dev-cert.pem", folder / "dev-key.pem"
    tlscert.dev_cert(cert, key, hosts=tuple(args.host or ("127.0.0.1", "localhost")))
    print(f"wampgate up --tls-cert {cert} --tls-key {key}", file=out)
    return 0


def cmd_http_sign(args: argparse.Namespace, out: TextIO) -> int:
    from wampgate.router import httpsign

    key, secret = os.environ.get(names.HTTP_KEY), os.environ.get(names.HTTP_SECRET)
    if not key or not secret:
        raise UsageError(f"set {names.HTTP_KEY} and {names.HTTP_SECRET} (the bridge's)")
    body = args.body.encode("utf-8")
    signed = httpsign.sign(key, secret, body, datetime.datetime.now(datetime.UTC))
    print(signed.query(), file=out)
    return 0


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "user",
        help="manage named users (password or Ed25519 key); changes apply at once",
        description=f"add/passwd read the password from env {PASSWORD_ENV}, the terminal or "
        "one line of stdin; only a salted key derived from it is stored.",
    )
    p.add_argument("action", choices=["add", "list", "remove", "passwd", "key", "grant", "migrate"])
    p.add_argument("name", nargs="?")
    p.add_argument(
        "--role", help="the user's role: user (default), service, admin; see wampgate role list"
    )
    p.add_argument(
        "--prefix",
        action="append",
        help="a URI prefix of the user's own, e.g. acme.billing. (repeatable); "
        "grant replaces the user's prefixes",
    )
    p.add_argument("--key", help="an Ed25519 public key, 64 hex digits (WAMP-Cryptosign)")
    p.add_argument(
        "--replace", action="store_true", help="add: replace a user of that name (not kept)"
    )
    p.add_argument("--state-dir", help="default .wampgate/ in the checkout")
    p.add_argument("--root", help="the wampgate checkout (default: found automatically)")

    p = sub.add_parser(
        "role",
        help="the roles: what each may do on which URIs",
        description="Roles come from router/permissions.py; give one to a user with "
        "wampgate user add|grant NAME --role ROLE [--prefix P].",
    )
    p.add_argument("action", choices=["list", "show"])
    p.add_argument("name", nargs="?", help="the role to show")

    p = sub.add_parser("tls", help="TLS helpers: dev-cert writes a self-signed certificate")
    p.add_argument("action", choices=["dev-cert"])
    p.add_argument("--out", help="folder for the files (default <state dir>/tls)")
    p.add_argument("--host", action="append", help="a name or address it is for (repeatable)")
    p.add_argument("--state-dir", help="default .wampgate/ in the checkout")
    p.add_argument("--root", help="the wampgate checkout (default: found automatically)")

    p = sub.add_parser(
        "http-sign",
        help="print the signed query for an HTTP bridge request body",
        description=f"Key and secret from env {names.HTTP_KEY} and {names.HTTP_SECRET}. "
        "curl -X POST -H 'Content-Type: application/json' --data \"$BODY\" "
        '"http://127.0.0.1:8080/publish?$(wampgate http-sign "$BODY")"',
    )
    p.add_argument("body", help="the exact JSON body that will be sent")


def add_up_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--bridge",
        action="append",
        default=[],
        metavar="KIND[:FILE]",
        help="also run a bridge, supervised like the components (repeatable): KIND is amqp, "
        "celery, zmq or kafka, FILE a JSON object of its settings, e.g. "
        "--bridge amqp:robots.json (see docs/bridges.md)",
    )
    p.add_argument(
        "--journal",
        metavar="URL",
        help=f"the journal's database: a SQLite file, a postgresql:// URL or 'off' "
        f"(env {names.JOURNAL}, default journal.sqlite3 in the state dir)",
    )
    p.add_argument("--tls-cert", type=Path, help="serve https/wss with this certificate (PEM)")
    p.add_argument("--tls-key", type=Path, help="the certificate's private key (PEM)")
    p.add_argument(
        "--allow-origin",
        action="append",
        default=[],
        help="another page origin allowed to open /ws, e.g. https://app.example (repeatable)",
    )
    p.add_argument(
        "--http-key",
        default=os.environ.get(names.HTTP_KEY),
        help=f"turn on POST /publish and /call for this key (secret: env {names.HTTP_SECRET})",
    )
    p.add_argument(
        "--workers",
        type=int,
        metavar="N",
        help="processes of each work-queue component (demo.jobs.*; default 1): they share "
        "its procedures, a busy one gets no new call",
    )
    p.add_argument(
        "--proxies",
        type=int,
        metavar="N",
        help="Crossbar proxy workers that serve /ws on --proxy-port and forward to the router",
    )
    p.add_argument("--proxy-port", type=int, help="the proxies' port (default 8082)")
    p.add_argument(
        "--rlink-port",
        type=int,
        help="also run a second router worker serving /ws on this port, linked by an rlink",
    )
