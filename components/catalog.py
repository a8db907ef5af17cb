"""The catalog: every registered procedure with its schemas and docstring.

It asks the router which procedures are registered right now (WAMP meta API),
then asks each wampgate component for the descriptions of its own
procedures, so the catalog is always the live truth, including components
started after it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Sequence
from typing import Any, Final, NotRequired

from autobahn.asyncio.component import Component
from typing_extensions import TypedDict
from wampgate.components import runtime
from wampgate.components.framework import Api, ProcedureError
from wampgate.components.schema import Argument, describe_text
from wampgate.contract import uris

log = logging.getLogger("wampgate.components.catalog")

# How long the catalog waits for one component to describe its procedures.
DESCRIBE_TIMEOUT: Final = 5.0


class ProcedureInfo(TypedDict):
    uri: str
    doc: str
    positional: list[str]
    params: dict[str, Any]
    result: dict[str, Any]
    signature: str
    arguments: list[Argument]
    component: NotRequired[str]


def _entry(uri: str, entry: dict[str, Any]) -> ProcedureInfo:
    params = entry.get("params", {})
    positional = list(entry.get("positional", []))
    result = entry.get("result", {})
    text = describe_text(uri, params, positional, result)
    return {
        "uri": uri,
        "doc": entry.get("doc", ""),
        "positional": positional,
        "params": params,
        "result": result,
        "signature": text["signature"],
        "arguments": text["arguments"],
    }


def merge(
    registered: Iterable[str], described: Sequence[tuple[str, Sequence[dict[str, Any]]]]
) -> list[ProcedureInfo]:
    """Catalog entries for the ``registered`` URIs, sorted by URI.

    ``described`` pairs a component name with its descriptions. A procedure
    that no component describes (registered by a plain WAMP client) is listed
    with empty schemas (it may take anything); the per-component describe
    procedures are left out. The text (``signature``, ``arguments``) is made
    here from the schemas, the same way for every entry.
    """
    known: dict[str, ProcedureInfo] = {}
    for component, entries in described:
        for entry in entries:
            info = _entry(entry["uri"], entry)
            info["component"] = component
            known[info["uri"]] = info
    return [
        known.get(uri) or _entry(uri, {})
        for uri in sorted(set(registered))
        # Neither the components' own describers nor what the router serves to Crossbar.
        if not uri.startswith((uris.CATALOG_COMPONENT_PREFIX, uris.ROUTER_PREFIX))
    ]


class LiveCatalog:
    """Reads the catalog through the session the catalog component is joined with."""

    def __init__(self) -> None:
        self.session: Any = None

    async def _registered(self) -> list[str]:
        all_ids = uris.meta_ids(await self.session.call(uris.META_REGISTRATION_LIST))
        regs = await asyncio.gather(
            *(self.session.call(uris.META_REGISTRATION_GET, i) for i in all_ids),
            return_exceptions=True,
        )
        # A registration may vanish between list and get; skip those.
        return [r["uri"] for r in regs if isinstance(r, dict)]

    async def collect(self) -> list[ProcedureInfo]:
        if self.session is None:
            raise ProcedureError(uris.ERROR_UNAVAILABLE, "the catalog is not connected")
        registered = await self._registered()
        components = [u for u in registered if u.startswith(uris.CATALOG_COMPONENT_PREFIX)]
        answers = await asyncio.gather(*map(self._describe, components), return_exceptions=True)
        described = [
            (u.removeprefix(uris.CATALOG_COMPONENT_PREFIX), a)
            for u, a in zip(components, answers, strict=True)
            if isinstance(a, list)
        ]
        return merge(registered, described)

    async def _describe(self, describer: str) -> Any:
        """One component's descriptions; a component that does not answer in time is
        left undescribed (its procedures are listed without schemas), never waited for."""
        try:
            return await asyncio.wait_for(self.session.call(describer), DESCRIBE_TIMEOUT)
        except TimeoutError:
            log.warning(
                "%s did not answer within %.0f s: its procedures are listed without schemas",
                describer,
                DESCRIBE_TIMEOUT,
            )
            raise

    def attach(self, component: Component) -> None:
        def joined(session: Any, details: Any) -> None:
            self.session = session

        component.on("join", joined)

        def left(session: Any, details: Any) -> None:
            self.session = None

        component.on("leave", left)


api = Api("catalog")
catalog = LiveCatalog()


@api.procedure(uris.CATALOG_LIST)
async def list_procedures() -> list[ProcedureInfo]:
    """List every registered procedure with its argument and result schemas."""
    return await catalog.collect()


@api.procedure(uris.CATALOG_DESCRIBE)
async def describe(uri: str) -> ProcedureInfo:
    """Describe one registered procedure: docstring, argument and result schemas."""
    for info in await catalog.collect():
        if info["uri"] == uri:
            return info
    raise ProcedureError(uris.ERROR_NO_SUCH_PROCEDURE, f"no procedure {uri!r} is registered")


def main() -> None:
    runtime.main(api, catalog.attach)


if __name__ == "__main__":
    main()
