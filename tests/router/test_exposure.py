"""Listen addresses: every all-interfaces spelling refused; what a public address exposes."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import pytest
from wampgate.clients import cli
from wampgate.router import exposure, render
from wampgate.router.config import GatewaySettings
from wampgate.router.errors import ConfigError

from tests.helpers import free_port

ROOT = Path(__file__).resolve().parents[2]
EVERY_INTERFACE = [
    "0.0.0.0",
    "::",
    "::ffff:0.0.0.0",
    "::ffff:0:0",
    "0:0:0:0:0:0:0:0",
    "0000:0000:0000:0000:0000:0000:0000:0000",
    "::0.0.0.0",
    "::%eth0",
    " 0.0.0.0 ",
]


@pytest.mark.parametrize("host", EVERY_INTERFACE)
def test_every_spelling_of_all_interfaces_is_refused(host: str, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"every interface.*--expose-all"):
        GatewaySettings(root=ROOT, state_dir=tmp_path, host=host)
    assert GatewaySettings(root=ROOT, state_dir=tmp_path, host=host, expose_all=True).expose_all


@pytest.mark.parametrize("host", ["0", "localhost", "127.1", "0x7f000001", "1.2.3.4.5", ""])
def test_what_is_not_one_ip_address_is_refused(host: str) -> None:
    with pytest.raises(ConfigError, match="not an IP address"):
        exposure.parse_host(host, expose_all=True)


def test_wampgate_up_refuses_the_mapped_any_address_before_touching_anything(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    state = tmp_path / "state"
    argv = ["up", "--host", "::ffff:0.0.0.0", "--state-dir", str(state), "--root", str(ROOT)]
    assert cli.main([*argv, "--port", str(free_port())]) == cli.EXIT_USAGE
    assert not state.exists()


def test_loopback_in_any_spelling_is_not_reported() -> None:
    for host in ("127.0.0.1", "127.0.0.2", "::1", "::ffff:127.0.0.1"):
        assert exposure.is_loopback(exposure.parse_host(host))
    assert not exposure.is_loopback(exposure.parse_host("192.0.2.7"))


def test_the_report_names_addresses_ports_and_rights(tmp_path: Path) -> None:
    settings = GatewaySettings(root=ROOT, state_dir=tmp_path, host="192.0.2.7", port=8443)
    config = render.render(render.load_template(ROOT), settings)
    lines = exposure.report(config, ["192.0.2.7", "fd00::7"], 9443, settings.socket_path)
    text = "\n".join(lines)
    assert "TCP ports 8443 and 9443 of 192.0.2.7, fd00::7" in lines[0]
    assert "ws://192.0.2.7:8443/ws" in text and "ws://[fd00::7]:8443/ws" in text
    assert "ws://[fd00::7]:9443/ (echo server)" in text
    anonymous = next(line for line in lines if "as role anonymous" in line)
    assert "call, subscribe on demo.*" in anonymous
    assert "publish" not in anonymous and "register" not in anonymous
    user = next(line for line in lines if "as role user" in line)
    assert f"users of {settings.users_file} signing in with wampcra" in text
    assert "publish on demo.*" in user and "register" not in user
    assert user.endswith("call, subscribe, publish on the user's own prefixes")
    service = next(line for line in lines if "as role service" in line)
    assert "call, subscribe, publish, register on the user's own prefixes" in service
    assert "as role backend" not in text  # only on the backend socket
    assert str(settings.socket_path) in lines[-1]


def test_any_address_expands_to_this_machines_addresses() -> None:
    local = [ipaddress.ip_address(a) for a in ("127.0.0.1", "192.0.2.7", "::1", "fd00::7")]
    assert exposure.expand(ipaddress.ip_address("0.0.0.0"), local) == ["192.0.2.7"]
    assert exposure.expand(ipaddress.ip_address("::"), local) == ["192.0.2.7", "fd00::7"]
    assert exposure.expand(ipaddress.ip_address("192.0.2.7"), local) == ["192.0.2.7"]
    assert ipaddress.ip_address("127.0.0.1") in exposure.local_addresses()


def test_the_report_names_the_proxy_and_linked_router_ports(tmp_path: Path) -> None:
    settings = GatewaySettings(
        root=ROOT, state_dir=tmp_path, host="192.0.2.7", proxies=2, proxy_port=8082, rlink_port=8083
    )
    config = render.render(render.load_template(ROOT), settings, "ab" * 32)
    text = "\n".join(exposure.report(config, ["192.0.2.7"], 9000, settings.socket_path))
    assert text.count("ws://192.0.2.7:8082/ws (WAMP through the proxy workers") == 1
    assert "ws://192.0.2.7:8083/ws (WAMP of the linked second router" in text
