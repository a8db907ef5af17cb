"""Client settings and URIs are checked before anything is sent; the error tree."""

from __future__ import annotations

import pytest
from wampgate import clients
from wampgate.clients import errors
from wampgate.clients.settings import ClientSettings, check_uri


@pytest.mark.parametrize(
    ("uri", "match"),
    [
        ("demo.calc.add", "exact"),
        ("demo.", "prefix"),
        ("demo..tick", "wildcard"),
        ("com.example.x-y_1", "exact"),
    ],
)
def test_good_uris(uri: str, match: str) -> None:
    assert check_uri(uri, match) == uri


@pytest.mark.parametrize(
    ("uri", "match"),
    [
        ("bad uri!!", "exact"),
        ("demo.", "exact"),
        ("demo..tick", "exact"),
        ("demo..tick", "prefix"),
        ("a#b", "wildcard"),
        ("", "exact"),
        ("", "prefix"),
        (".", "prefix"),
        ("", "wildcard"),
        ("..", "wildcard"),
        (".", "wildcard"),
    ],
)
def test_bad_uris_are_usage_errors(uri: str, match: str) -> None:
    with pytest.raises(errors.InvalidUri, match="is not a WAMP URI") as caught:
        check_uri(uri, match)
    assert caught.value.exit_code == 2


def test_unknown_match() -> None:
    with pytest.raises(errors.UsageError, match="exact, prefix, wildcard"):
        check_uri("demo.x", "regex")


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8080/ws", "127.0.0.1:8080", "ws://h:x/ws", "", "rs://h:x"]
)
def test_urls_must_be_websocket_or_rawsocket_urls(url: str) -> None:
    with pytest.raises(
        errors.UsageError, match=r"not a WebSocket or RawSocket URL.*ws://HOST:PORT/PATH"
    ):
        ClientSettings(url=url)


def test_rawsocket_urls_take_one_serializer() -> None:
    transport = ClientSettings(url="rs://127.0.0.1:8081", serializer="cbor").component()
    (chosen,) = transport._transports
    assert (chosen.type, chosen.serializers) == ("rawsocket", ["cbor"])


@pytest.mark.parametrize("value", [0, -1, -0.5, float("nan"), "1", True])
def test_timeouts_must_be_positive(value: object) -> None:
    with pytest.raises(errors.UsageError, match="call_timeout must be a positive number"):
        ClientSettings(call_timeout=value)  # type: ignore[arg-type]
    with pytest.raises(errors.UsageError, match="connect_timeout must be a positive number"):
        ClientSettings(connect_timeout=value)  # type: ignore[arg-type]


def test_call_timeout_defaults_to_30s_and_reaches_the_router_in_whole_seconds() -> None:
    assert ClientSettings().call_timeout == 30
    assert ClientSettings(call_timeout=0.5).router_timeout == 1
    assert ClientSettings(call_timeout=2).router_timeout == 2
    assert ClientSettings(call_timeout=None).router_timeout is None


def test_a_user_needs_a_password_or_key() -> None:
    with pytest.raises(errors.UsageError, match="needs a password or a private key"):
        ClientSettings(authid="alice")


def test_one_tree_with_exit_codes() -> None:
    codes = {
        errors.UsageError: 2,
        errors.InvalidUri: 2,
        errors.ConnectError: 3,
        errors.AuthenticationFailed: 3,
        errors.ConnectionLost: 3,
        errors.CallTimeout: 1,
        errors.CallError: 1,
        errors.InvalidArgument: 1,
        errors.NoSuchProcedure: 1,
        errors.NotAuthorized: 1,
    }
    for cls, code in codes.items():
        assert issubclass(cls, clients.WampgateError)
        assert cls.exit_code == code, cls
        assert cls.__name__ in (errors.__doc__ or ""), cls
        assert getattr(clients, cls.__name__) is cls
    refused = errors.refused("ws://h/ws", "alice", "wamp.error.not_authorized", "bad ticket")
    assert isinstance(refused, errors.AuthenticationFailed)
    assert "wrong user name or password" in str(refused)
    realm = errors.refused("ws://h/ws", None, "wamp.error.no_such_realm", "no realm")
    assert type(realm) is errors.ConnectError


def test_only_a_cancel_at_the_deadline_is_a_timeout() -> None:
    from autobahn.wamp.exception import ApplicationError
    from wampgate.clients.errors import ran_out

    cancelled = ApplicationError(ApplicationError.CANCELED, "callee disconnected")
    assert ran_out(cancelled, 30, 30.2) and ran_out(cancelled, 0.5, 0.5)
    assert not ran_out(cancelled, 30, 1.5)  # the callee went away: the router's own answer
    assert not ran_out(cancelled, None, 100)
    assert not ran_out(ApplicationError("demo.calc.error.broken"), 30, 31)
