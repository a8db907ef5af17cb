"""The wampgate CLI: pure helpers, then end to end against the real gateway."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from datetime import datetime
from pathlib import Path

from wampgate.clients import commands, meta, output
from wampgate.router import accounts, userstore
from wampgate.router.launcher import Gateway

from tests.clients.conftest import Callee, wait_for
from tests.conftest import TEST_PASSWORD, TEST_USER
from tests.helpers import free_port

WAMPGATE = str(Path(sys.executable).parent / "wampgate")
OPS_PASSWORD = "ops-password-for-the-suite"


def test_echo_url() -> None:
    assert commands.echo_url("ws://127.0.0.1:8080/ws") == "ws://127.0.0.1:8080/echo"
    assert commands.echo_url("wss://example.org/ws?x=1") == "wss://example.org/echo"


def test_format_procedure() -> None:
    info = {
        "uri": "demo.calc.add",
        "doc": "Add two numbers.",
        "signature": "demo.calc.add(a: number, b: number = 1) -> number",
    }
    assert (
        output.format_procedure(info)
        == "demo.calc.add(a: number, b: number = 1) -> number  Add two numbers."
    )
    assert output.format_procedure({"uri": "x.y", "doc": ""}) == "x.y(...)"


async def run(
    gateway: Gateway | None,
    *args: str,
    timeout: float = 60,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
) -> tuple[int, str, str]:
    environ = dict(os.environ) | (env or {})
    if gateway is not None:
        environ["WAMPGATE_URL"] = gateway.settings.url
    proc = await asyncio.create_subprocess_exec(
        WAMPGATE,
        *args,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=environ,
        cwd=cwd,
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
    assert code == 2 and "KEY=VALUE" in err
    code, _, err = await run(gateway, "frobnicate")
    assert code == 2 and "invalid choice" in err


def one_line(err: str) -> str:
    """The single error line of a refused command (no traceback, no usage dump)."""
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("error: ")
    return lines[0]


MALFORMED = {
    "bad procedure URI": (["call", "bad uri!!"], "not a WAMP URI"),
    "bad topic to publish": (["publish", "bad topic!", "1"], "not a WAMP URI"),
    "bad topic to subscribe": (["subscribe", "bad topic!"], "not a WAMP URI"),
    "bad prefix": (["subscribe", "demo..tick", "--match", "prefix"], "not a WAMP URI"),
    "empty prefix": (["subscribe", "", "--match", "prefix"], "not a WAMP URI"),
    "empty wildcard": (["subscribe", "--match", "wildcard", ""], "not a WAMP URI"),
    "dots-only wildcard": (["subscribe", "..", "--match", "wildcard"], "not a WAMP URI"),
    "exact with an empty part": (["subscribe", "demo..tick"], "--match wildcard"),
    "empty realm": (["call", "demo.echo", "--realm", ""], "realm"),
    "realm with a space": (["call", "demo.echo", "--realm", "bad realm"], "realm"),
    "http URL": (["call", "--url", "http://127.0.0.1:8080/ws", "demo.echo"], "ws://HOST:PORT"),
    "URL without scheme": (["call", "--url", "127.0.0.1:8080", "demo.echo"], "ws://HOST:PORT"),
    "no procedure": (["call"], "which procedure?"),
    "-k without =": (["call", "demo.echo", "-k", "a"], "argument -k: expects KEY=VALUE"),
    "zero count": (["subscribe", "demo.clock.tick", "--count", "0"], "at least 1"),
    "negative count": (["subscribe", "demo.clock.tick", "--count", "-1"], "at least 1"),
    "broken JSON": (["call", "demo.echo", '{"a": 1'], "looks like JSON but does not parse"),
    "zero timeout": (["call", "demo.echo", "--timeout", "0"], "positive number of seconds"),
    "too deep JSON": (["call", "demo.echo", "[" * 5000 + "]" * 5000], "nested too deeply"),
}


async def test_malformed_input_is_one_line_and_exit_2() -> None:
    # No router is needed: nothing malformed is ever sent.
    url = f"ws://127.0.0.1:{free_port()}/ws"
    results = await asyncio.gather(
        *(run(None, *argv, env={"WAMPGATE_URL": url}) for argv, _ in MALFORMED.values())
    )
    for (name, (_, expected)), (code, out, err) in zip(MALFORMED.items(), results, strict=True):
        assert (code, out) == (2, ""), (name, err)
        assert expected in one_line(err), name


async def test_a_value_that_cannot_be_sent_is_one_line_and_exit_2(gateway: Gateway) -> None:
    for argv in (["call", "demo.echo", '"\\ud800"'], ["publish", "demo.x", '"\\ud800"']):
        code, out, err = await run(gateway, *argv)
        assert (code, out) == (2, ""), err
        assert "cannot be sent" in one_line(err)


async def test_user_commands_report_bad_settings_in_one_line(tmp_path: Path) -> None:
    code, _, err = await run(None, "user", "list", env={"WAMPGATE_PORT": "http"}, cwd=tmp_path)
    assert code == 2
    assert "WAMPGATE_PORT='http' is not a port number" in one_line(err)


async def test_a_plain_word_is_still_a_string(gateway: Gateway) -> None:
    code, out, _ = await run(gateway, "call", "demo.echo", "hello", "-k", "who=world")
    assert (code, json.loads(out)) == (0, {"args": ["hello"], "kwargs": {"who": "world"}})


async def test_subscribe_count_1_stops_after_one_event(gateway: Gateway) -> None:
    code, out, _ = await run(gateway, "subscribe", "demo.clock.tick", "--count", "1")
    assert code == 0 and out.count("demo.clock.tick {") == 1


async def test_wildcard_subscription(gateway: Gateway) -> None:
    code, out, _ = await run(
        gateway, "subscribe", "demo..tick", "--match", "wildcard", "--count", "1"
    )
    assert code == 0 and out.startswith("demo.clock.tick {")


async def test_cannot_connect_exits_3_and_names_the_url() -> None:
    url = f"ws://127.0.0.1:{free_port()}/ws"
    code, _, err = await run(
        None, "call", "--url", url, "--connect-timeout", "5", "demo.calc.add", "1", "2"
    )
    assert code == 3
    assert url in err


async def test_wss_to_a_plain_port_is_one_line(gateway: Gateway) -> None:
    url = gateway.settings.url.replace("ws://", "wss://", 1)
    code, out, err = await run(
        None, "call", "--url", url, "--connect-timeout", "5", "demo.calc.add", "1", "2"
    )
    assert (code, out) == (3, "")
    assert url in one_line(err)


async def test_a_url_without_its_path_hints_at_ws(gateway: Gateway) -> None:
    url = gateway.settings.url.removesuffix("/ws")
    code, _, err = await run(
        None, "call", "--url", url, "--connect-timeout", "5", "demo.calc.add", "1", "2"
    )
    assert code == 3
    assert "/ws" in one_line(err).removeprefix(f"error: cannot connect to {url}")


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


async def test_status_needs_an_admin_and_lists_everything(gateway: Gateway) -> None:
    code, out, err = await run(gateway, "status")
    assert (code, out) == (1, "")
    assert err.strip() == f"error: wamp.error.not_authorized: {meta.REFUSED}"
    user = {"WAMPGATE_PASSWORD": TEST_PASSWORD}
    code, _, err = await run(gateway, "status", "--user", TEST_USER, env=user)
    assert code == 1 and "role admin" in err and err.count("\n") == 1
    if "ops" not in userstore.load(gateway.settings.users_file).users:
        accounts.add(gateway.settings.users_file, "ops", password=OPS_PASSWORD, role="admin")
    admin = {"WAMPGATE_PASSWORD": OPS_PASSWORD}
    code, out, _ = await run(gateway, "status", "--json", "--user", "ops", env=admin)
    assert code == 0
    status = json.loads(out)
    assert status["sessions"] >= 5  # four components and this CLI
    regs = {r["uri"]: r for r in status["registrations"]}
    assert regs["demo.calc.add"]["callees"] == 1
    assert "wampgate.catalog.list" in regs
    code, out, _ = await run(gateway, "status", "--user", "ops", env=admin)
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
    assert code == 2 and "user name" in one_line(err)
    # Adding again would silently lock alice out: it takes --replace.
    stored = (tmp_path / "users.json").read_text()
    again = {"WAMPGATE_PASSWORD": "alice-new-password"}
    code, _, err = await run(None, "user", "add", "alice", "--state-dir", state, env=again)
    assert code == 2 and "--replace" in one_line(err)
    assert (tmp_path / "users.json").read_text() == stored
    code, _, err = await run(
        None, "user", "add", "alice", "--replace", "--state-dir", state, env=again
    )
    assert code == 0, err
    assert (tmp_path / "users.json").read_text() != stored
    assert (await run(None, "user", "list", "--state-dir", state))[1] == "alice\tuser\twampcra\n"
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


async def test_wrong_password_says_so(gateway: Gateway) -> None:
    from tests.conftest import TEST_USER

    for user in (TEST_USER, "nobody"):
        code, _, err = await run(
            gateway,
            "call",
            "demo.calc.add",
            "1",
            "2",
            "--user",
            user,
            env={"WAMPGATE_PASSWORD": "wrong-password"},
        )
        assert code == 3
        line = one_line(err)
        assert "wrong user name or password" in line and repr(user) in line


async def test_a_call_without_answer_times_out(gateway: Gateway, never_answers: Callee) -> None:
    before = never_answers.cancelled
    code, out, err = await run(gateway, "call", never_answers.uri, "--timeout", "0.5")
    assert (code, out) == (1, "")
    assert f"{never_answers.uri}: no answer within 0.5s; the call was cancelled" in one_line(err)
    await wait_for(never_answers, "cancelled", before + 1)  # the callee stopped too
