"""The node configuration: template, rendering, settings and Crossbar's own check."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from wampgate.router import config
from wampgate.router.config import ConfigError, GatewaySettings
from wampgate.router.launcher import crossbar_executable

ROOT = Path(__file__).resolve().parents[2]


def settings(tmp_path: Path, **kw: object) -> GatewaySettings:
    return GatewaySettings(root=ROOT, state_dir=tmp_path, **kw)  # type: ignore[arg-type]


def roles(cfg: dict) -> dict[str, list[dict]]:  # type: ignore[type-arg]
    realm = cfg["workers"][0]["realms"][0]
    return {r["name"]: r["permissions"] for r in realm["roles"]}


def test_template_defaults_match_the_design() -> None:
    cfg = config.load_template(ROOT)
    web = next(t for t in cfg["workers"][0]["transports"] if t["type"] == "web")
    assert web["endpoint"] == {"type": "tcp", "interface": "127.0.0.1", "port": 8080}
    assert set(web["paths"]) == {"/", "vendor", "ws", "echo"}
    assert web["paths"]["ws"]["serializers"] == ["json", "msgpack", "cbor"]
    assert cfg["workers"][0]["realms"][0]["name"] == "realm1"
    assert config.components(cfg) == ["catalog", "calc", "clock", "echo"]


def test_anonymous_has_least_privilege() -> None:
    perms = roles(config.load_template(ROOT))
    for perm in perms["anonymous"]:
        assert perm["allow"]["register"] is False, perm["uri"]
        assert perm["allow"]["publish"] is False, perm["uri"]
    prefixes = {p["uri"] for p in perms["anonymous"] if p["match"] == "prefix"}
    assert prefixes == {"demo.", "wampgate."}
    # Meta API: read-only calls only, never the ones that kick sessions.
    meta = {p["uri"] for p in perms["anonymous"] if p["uri"].startswith("wamp.")}
    assert not any("kill" in u or "remove" in u for u in meta)
    backend = [p for p in perms["backend"]]
    assert backend[0]["allow"] == {
        "call": True,
        "register": True,
        "publish": True,
        "subscribe": True,
    }


def test_backend_secret_comes_from_the_environment() -> None:
    cfg = config.load_template(ROOT)
    raw = json.dumps(cfg)
    assert "${WAMPGATE_BACKEND_SECRET}" in raw


def test_render_applies_the_settings(tmp_path: Path) -> None:
    s = settings(tmp_path, host="127.0.0.2", port=18123, echo_port=19123, realm="other")
    cfg = config.render(config.load_template(ROOT), s)
    router = cfg["workers"][0]
    assert router["realms"][0]["name"] == "other"
    web = router["transports"][0]
    assert web["endpoint"]["interface"] == "127.0.0.2"
    assert web["endpoint"]["port"] == 18123
    assert web["paths"]["/"]["directory"] == str(ROOT / "web")
    assert web["paths"]["vendor"]["directory"] == str(ROOT / "web/node_modules/autobahn-browser")
    assert web["paths"]["echo"]["backend"]["url"] == "ws://127.0.0.1:19123/"
    assert router["transports"][1]["endpoint"] == {"type": "unix", "path": str(s.socket_path)}
    for guest in cfg["workers"][1:]:
        assert guest["executable"] == sys.executable
        env = guest["options"]["env"]["vars"]
        assert env["WAMPGATE_BACKEND"] == f"unix:{s.socket_path}"
        assert env["WAMPGATE_REALM"] == "other"
    echo = next(g for g in cfg["workers"] if g.get("id") == "echo")
    assert echo["options"]["env"]["vars"]["WAMPGATE_ECHO_PORT"] == "19123"
    # The template itself is untouched.
    assert config.load_template(ROOT)["workers"][0]["realms"][0]["name"] == "realm1"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"host": "0.0.0.0"}, "every interface"),
        ({"host": "localhost:80"}, "not an IP address"),
        ({"port": 0}, "not a TCP port"),
        ({"port": 70000}, "not a TCP port"),
        ({"port": 9100, "echo_port": 9100}, "both 9100"),
        ({"realm": ""}, "not a valid realm"),
    ],
)
def test_bad_settings_are_refused(tmp_path: Path, overrides: dict, message: str) -> None:  # type: ignore[type-arg]
    with pytest.raises(ConfigError, match=message):
        settings(tmp_path, **overrides)


def test_settings_from_env(tmp_path: Path) -> None:
    env = {
        "WAMPGATE_PORT": "18000",
        "WAMPGATE_HOST": "127.0.0.3",
        "WAMPGATE_STATE_DIR": str(tmp_path),
    }
    s = GatewaySettings.from_env(ROOT, env, port=18001)
    assert (s.host, s.port, s.echo_port, s.state_dir) == ("127.0.0.3", 18001, 9000, tmp_path)
    with pytest.raises(ConfigError, match="WAMPGATE_PORT"):
        GatewaySettings.from_env(ROOT, {"WAMPGATE_PORT": "http"})


def test_crossbar_check_accepts_the_rendered_config_and_explains_a_broken_one(
    tmp_path: Path,
) -> None:
    s = settings(tmp_path)
    env = {"WAMPGATE_BACKEND_SECRET": "test-secret", "PATH": "/usr/bin:/bin"}
    cfg = config.render(config.load_template(ROOT), s)
    config.write(cfg, s.node_dir)
    config.check(s.node_dir, crossbar_executable(), env)

    cfg["workers"][0]["transports"][0]["endpoint"]["port"] = "not-a-port"
    config.write(cfg, s.node_dir)
    with pytest.raises(ConfigError) as caught:
        config.check(s.node_dir, crossbar_executable(), env)
    assert "invalid node configuration" in str(caught.value)
    assert "\n" not in str(caught.value)


def test_broken_json_names_the_line(tmp_path: Path) -> None:
    (tmp_path / ".crossbar").mkdir()
    (tmp_path / ".crossbar" / "config.json").write_text('{\n  "version": 2,\n}\n')
    with pytest.raises(ConfigError, match=r"config.json:3:\d+: not valid JSON"):
        config.load_template(tmp_path)
