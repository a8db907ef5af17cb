"""What ``wampgate status`` reads through the WAMP meta API (role ``admin`` only)."""

from __future__ import annotations

from wampgate.clients import output
from wampgate.clients.errors import NotAuthorized
from wampgate.clients.session import Session
from wampgate.contract import uris

#: What ``status`` says when the session's role may not read the meta API.
REFUSED = (
    "the meta API is for role admin only: sign in with --user NAME "
    "(an admin: wampgate user add NAME --role admin)"
)


async def _listed(
    session: Session, list_uri: str, get_uri: str, count_uri: str
) -> list[output.Row]:
    """(uri, match, sessions) of every registration or subscription."""
    rows = []
    for item in uris.meta_ids(await session.call(list_uri)):
        info = await session.call(get_uri, item)
        rows.append((info["uri"], info["match"], await session.call(count_uri, item)))
    return rows


async def read(session: Session) -> tuple[int, list[output.Row], list[output.Row]]:
    """Sessions, registrations and subscriptions; :class:`NotAuthorized` says who may."""
    try:
        sessions = await session.call(uris.META_SESSION_COUNT)
        registrations = await _listed(
            session,
            uris.META_REGISTRATION_LIST,
            uris.META_REGISTRATION_GET,
            uris.META_REGISTRATION_COUNT_CALLEES,
        )
        subscriptions = await _listed(
            session,
            uris.META_SUBSCRIPTION_LIST,
            uris.META_SUBSCRIPTION_GET,
            uris.META_SUBSCRIPTION_COUNT_SUBSCRIBERS,
        )
    except NotAuthorized as exc:
        raise NotAuthorized(exc.uri, REFUSED) from None
    return sessions, registrations, subscriptions
