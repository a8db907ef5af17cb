"""Figures the robustness tests measure, collected in tests/artifacts/robustness.json.

They are for the notes (docs/reliability.md), never asserted on as timings.
"""

from __future__ import annotations

import json
from typing import Any

from tests.conftest import ARTIFACTS

PATH = ARTIFACTS / "robustness.json"


def record(name: str, figures: dict[str, Any]) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    found = json.loads(PATH.read_text()) if PATH.exists() else {}
    found[name] = figures
    PATH.write_text(json.dumps(found, indent=2, sort_keys=True) + "\n")
