"""The wampgate CLI: pure helpers, then end to end against the real gateway."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from datetime import datetime
from pathlib import Path

import pytest
from wampgate.clients import cli
from wampgate.router.launcher import Gateway

from tests.helpers import free_port

WAMPGATE = str(Path(sys.executable).parent / "wampgate")


def test_parse_value() -> None:
    assert cli.parse_value("2") == 2
    assert cli.parse_value("2.5") == 2.5
    assert cli.parse_value("[1, 2]") == [1, 2]
    assert cli.parse_value('{"a": null}') == {"a": None}
    assert cli.parse_value("true") is True
    assert cli.parse_value("hello") == "hello"
    assert cli.parse_value("") == ""


def test_parse_kwargs() -> None:
    assert cli.parse_kwargs(["a=1", "name=bob", "eq=a=b"]) == {"a": 1, "name": "bob", "eq": "a=b"}
    with pytest.raises(cli.UsageError, match="key=value"):
        cli.parse_kwargs(["novalue"])


def test_echo_url() -> None:
    assert cli.echo_url("ws://127.0.0.1:8080/ws") == "ws://127.0.0.1:8080/echo"
    assert cli.echo_url("wss://example.org/ws?x=1") == "wss://example.org/echo"


def test_format_procedure() -> None:
    info = {
        "uri": "demo.calc.add",
        "doc": "Add two numbers.",
        "positional": ["a", "b"],
        "params": {"properties": {"a": {"type": "number"}, "b": {"type": "number"}}},
        "result": {"type": "number"},
    }
    assert (
        cli.format_procedure(info)
        == "demo.calc.add(a: number, b: number) -> number  Add two numbers."
    )


async def run(gateway: Gateway | None, *args: str, timeout: float = 30) -> tuple[int, str, str]:
    env = dict(os.environ)
    if gateway is not None:
        env["WAMPGATE_URL"] = gateway.settings.url
    proc = await asyncio.create_subprocess_exec(
        WAMPGATE,
        *args,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=env,
    )
    out, err = await asyncio.wait_for(proc.communicate(), timeout)
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


async def test_call_prints_json(gateway: Gateway) -> None:
    assert await run(gateway, "call", "demo.calc.add", "2", "3") == (0, "5\n", "")
    code, out, _ = await run(gateway, "call", "demo.calc.xsum", "[1, 2, 3.5]")
    assert (code, out) == (0, "6.5\n")
    code, out, _ = await run(gateway, "call", "demo.echo", "1", "two", "-k", "flag=true")
    assert (code, json.loads(out)) == (0, {"args": [1, "two"], "kwargs": {"flag": True}})


async def test_call_errors_exit_1_with_the_uri(gateway: Gateway) -> None:
    code, out, err = await run(gateway, "call", "demo.calc.add", "x", "[]")
    assert code == 1 and out == ""
    assert "wamp.error.invalid_argument" in err and "argument 'a'" in err
    code, _, err = await run(gateway, "call", "demo.calc.broken")
    assert code == 1 and "demo.calc.error.broken" in err


async def test_usage_errors_exit_2(gateway: Gateway) -> None:
    code, _, err = await run(gateway, "call", "demo.calc.add", "1", "-k", "oops")
    assert code == 2 and "key=value" in err
    code, _, err = await run(gateway, "frobnicate")
    assert code == 2 and "invalid choice" in err


async def test_cannot_connect_exits_3_and_names_the_url() -> None:
    url = f"ws://127.0.0.1:{free_port()}/ws"
    code, _, err = await run(
        None, "call", "--url", url, "--timeout", "5", "demo.calc.add", "1", "2"
    )
    assert code == 3
    assert url in err


async def test_publish_is_refused_for_anonymous(gateway: Gateway) -> None:
    code, _, err = await run(gateway, "publish", "demo.clock.tick", '{"seq": 0}')
    assert code == 1 and "wamp.error.not_authorized" in err


async def test_subscribe_writes_jsonl(gateway: Gateway, tmp_path: Path) -> None:
    ticks, echoes = tmp_path / "ticks.jsonl", tmp_path / "everything.jsonl"
    # Two subscribers, each recording its own kind of message to its own file.
    (code1, out1, _), (code2, _, _) = await asyncio.gather(
        run(gateway, "subscribe", "demo.clock.tick", "--jsonl", str(ticks), "--count", "3"),
        run(
            gateway,
            "subscribe",
            "demo.",
            "--match",
            "prefix",
            "--jsonl",
            str(echoes),
            "--count",
            "2",
        ),
    )
    assert code1 == code2 == 0
    lines = [json.loads(line) for line in ticks.read_text().splitlines()]
    assert len(lines) == 3
    seqs = [line["args"][0]["seq"] for line in lines]
    assert seqs == [seqs[0], seqs[0] + 1, seqs[0] + 2]
    assert all(line["topic"] == "demo.clock.tick" for line in lines)
    assert all(datetime.fromisoformat(line["received"]) for line in lines)
    assert len(echoes.read_text().splitlines()) == 2
    assert out1.count("demo.clock.tick {") == 3


async def test_status_lists_sessions_registrations_subscriptions(gateway: Gateway) -> None:
    code, out, _ = await run(gateway, "status", "--json")
    assert code == 0
    status = json.loads(out)
    assert status["sessions"] >= 5  # four components and this CLI
    regs = {r["uri"]: r for r in status["registrations"]}
    assert regs["demo.calc.add"]["callees"] == 1
    assert "wampgate.catalog.list" in regs
    code, out, _ = await run(gateway, "status")
    assert code == 0 and "demo.calc.add" in out and "registrations" in out


async def test_procedures_prints_the_catalog(gateway: Gateway) -> None:
    code, out, _ = await run(gateway, "procedures")
    assert code == 0
    assert "demo.calc.add(a: number, b: number) -> number  Add two numbers." in out
    assert "demo.echo(*args, **kwargs)" in out
    code, out, _ = await run(gateway, "procedures", "demo.calc.xsum")
    assert code == 0 and json.loads(out)["params"]["required"] == ["numbers"]


async def test_echo_round_trips(gateway: Gateway) -> None:
    code, out, _ = await run(gateway, "echo", "hello", '{"a": 1}')
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("hello  (") and lines[0].endswith(" ms)")
    assert lines[1].startswith('{"a": 1}  (')


async def test_help_on_every_command() -> None:
    for command in ["up", "call", "publish", "subscribe", "echo", "status", "procedures"]:
        code, out, _ = await run(None, command, "--help")
        assert code == 0 and "usage: wampgate " + command in out


async def test_user_add_list_remove(tmp_path: Path) -> None:
    state = str(tmp_path)
    os.environ["WAMPGATE_PASSWORD"] = "alice-password"
    try:
        code, _, err = await run(None, "user", "add", "alice", "--state-dir", state)
    finally:
        del os.environ["WAMPGATE_PASSWORD"]
    assert code == 0, err
    assert "alice-password" not in (tmp_path / "users.json").read_text()
    listing = await run(None, "user", "list", "--state-dir", state)
    assert listing == (0, "alice\tuser\twampcra\n", "")
    code, _, err = await run(None, "user", "add", "Not Valid", "--state-dir", state)
    assert code == 2 and "user name" in err
    code, _, _ = await run(None, "user", "remove", "alice", "--state-dir", state)
    assert code == 0
    assert (await run(None, "user", "list", "--state-dir", state))[1] == ""


async def test_publish_as_a_named_user(gateway: Gateway) -> None:
    from tests.conftest import TEST_PASSWORD, TEST_USER

    code, _, err = await run(
        gateway, "publish", "demo.chat.cli", '{"text": "x"}', "--user", TEST_USER
    )
    assert code == 2 and "WAMPGATE_PASSWORD" in err
    os.environ["WAMPGATE_PASSWORD"] = TEST_PASSWORD
    try:
        code, _, err = await run(
            gateway, "publish", "demo.chat.cli", '{"text": "x"}', "--user", TEST_USER
        )
    finally:
        del os.environ["WAMPGATE_PASSWORD"]
    assert code == 0, err
    assert "published to demo.chat.cli" in err
