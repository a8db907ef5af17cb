"""The command line grammar, without a router: values, keywords, counts, one-line errors."""

from __future__ import annotations

import argparse

import pytest
from wampgate.clients.errors import UsageError
from wampgate.clients.parser import build_parser, parse_kwarg, parse_value


def test_parse_value() -> None:
    assert parse_value("2") == 2
    assert parse_value("2.5") == 2.5
    assert parse_value("[1, 2]") == [1, 2]
    assert parse_value('{"a": null}') == {"a": None}
    assert parse_value("true") is True
    assert parse_value("hello") == "hello"
    assert parse_value("two words") == "two words"
    assert parse_value("1.2.3") == "1.2.3"
    assert parse_value("") == ""


@pytest.mark.parametrize("text", ['{"a": 1', "[1, 2", '"unterminated', " {x}"])
def test_malformed_json_is_an_error(text: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError, match="looks like JSON but does not parse"):
        parse_value(text)


def test_parse_kwarg() -> None:
    assert parse_kwarg("a=1") == ("a", 1)
    assert parse_kwarg("eq=a=b") == ("eq", "a=b")
    for bad in ["a", "=1"]:
        with pytest.raises(argparse.ArgumentTypeError, match="KEY=VALUE"):
            parse_kwarg(bad)


def parse(*argv: str) -> argparse.Namespace:
    return build_parser().parse_args(argv)


def usage_error(*argv: str) -> str:
    with pytest.raises(UsageError) as caught:
        parse(*argv)
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_call_arguments() -> None:
    args = parse("call", "demo.echo", "1", "two", "-k", "flag=true", "--timeout", "0.5")
    assert (args.uri, args.args, args.kwarg) == ("demo.echo", [1, "two"], [("flag", True)])
    assert args.timeout == 0.5
    assert parse("call", "demo.echo").timeout == 30


def test_one_line_errors_name_what_is_wrong() -> None:
    assert "argument -k: expects KEY=VALUE" in usage_error("call", "demo.echo", "-k", "a")
    assert usage_error("call", "demo.echo", "-k", "a").startswith("wampgate call:")
    assert "looks like JSON" in usage_error("call", "demo.echo", '{"a": 1')
    assert "positive number of seconds" in usage_error("call", "x", "--timeout", "0")
    assert "positive number of seconds" in usage_error("call", "x", "--timeout", "soon")
    assert "invalid choice" in usage_error("frobnicate")
    assert "TOPIC" in usage_error("publish")


@pytest.mark.parametrize("count", ["0", "-1", "x"])
def test_subscribe_count_must_be_at_least_one(count: str) -> None:
    message = usage_error("subscribe", "demo.clock.tick", "--count", count)
    assert "--count" in message and "at least 1" in message
    assert parse("subscribe", "demo.clock.tick", "--count", "1").count == 1
    assert parse("subscribe", "demo.clock.tick").count is None


def test_too_deep_json_is_an_error() -> None:
    deep = "[" * 5000 + "]" * 5000
    with pytest.raises(argparse.ArgumentTypeError, match="nested too deeply"):
        parse_value(deep)
