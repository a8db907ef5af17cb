"""The sign-in, origin, TLS and HTTP bridge parts of the rendered node configuration."""

from __future__ import annotations

import json
import ssl
from pathlib import Path
from typing import Any

import pytest
from wampgate.router import security, tlscert
from wampgate.router.errors import ConfigError
from wampgate.router.security import SecuritySettings


def _config() -> dict[str, Any]:
    ws = {"type": "websocket", "auth": {"anonymous": {"type": "static", "role": "anonymous"}}}
    web = {"type": "web", "endpoint": {"type": "tcp", "port": 1}, "paths": {"ws": ws}}
    return {"workers": [{"type": "router", "transports": [web]}]}


def _web(config: dict[str, Any]) -> dict[str, Any]:
    web: dict[str, Any] = config["workers"][0]["transports"][0]
    return web


def test_defaults_sign_in_from_the_store_and_own_origin_only(tmp_path: Path) -> None:
    sec = SecuritySettings(users_file=tmp_path / "users.json")
    config = security.secure(_config(), sec, host="127.0.0.1", port=8123, realm="realm1")
    ws = _web(config)["paths"]["ws"]
    assert ws["auth"]["wampcra"]["type"] == "function"
    assert ws["auth"]["wampcra"]["config"] == {"users": str(tmp_path / "users.json")}
    assert ws["auth"]["cryptosign"]["create"].endswith("create_cryptosign")
    assert ws["options"]["allowed_origins"] == ["http://127.0.0.1:8123", "http://localhost:8123"]
    assert set(_web(config)["paths"]) == {"ws"}  # no HTTP bridge unless asked
    assert "tls" not in _web(config)["endpoint"]
    (guard,) = config["workers"][0]["components"]
    assert guard["classname"] == security.GUARD_CLASS


def test_bridge_secret_is_never_in_the_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WAMPGATE_HTTP_SECRET", "the-real-bridge-secret")
    sec = SecuritySettings(
        users_file=tmp_path / "u", http_key="ci", allow_origins=("https://x.test",)
    )
    config = security.secure(_config(), sec, host="10.1.2.3", port=8443, realm="r")
    text = json.dumps(config)
    assert "the-real-bridge-secret" not in text
    publish = _web(config)["paths"]["publish"]
    assert publish["type"] == "publisher" and publish["options"]["key"] == "ci"
    assert publish["options"]["secret"].startswith(
        security.SECRET_FROM_ENV + "WAMPGATE_HTTP_SECRET:"
    )
    assert _web(config)["paths"]["call"]["type"] == "caller"
    origins = _web(config)["paths"]["ws"]["options"]["allowed_origins"]
    assert origins == ["http://10.1.2.3:8443", "https://x.test"]


def test_tls(tmp_path: Path) -> None:
    cert, key = tmp_path / "dev.crt", tmp_path / "dev.key"
    tlscert.dev_cert(cert, key)
    assert oct(key.stat().st_mode & 0o777) == "0o600"
    context = ssl.create_default_context(cafile=str(cert))  # a usable certificate
    assert context.cert_store_stats()["x509"] == 1
    sec = SecuritySettings(users_file=tmp_path / "u", tls_cert=cert, tls_key=key)
    config = security.secure(_config(), sec, host="127.0.0.1", port=8443, realm="r")
    assert _web(config)["endpoint"]["tls"] == {"key": str(key), "certificate": str(cert)}
    assert _web(config)["paths"]["ws"]["options"]["allowed_origins"][0] == "https://127.0.0.1:8443"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"tls_cert": Path("/nonexistent.crt")}, "both"),
        ({"tls_cert": Path("/no.crt"), "tls_key": Path("/no.key")}, "no such file"),
        ({"allow_origins": ("example.com",)}, "SCHEME://HOST"),
    ],
)
def test_bad_settings_are_explained(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        SecuritySettings(users_file=Path("u"), **kwargs)
