"""Roles on a running gateway: the meta API for admins only, services under their prefixes."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

import nacl.encoding
import nacl.signing
import pytest
from autobahn.wamp.exception import ApplicationError
from wampgate.clients import CallError, NotAuthorized, Session, connect
from wampgate.contract import uris
from wampgate.router import accounts, userstore
from wampgate.router.launcher import Gateway

from tests.conftest import TEST_PASSWORD, TEST_USER

ADMIN, ADMIN_PASSWORD = "root-ops", "admin-password-for-the-suite"
META_READS = [
    (uris.META_SESSION_COUNT, ()),
    (uris.META_SESSION_LIST, ()),
    (uris.META_REGISTRATION_LIST, ()),
    (uris.META_SUBSCRIPTION_LIST, ()),
]


def _keys() -> tuple[str, str]:
    key = nacl.signing.SigningKey.generate()
    return (
        key.encode(nacl.encoding.HexEncoder).decode(),
        key.verify_key.encode(nacl.encoding.HexEncoder).decode(),
    )


@contextlib.asynccontextmanager
async def _service(gateway: Gateway, name: str, prefix: str) -> AsyncIterator[Session]:
    private, public = _keys()
    users_file = gateway.settings.users_file
    accounts.add(users_file, name, pubkey=public, role="service", prefixes=[prefix])
    try:
        async with connect(gateway.settings.url, authid=name, privkey=private) as svc:
            yield svc
    finally:
        accounts.remove(users_file, name)


def _admin(gateway: Gateway) -> Session:
    users_file = gateway.settings.users_file
    if ADMIN not in userstore.load(users_file).users:
        accounts.add(users_file, ADMIN, password=ADMIN_PASSWORD, role="admin")
    return connect(gateway.settings.url, authid=ADMIN, password=ADMIN_PASSWORD)


async def _register(session: Session, uri: str) -> Any:
    """Register ``uri`` with Autobahn's session (the client library only calls)."""
    try:
        return await session._session.register(lambda *a: ["served", *a], uri)
    except ApplicationError as exc:
        return exc.error


async def test_anonymous_and_users_may_not_read_the_meta_api(url: str) -> None:
    async with (
        connect(url) as anonymous,
        connect(url, authid=TEST_USER, password=TEST_PASSWORD) as user,
    ):
        for session in (anonymous, user):
            for uri, args in [*META_READS, (uris.META_SESSION_GET, (anonymous.session_id,))]:
                with pytest.raises(NotAuthorized):
                    await session.call(uri, *args)
            with pytest.raises(NotAuthorized):
                await session.call(uris.ROUTER_AUTHORIZE, {"authrole": "admin"}, "x", "call", {})
            assert await session.call(uris.CALC_ADD, 1, 1) == 2  # still serving


async def test_admin_reads_the_meta_api_and_kills_a_session(gateway: Gateway, url: str) -> None:
    async with (
        _admin(gateway) as admin,
        connect(url) as victim,
        admin.subscribe("wamp.session.on_leave") as leaving,
    ):
        assert await admin.call(uris.META_SESSION_COUNT) >= 6
        victim_id = victim.session_id
        assert victim_id in await admin.call(uris.META_SESSION_LIST)
        details = await admin.call(uris.META_SESSION_GET, victim_id)
        assert details["authrole"] == "anonymous"
        assert uris.meta_ids(await admin.call(uris.META_REGISTRATION_LIST))
        await admin.call(uris.META_SESSION_KILL, victim_id)
        while (await leaving.next(timeout=10)).args[0] != victim_id:
            pass
        with pytest.raises(CallError) as caught:
            await admin.call(uris.META_SESSION_GET, victim_id)
        assert caught.value.uri == "wamp.error.no_such_session"
        assert await admin.call(uris.CALC_ADD, 2, 2) == 4  # an admin is a user too


async def test_service_registers_and_publishes_under_its_prefix_only(
    gateway: Gateway, url: str
) -> None:
    users_file = gateway.settings.users_file
    accounts.add(users_file, "clerk", password="clerk-password-long", prefixes=["acme."])
    async with (
        _service(gateway, "svc-acme", "acme.billing.") as acme,
        _service(gateway, "svc-beta", "beta.") as beta,
        connect(url) as anonymous,
        connect(url, authid="clerk", password="clerk-password-long") as clerk,
        clerk.subscribe("acme.billing.", match="prefix") as events,
    ):
        assert not isinstance(await _register(acme, "acme.billing.invoice"), str)
        # Its callers need the prefix too: a user given acme. may call, anonymous may not.
        assert await clerk.call("acme.billing.invoice", 7) == ["served", 7]
        with pytest.raises(NotAuthorized):
            await anonymous.call("acme.billing.invoice", 7)
        await acme.publish("acme.billing.paid", 7)
        assert (await events.next(timeout=10)).args == (7,)
        # Outside its prefix (URIs nobody holds): refused, like for anonymous.
        assert await _register(acme, "demo.unclaimed.acme") == "wamp.error.not_authorized"
        with pytest.raises(NotAuthorized):
            await acme.publish("demo.chat.lobby", "not a user")
        # The allow for one service is never reused for another of the same role.
        assert await _register(beta, "acme.billing.refund") == "wamp.error.not_authorized"
        with pytest.raises(NotAuthorized):
            await beta.publish("acme.billing.paid", "forged")
        assert not isinstance(await _register(beta, "beta.thing"), str)
    accounts.remove(users_file, "clerk")


async def test_prefixes_granted_and_withdrawn_apply_to_the_open_session(
    gateway: Gateway, url: str
) -> None:
    users_file = gateway.settings.users_file
    accounts.add(users_file, "dora", password="dora-password-long")
    try:
        async with connect(url, authid="dora", password="dora-password-long") as dora:
            with pytest.raises(NotAuthorized):
                await dora.publish("dora.notes", 1)
            accounts.grant(users_file, "dora", prefixes=["dora."])
            await dora.publish("dora.notes", 2)
            # A user's own prefix gives the user role's actions only: no register.
            assert await _register(dora, "dora.proc") == "wamp.error.not_authorized"
            accounts.grant(users_file, "dora", prefixes=[])
            with pytest.raises(NotAuthorized):
                await dora.publish("dora.notes", 3)
    finally:
        accounts.remove(users_file, "dora")
