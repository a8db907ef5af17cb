"""The node configuration: template, rendering, roles and Crossbar's own check."""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path
from typing import Any

import pytest
from wampgate.contract import defaults, uris
from wampgate.router import permissions, render, tlscert
from wampgate.router.config import GatewaySettings
from wampgate.router.errors import ConfigError
from wampgate.router.preflight import check_config, crossbar_executable

from tests.router.checkout import checkout_copy, component_worker

ROOT = Path(__file__).resolve().parents[2]
DEMO_COMPONENTS = {"catalog", "calc", "clock", "echo"}


def settings(tmp_path: Path, **kw: Any) -> GatewaySettings:
    return GatewaySettings(root=ROOT, state_dir=tmp_path, **kw)


def test_template_defaults_match_the_design() -> None:
    cfg = render.load_template(ROOT)
    web = next(t for t in cfg["workers"][0]["transports"] if t["type"] == "web")
    assert web["endpoint"] == {"type": "tcp", "interface": "127.0.0.1", "port": 8080}
    assert set(web["paths"]) == {"/", "vendor", "charts", "ws", "echo", "metrics"}
    assert web["paths"]["ws"]["serializers"] == ["json", "msgpack", "cbor"]
    assert cfg["workers"][0]["realms"][0]["name"] == "realm1"
    # More components may be configured beside the demo ones.
    assert set(render.components(cfg)) >= DEMO_COMPONENTS
    assert "${WAMPGATE_BACKEND_SECRET}" in json.dumps(cfg)


def test_rendered_roles_are_the_permission_table(tmp_path: Path) -> None:
    assert "roles" not in render.load_template(ROOT)["workers"][0]["realms"][0]
    realm = render.render(render.load_template(ROOT), settings(tmp_path))["workers"][0]["realms"][0]
    rendered = {r["name"]: r for r in realm["roles"]}
    assert list(rendered) == list(permissions.ROLES)
    for name, role in permissions.ROLES.items():
        if role.dynamic:
            assert rendered[name] == {"name": name, "authorizer": uris.ROUTER_AUTHORIZE}
            continue
        perms = rendered[name]["permissions"]
        assert len(perms) == len(role.rules)
        for perm, rule in zip(perms, role.rules, strict=True):
            assert (perm["uri"], perm["match"]) == (rule.uri, rule.match)
            allowed = {action for action, yes in perm["allow"].items() if yes}
            assert allowed == rule.actions
            assert perm["disclose"] == {"caller": False, "publisher": False}


def test_anonymous_has_least_privilege() -> None:
    anonymous = permissions.ROLES[defaults.ANONYMOUS_ROLE]
    assert not anonymous.dynamic
    assert all(not {"register", "publish"} & r.actions for r in anonymous.rules)
    granted = {r.uri for r in anonymous.rules if r.actions}
    # what the bridges serve: Celery tasks to call, brokers' messages to follow
    assert granted == {"demo.", "wampgate.", "celery.", "amqp.", "zmq.", "kafka."}
    bridged = [r for r in anonymous.rules if r.uri in {"amqp.", "zmq.", "kafka."}]
    assert all(r.actions == {"subscribe"} for r in bridged)
    assert not any(r.uri.startswith("wamp.") for r in anonymous.rules)
    assert permissions.ROLES[defaults.BACKEND_ROLE].rules == (
        permissions.rule("", "prefix", "call", "register", "publish", "subscribe"),
    )


def test_a_template_that_lists_roles_is_refused(tmp_path: Path) -> None:
    template = render.load_template(ROOT)
    template["workers"][0]["realms"][0]["roles"] = []
    with pytest.raises(ConfigError, match=r"router/permissions\.py"):
        render.render(template, settings(tmp_path))


def test_render_applies_the_settings_to_every_listener(tmp_path: Path) -> None:
    s = settings(tmp_path, host="127.0.0.2", port=18123, echo_port=19123, realm="other")
    cfg = render.render(render.load_template(ROOT), s)
    router = cfg["workers"][0]
    assert router["realms"][0]["name"] == "other"
    web = router["transports"][0]
    assert web["endpoint"]["interface"] == "127.0.0.2"
    assert web["endpoint"]["port"] == 18123
    assert web["paths"]["/"]["directory"] == str(ROOT / "web")
    assert web["paths"]["vendor"]["directory"] == str(ROOT / "web/node_modules/autobahn-browser")
    echo_proxy = web["paths"]["echo"]["backend"]
    assert echo_proxy["endpoint"] == {"type": "tcp", "host": "127.0.0.2", "port": 19123}
    assert echo_proxy["url"] == "ws://127.0.0.2:19123/"
    assert router["transports"][1]["endpoint"] == {"type": "unix", "path": str(s.socket_path)}
    for name in render.components(cfg):
        worker = next(w for w in cfg["workers"] if w.get("id") == name)
        assert worker["executable"] == sys.executable
        env = worker["options"]["env"]["vars"]
        assert env["WAMPGATE_BACKEND"] == f"unix:{s.socket_path}"
        assert env["WAMPGATE_REALM"] == "other"
    echo = next(g for g in cfg["workers"] if g.get("id") == "echo")
    echo_env = echo["options"]["env"]["vars"]
    assert (echo_env["WAMPGATE_ECHO_HOST"], echo_env["WAMPGATE_ECHO_PORT"]) == (
        "127.0.0.2",
        "19123",
    )
    # The template itself is untouched.
    assert render.load_template(ROOT)["workers"][0]["realms"][0]["name"] == "realm1"


