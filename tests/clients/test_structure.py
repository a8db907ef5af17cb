"""The client package stays small and stands on the shared contract alone."""

from __future__ import annotations

import ast
from pathlib import Path

CLIENTS = Path(__file__).resolve().parents[2] / "clients"


def test_every_module_is_under_250_lines() -> None:
    sizes = {p.name: len(p.read_text().splitlines()) for p in CLIENTS.glob("*.py")}
    assert sizes and all(n < 250 for n in sizes.values()), sizes


def test_clients_import_nothing_from_components() -> None:
    imported = set()
    for path in CLIENTS.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                imported.add(node.module)
            elif isinstance(node, ast.Import):
                imported.update(alias.name for alias in node.names)
    assert any(m.startswith("wampgate.contract") for m in imported)
    assert not [m for m in imported if m.startswith("wampgate.components")]


def test_readme_tables_end_before_the_next_paragraph() -> None:
    # Markdown runs a line straight after a table into the table as a row.
    lines = (CLIENTS.parent / "README.md").read_text().splitlines()
    tables = [i for i, line in enumerate(lines) if line.startswith("|")]
    assert tables
    after = [lines[i + 1] for i in tables if i + 1 < len(lines)]
    assert all(line == "" or line.startswith("|") for line in after), after
