"""The README's "Writing a component", followed literally against a real gateway."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path

from wampgate.clients import connect
from wampgate.router.launcher import Gateway

from tests.router.checkout import ROOT, add_worker, checkout_copy, component_worker, settings_for


def readme_section(title: str) -> str:
    text = (ROOT / "README.md").read_text()
    start = text.index(f"## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else None]


def code_block(section: str, language: str) -> str:
    found = re.search(rf"```{language}\n(.*?)```", section, re.DOTALL)
    assert found is not None, f"no {language} block in the section"
    return found.group(1)


async def test_the_readme_recipe_serves_the_new_procedure(tmp_path: Path) -> None:
    section = readme_section("Writing a component")
    saved_as = re.search(r"Save this as\s+`([^`]+)`", section)
    assert saved_as is not None
    call = re.search(r"wampgate call (\S+) (.*?)\s+# (.+)", code_block(section, "sh"))
    assert call is not None
    uri, args, expected = call.group(1), call.group(2).split(), json.loads(call.group(3))

    root = checkout_copy(tmp_path, json.loads(code_block(section, "json")))
    module = root / saved_as.group(1)
    module.parent.mkdir(parents=True, exist_ok=True)
    module.write_text(code_block(section, "python"))
    # The same module again, outside the package as a dotted module path.
    (root / "acme").mkdir()
    (root / "acme" / "shapes.py").write_text(
        code_block(section, "python")
        .replace('Api("geometry")', 'Api("shapes")')
        .replace('"demo.geometry.area"', '"demo.shapes.area"')
    )
    add_worker(root, component_worker("shapes", "acme.shapes"))
    settings = settings_for(root, tmp_path)
    gw = Gateway(settings)
    await asyncio.to_thread(gw.start)
    try:
        await asyncio.to_thread(gw.wait_ready, 90)
        assert {"geometry", "shapes"} <= gw.components
        async with connect(settings.url) as session:
            assert await session.call(uri, *map(json.loads, args)) == expected
            assert await session.call("demo.shapes.area", 2, 5) == 10
    finally:
        await asyncio.to_thread(gw.stop)