def _client_rawsockets(cfg: dict[str, Any]) -> list[dict[str, Any]]:
    return [t for t in cfg["workers"][0]["transports"] if t.get("id") == render.CLIENT_RAWSOCKET]


def test_client_rawsocket_is_served_only_when_given_a_port(tmp_path: Path) -> None:
    template = render.load_template(ROOT)
    assert _client_rawsockets(render.render(template, settings(tmp_path))) == []
    s = settings(tmp_path, host="127.0.0.2", rawsocket_port=18124)
    (clients,) = _client_rawsockets(render.render(template, s))
    assert clients["endpoint"] == {"type": "tcp", "interface": "127.0.0.2", "port": 18124}
    assert clients["serializers"] == ["msgpack", "cbor", "json"]
    # The same doors as /ws: anonymous, or a named user from the store.
    assert set(clients["auth"]) == {"anonymous", "wampcra", "cryptosign"}
    assert clients["auth"]["anonymous"]["role"] == defaults.ANONYMOUS_ROLE
    assert s.rawsocket_url == "rs://127.0.0.2:18124"
    # The backend transport stays where components join.
    backend = render._transport(render.render(template, s)["workers"][0], "rawsocket", "backend")
    assert backend["endpoint"] == {"type": "unix", "path": str(s.socket_path)}


def test_client_rawsocket_gets_tls_with_the_web_port(tmp_path: Path) -> None:
    cert, key = tmp_path / "dev.crt", tmp_path / "dev.key"
    tlscert.dev_cert(cert, key)
    s = settings(tmp_path, rawsocket_port=18124, tls_cert=cert, tls_key=key)
    (clients,) = _client_rawsockets(render.render(render.load_template(ROOT), s))
    assert clients["endpoint"]["tls"] == {"key": str(key), "certificate": str(cert)}
    assert s.rawsocket_url == "rss://127.0.0.1:18124"


def test_components_may_live_outside_the_package(tmp_path: Path) -> None:
    root = checkout_copy(
        tmp_path,
        component_worker("area", "tools/area.py"),
        component_worker("acme", "acme.tools"),
    )
    (root / "tools").mkdir()
    (root / "tools" / "area.py").write_text("")
    s = GatewaySettings(root=root, state_dir=tmp_path / "state")
    cfg = render.render(render.load_template(root), s)
    assert {"area", "acme"} <= set(render.components(cfg))
    arguments = {w["id"]: w["arguments"][-1] for w in cfg["workers"] if w["type"] == "guest"}
    assert arguments["area"] == str(root / "tools" / "area.py")
    assert arguments["acme"] == "acme.tools"
    workers = {w["id"]: w for w in cfg["workers"]}
    assert workers["acme"]["options"]["workdir"] == str(root)


@pytest.mark.parametrize(
    ("worker", "message"),
    [
        (
            component_worker("missing", "tools/missing.py"),
            r"component file .*tools/missing.py does not exist",
        ),
        (component_worker("geometry", "not a module"), "neither a dotted module path"),
        ({**component_worker("", "acme.tools"), "id": ""}, "running acme.tools needs an id"),
        (
            {**component_worker("x", "acme"), "arguments": ["-m", render.SUPERVISOR]},
            "expected arguments",
        ),
    ],
)
def test_bad_component_entries_are_explained(
    tmp_path: Path, worker: dict[str, Any], message: str
) -> None:
    root = checkout_copy(tmp_path)
    template = render.load_template(root)
    template["workers"].append(worker)
    with pytest.raises(ConfigError, match=message):
        render.render(template, GatewaySettings(root=root, state_dir=tmp_path / "state"))


def test_crossbar_check_accepts_the_rendered_config_and_explains_a_broken_one(
    tmp_path: Path,
) -> None:
    # With the HTTP bridge on, so that Crossbar checks its paths too.
    s = dataclasses.replace(settings(tmp_path), http_key="ci", rawsocket_port=18125)
    env = {"WAMPGATE_BACKEND_SECRET": "test-secret", "PATH": "/usr/bin:/bin"}
    cfg = render.render(render.load_template(ROOT), s)
    render.write(cfg, s.node_dir)
    check_config(s.node_dir, crossbar_executable(), env)

    cfg["workers"][0]["transports"][0]["endpoint"]["port"] = "not-a-port"
    render.write(cfg, s.node_dir)
    with pytest.raises(ConfigError) as caught:
        check_config(s.node_dir, crossbar_executable(), env)
    assert "invalid node configuration" in str(caught.value)
    assert "\n" not in str(caught.value)


def test_broken_json_names_the_line(tmp_path: Path) -> None:
    (tmp_path / ".crossbar").mkdir()
    (tmp_path / ".crossbar" / "config.json").write_text('{\n  "version": 2,\n}\n')
    with pytest.raises(ConfigError, match=r"config.json:3:\d+: not valid JSON"):
        render.load_template(tmp_path)


def test_workers_set_the_process_count_of_work_queue_components(tmp_path: Path) -> None:
    def counts(**kw: Any) -> dict[str, str | None]:
        config = render.render(render.load_template(ROOT), settings(tmp_path, **kw))
        return {
            w["id"]: w["options"]["env"]["vars"].get("WAMPGATE_WORKERS")
            for w in config["workers"]
            if render.component_target(w) is not None
        }

    assert counts()["jobs"] == "1"
    assert counts(workers=3)["jobs"] == "3"
    assert counts(workers=3)["calc"] is None  # not a work-queue component
    with pytest.raises(ConfigError, match="workers 0"):
        settings(tmp_path, workers=0)
