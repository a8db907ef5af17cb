"""What wampgate adds inside Crossbar's router worker (Twisted side).

The node configuration starts :class:`RouterGuard` as a component of the
router worker; Crossbar starts router components before it opens any
transport, so what it installs holds from the first request:

- the HTTP bridge's secret, taken from the environment at the first request
  (the config holds a placeholder);
- replay protection for the HTTP bridge: Crossbar checks a signed request's
  signature and timestamp but not its nonce; a validly signed request whose
  nonce was seen in the window, or whose timestamp is outside our (narrower)
  window, is refused here before Crossbar publishes or calls anything;
- the dynamic authorizer of the roles whose users hold prefixes of their own
  (:func:`wampgate.router.permissions.authorization`, with the prefixes read
  from the users file, so ``wampgate user grant`` applies to the next action).

Nothing here runs at import; :func:`install_replay_guard` patches Crossbar's
bridge resource once per process.
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from autobahn.twisted.wamp import ApplicationSession
from wampgate.contract import uris
from wampgate.router import permissions
from wampgate.router.authenticator import StoreReader
from wampgate.router.httpsign import ReplayGuard, is_signed_by
from wampgate.router.security import SECRET_FROM_ENV

_REFUSED = 401


def _query(request: Any) -> dict[str, str] | None:
    try:
        return {k.decode(): v[0].decode() for k, v in request.args.items() if v}
    except UnicodeDecodeError:
        return None


def _resolve(secret: bytes | None) -> bytes | None:
    """The secret a placeholder names (see :func:`wampgate.router.security.placeholder_secret`)."""
    if secret is None or not secret.startswith(SECRET_FROM_ENV.encode()):
        return secret
    name = secret.decode().removeprefix(SECRET_FROM_ENV).partition(":")[0]
    value = os.environ.get(name)
    # Without the variable the placeholder stays: a random secret nobody signs with.
    return value.encode() if value else secret


def install_replay_guard(guard: ReplayGuard) -> None:
    """Refuse replayed or stale signed requests on every HTTP publisher and caller."""
    from crossbar.bridge.rest.common import _CommonResource

    original = _CommonResource._render_request
    if getattr(original, "wampgate", False):
        return

    def render_request(self: Any, request: Any) -> Any:
        secret = self._secret = _resolve(self._secret)
        if secret:
            body = request.content.read()
            request.content.seek(0)
            query = _query(request)
            if query is not None and is_signed_by(secret.decode(), query, body):
                now = datetime.datetime.now(datetime.UTC)
                reason = guard.admit(query["key"], query["nonce"], query["timestamp"], now)
                if reason is not None:
                    return self._deny_request(
                        request, _REFUSED, reason=reason, log_category="AR462"
                    )
        return original(self, request)

    render_request.wampgate = True  # type: ignore[attr-defined]
    _CommonResource._render_request = render_request


class Authorizer:
    """Crossbar's dynamic authorizer: the role's table, then the user's own prefixes."""

    def __init__(self, users_file: Path, roles: Mapping[str, permissions.Role]) -> None:
        self._reader = StoreReader(users_file)
        self._roles = roles

    def __call__(
        self, details: Mapping[str, Any], uri: str, action: permissions.Action, options: Any
    ) -> dict[str, Any]:
        authrole = details.get("authrole")
        role = self._roles.get(authrole) if isinstance(authrole, str) else None
        if role is None:
            return {"allow": False, "cache": False, "disclose": False}
        user = self._reader.read().users.get(str(details.get("authid")))
        # A user whose role changed since sign-in keeps no prefixes in the old role.
        prefixes = user.prefixes if user is not None and user.role == authrole else ()
        return permissions.authorization(role, prefixes, uri, action)


class RouterGuard(ApplicationSession):  # type: ignore[misc]
    """Installs the checks above when the router worker starts it."""

    def __init__(self, config: Any = None) -> None:
        super().__init__(config)
        extra = (config.extra if config is not None else None) or {}
        install_replay_guard(ReplayGuard(window=float(extra.get("window", 60))))
        users = extra.get("users")
        self._authorizer = Authorizer(Path(users), permissions.ROLES) if users else None

    def onJoin(self, details: Any) -> Any:
        if self._authorizer is not None:
            return self.register(self._authorizer, uris.ROUTER_AUTHORIZE)
        return None
