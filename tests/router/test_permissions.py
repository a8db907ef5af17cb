"""The roles table: Crossbar's matching, the authorizer's answers and their caching."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from wampgate.clients import cli
from wampgate.contract import defaults, uris
from wampgate.router import accounts, permissions
from wampgate.router.permissions import ROLES, allows, authorization, rule
from wampgate.router.userstore import UsersError

ROOT = Path(__file__).resolve().parents[2]


def test_matching_follows_crossbar_longest_prefix_then_exact() -> None:
    rules = (
        rule("demo.", "prefix", "call", "publish"),
        rule("demo.clock.", "prefix", "call"),
        rule("demo.one", "exact", "subscribe"),
        rule("a..c", "wildcard", "register"),
    )
    assert allows(rules, "demo.calc.add", "publish")
    assert not allows(rules, "demo.clock.tick", "publish")
    assert allows(rules, "demo.one", "subscribe") and not allows(rules, "demo.one", "call")
    # An exact URI that is only a prefix of the URI matches nothing (Crossbar's trie).
    assert not allows(rules, "demo.one.two", "call")
    assert allows(rules, "a.b.c", "register") and not allows(rules, "a.b.d", "register")
    assert not allows(rules, "other.thing", "call")


@pytest.mark.parametrize("role", [defaults.ANONYMOUS_ROLE, defaults.USER_ROLE])
@pytest.mark.parametrize(
    "uri",
    [uris.META_SESSION_LIST, uris.META_SESSION_GET, uris.META_SESSION_COUNT,
     uris.META_REGISTRATION_LIST, uris.META_SUBSCRIPTION_LIST, uris.META_SESSION_KILL],
)  # fmt: skip
def test_only_admin_reads_the_meta_api(role: str, uri: str) -> None:
    assert not allows(ROLES[role].rules, uri, "call")
    assert authorization(ROLES[role], ["wamp."], uri, "call")["allow"] is (role == "user")
    assert allows(ROLES[defaults.ADMIN_ROLE].rules, uri, "call")


def test_table_answers_are_cached_prefix_answers_are_not() -> None:
    service = ROLES[defaults.SERVICE_ROLE]
    # Allowed by the table: the same for every user of the role, so cacheable.
    assert authorization(service, [], uris.CALC_ADD, "call") == {
        "allow": True,
        "cache": True,
        "disclose": False,
    }
    # Depends on who asks: decided at every action.
    mine = authorization(service, ["acme."], "acme.bill", "register")
    theirs = authorization(service, ["other."], "acme.bill", "register")
    assert mine == {"allow": True, "cache": False, "disclose": False}
    assert theirs == {"allow": False, "cache": False, "disclose": False}
    # A user's own prefixes give only the role's prefix actions: never register.
    assert authorization(ROLES["user"], ["bob."], "bob.x", "register") == {
        "allow": False,
        "cache": True,
        "disclose": False,
    }


def test_nobody_reaches_the_router_s_own_procedures() -> None:
    for name, role in ROLES.items():
        if name == defaults.BACKEND_ROLE:
            continue
        assert not allows(role.rules, uris.ROUTER_AUTHORIZE, "call")
        answer = authorization(role, ["wampgate."], uris.ROUTER_AUTHORIZE, "call")
        assert answer["allow"] is False and answer["cache"] is True


def test_role_and_prefix_are_checked_when_given(tmp_path: Path) -> None:
    users = tmp_path / "users.json"
    with pytest.raises(UsersError, match="one of user, service, admin"):
        accounts.add(users, "eve", password="long-enough-pw", role="backend")
    with pytest.raises(UsersError, match="needs --prefix"):
        accounts.add(users, "bot", password="long-enough-pw", role="service")
    accounts.add(users, "bot", password="long-enough-pw", role="service", prefixes=["acme."])
    assert accounts.grant(users, "bot", prefixes=["acme.", "beta."]).prefixes == (
        "acme.",
        "beta.",
    )
    assert accounts.grant(users, "bot", "admin").prefixes == ()


def test_security_md_holds_the_roles_table() -> None:
    assert permissions.markdown_table() in (ROOT / "SECURITY.md").read_text()


def test_role_list_and_show_print_the_table(tmp_path: Path) -> None:
    out = io.StringIO()
    assert cli.main(["role", "list"], out=out) == 0
    assert [line.split()[0] for line in out.getvalue().splitlines()] == list(ROLES)
    out = io.StringIO()
    assert cli.main(["role", "show", "service"], out=out) == 0
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("service: a program")
    assert lines[-1].split() == [*permissions.OWN_PREFIXES.split(), "prefix", *["yes"] * 4]
    assert ["demo.", "prefix", "yes", "-", "-", "yes"] in [line.split() for line in lines]


def test_user_grant_from_the_command_line(tmp_path: Path) -> None:
    state = ["--state-dir", str(tmp_path), "--root", str(ROOT)]
    accounts.add(tmp_path / "users.json", "bot", password="long-enough-pw")
    out = io.StringIO()
    args = ["user", "grant", "bot", "--role", "service", "--prefix", "acme.", *state]
    assert cli.main(args, out=out) == 0
    out = io.StringIO()
    assert cli.main(["user", "list", *state], out=out) == 0
    assert out.getvalue().split() == ["bot", "service", "wampcra", "acme."]
