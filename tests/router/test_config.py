"""Gateway settings: defaults, environment, flags and what is refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from wampgate.contract import defaults
from wampgate.router.config import GatewaySettings, find_root
from wampgate.router.errors import ConfigError, RouterError

ROOT = Path(__file__).resolve().parents[2]


def settings(tmp_path: Path, **kw: object) -> GatewaySettings:
    return GatewaySettings(root=ROOT, state_dir=tmp_path, **kw)  # type: ignore[arg-type]


def test_defaults_come_from_the_contract(tmp_path: Path) -> None:
    s = settings(tmp_path)
    assert (s.host, s.port, s.echo_port, s.realm) == (
        defaults.HOST,
        defaults.PORT,
        defaults.ECHO_PORT,
        defaults.REALM,
    )
    assert GatewaySettings.from_env(ROOT, {}).state_dir == ROOT / defaults.STATE_DIR_NAME


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"host": "0.0.0.0"}, "every interface"),
        ({"host": "localhost:80"}, "not an IP address"),
        ({"port": 0}, "not a TCP port"),
        ({"port": 70000}, "not a TCP port"),
        ({"port": 9100, "echo_port": 9100}, "both 9100"),
        ({"port": 9101, "rawsocket_port": 9101}, "web port and the rawsocket port are both 9101"),
        ({"rawsocket_port": 0}, "rawsocket port 0 is not a TCP port"),
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
    assert s.rawsocket_port == defaults.RAWSOCKET_PORT  # wampgate up serves RawSocket
    off = GatewaySettings.from_env(ROOT, {"WAMPGATE_RAWSOCKET_PORT": "0"})
    assert (off.rawsocket_port, off.rawsocket_url) == (None, None)
    assert GatewaySettings.from_env(ROOT, {}, rawsocket_port=18002).rawsocket_port == 18002
    with pytest.raises(ConfigError, match="WAMPGATE_ECHO_PORT='x' is not a port number"):
        GatewaySettings.from_env(ROOT, {"WAMPGATE_ECHO_PORT": "x"})


def test_the_checkout_is_found_or_its_absence_explained(tmp_path: Path) -> None:
    assert find_root(ROOT) == ROOT
    assert find_root(tmp_path) == ROOT  # beside the (editable) installed package
    with pytest.raises(RouterError) as caught:
        find_root(tmp_path, beside_package=False)
    assert str(caught.value) == (
        f"no .crossbar/config.json in {tmp_path}: run wampgate in its checkout or pass --root"
    )
