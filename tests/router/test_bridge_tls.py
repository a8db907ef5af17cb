"""The TLS-only gateway with the signed HTTP bridge on (``tls_gateway`` in tests/conftest.py)."""

from __future__ import annotations

import asyncio
import datetime
import json
import os
import ssl
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from wampgate.clients import ConnectError, connect
from wampgate.router import httpsign
from wampgate.router.launcher import Gateway

from tests.conftest import HTTP_KEY, HTTP_SECRET

ROOT = Path(__file__).resolve().parents[2]
KEY, SECRET = HTTP_KEY, HTTP_SECRET


def _post(
    gw: Gateway, query: str, body: bytes, path: str = "publish"
) -> tuple[int, dict[str, object]]:
    context = ssl.create_default_context(cafile=str(gw.settings.tls_cert))
    url = f"https://127.0.0.1:{gw.settings.port}/{path}?{query}"
    request = urllib.request.Request(
        url, data=body, method="POST", headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, context=context, timeout=30) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def _signed(body: bytes, moment: datetime.datetime | None = None) -> str:
    now = moment or datetime.datetime.now(datetime.UTC)
    return httpsign.sign(KEY, SECRET, body, now).query()


async def test_wss_works_and_plain_ws_is_refused(tls_gateway: Gateway) -> None:
    url = tls_gateway.settings.url
    assert url.startswith("wss://")
    async with connect(url, cafile=str(tls_gateway.settings.tls_cert)) as session:
        assert await session.call("demo.calc.add", 2, 2) == 4
    with pytest.raises(ConnectError):
        async with connect(url.replace("wss://", "ws://"), connect_timeout=5):
            pass


async def test_signed_publish_is_delivered_and_replay_unsigned_stale_refused(
    tls_gateway: Gateway,
) -> None:
    body = json.dumps({"topic": "demo.hooks.ci", "args": ["built"]}).encode()
    cafile = str(tls_gateway.settings.tls_cert)
    async with (
        connect(tls_gateway.settings.url, cafile=cafile) as listener,
        listener.subscribe("demo.hooks.ci") as hooks,
    ):
        query = _signed(body)
        status, answer = await asyncio.to_thread(_post, tls_gateway, query, body)
        assert status == 200 and "id" in answer
        event = await hooks.next(timeout=10)
        assert event.args == ("built",)
        # The same request again: refused by the nonce check.
        status, answer = await asyncio.to_thread(_post, tls_gateway, query, body)
        assert status == 401 and "replayed" in str(answer["error"])
    status, _ = await asyncio.to_thread(_post, tls_gateway, "", body)
    assert status == 400
    old = datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=5)
    status, _ = await asyncio.to_thread(_post, tls_gateway, _signed(body, old), body)
    assert status in (400, 401)
    forged = httpsign.sign(KEY, "not-the-secret", body, datetime.datetime.now(datetime.UTC))
    status, _ = await asyncio.to_thread(_post, tls_gateway, forged.query(), body)
    assert status == 401


def test_bridge_secret_is_not_in_the_rendered_config(tls_gateway: Gateway) -> None:
    assert SECRET not in (tls_gateway.settings.node_dir / "config.json").read_text()


async def test_signed_call_answers_unsigned_and_forged_refused(tls_gateway: Gateway) -> None:
    body = json.dumps({"procedure": "demo.calc.add", "args": [2, 3]}).encode()
    status, answer = await asyncio.to_thread(_post, tls_gateway, _signed(body), body, "call")
    assert (status, answer) == (200, {"args": [5]})
    status, _ = await asyncio.to_thread(_post, tls_gateway, "", body, "call")
    assert status == 400
    forged = httpsign.sign(KEY, "not-the-secret", body, datetime.datetime.now(datetime.UTC))
    status, _ = await asyncio.to_thread(_post, tls_gateway, forged.query(), body, "call")
    assert status == 401
    # The bridge acts as role user: no meta API through it either.
    body = json.dumps({"procedure": "wamp.session.list"}).encode()
    status, answer = await asyncio.to_thread(_post, tls_gateway, _signed(body), body, "call")
    assert answer["error"] == "wamp.error.not_authorized"  # Crossbar answers 200 with it


def _security_md_example() -> str:
    text = (ROOT / "SECURITY.md").read_text()
    after = text.split("<!-- http-bridge-example -->\n```sh\n", 1)[1]
    return after.split("```", 1)[0]


async def test_the_curl_example_in_security_md_runs_as_written(tls_gateway: Gateway) -> None:
    env = {
        **os.environ,
        "GW": f"https://127.0.0.1:{tls_gateway.settings.port}",
        "CURL_CA_BUNDLE": str(tls_gateway.settings.tls_cert),
        "WAMPGATE_HTTP_KEY": KEY,
        "WAMPGATE_HTTP_SECRET": SECRET,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
    }
    cafile = str(tls_gateway.settings.tls_cert)
    async with (
        connect(tls_gateway.settings.url, cafile=cafile) as listener,
        listener.subscribe("demo.hooks.ci") as hooks,
    ):
        proc = await asyncio.create_subprocess_exec(
            "bash", "-euo", "pipefail", "-c", _security_md_example(),
            env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        out, err = await asyncio.wait_for(proc.communicate(), 60)
        assert proc.returncode == 0, err.decode()
        text = out.decode()  # two JSON answers, one after the other
        published, end = json.JSONDecoder().raw_decode(text)
        called = json.loads(text[end:])
        assert isinstance(published["id"], int) and called == {"args": [5]}
        assert (await hooks.next(timeout=10)).args == ("build passed",)
