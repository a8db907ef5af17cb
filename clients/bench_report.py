"""What ``wampgate bench`` shows and keeps: a terminal table, a JSON file, a PNG plot."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def _label(row: dict[str, Any]) -> str:
    label = str(row["scenario"])
    if row.get("metric"):
        label += f" {row['metric']}"
    if row.get("workers"):
        label += f" {row['workers']} worker(s)"
    elif row["subscribers"] is not None:
        label += f" x{row['subscribers']}"
    elif row["in_flight"] not in (None, 1):
        label += f" ({row['in_flight']} in flight)"
    return label


def _path(row: dict[str, Any]) -> str:
    if row["scenario"].startswith("reference"):
        return "websockets echo pair"
    return f"{row['transport']}+{row['serializer']}"


def format_table(report: dict[str, Any]) -> str:
    """One line per measurement, with its ratio to the reference and the router's load."""
    header = (
        f"{'path':22} {'measurement':34} {'value':>11} {'unit':9} {'x ref':>7} "
        f"{'router %':>8} {'rss MiB':>7} {'all %':>6}  notes"
    )
    lines = [
        f"{report['machine']['cpus']} CPUs, {report['seconds_per_phase']:g} s per phase",
        header,
        "-" * len(header),
    ]
    for row in report["measurements"]:
        notes = []
        if row.get("errors"):
            notes.append(f"{row['errors']} errors")
        if "lost" in row:
            notes.append(f"published {row['published']}, lost {row['lost']}")
        if row.get("speedup") is not None:
            notes.append(f"x{row['speedup']} the fewest workers")
        if row.get("topic"):
            notes.append(f"on {row['topic']}")
        if row.get("disconnected"):
            notes.append(f"{row['disconnected']} subscriber(s) lost their connection")
        ratio = row["ratio_to_reference"]
        lines.append(
            f"{_path(row):22} {_label(row):34} {row['value']:11,.3f} {row['unit']:9} "
            f"{ratio if ratio is not None else '':>7} "
            f"{_num(row['router_cpu_pct']):>8} {_num(row['router_rss_mb']):>7} "
            f"{_num(row.get('all_cpu_pct')):>6}  {', '.join(notes)}"
        )
    return "\n".join(lines)


def _bar_label(row: dict[str, Any]) -> str:
    if row.get("workers"):
        return f"{row['workers']} worker(s)"
    return _path(row) + (f"\n{row['subscribers']} sub" if row["subscribers"] is not None else "")


def _num(value: float | None) -> str:
    return "" if value is None else f"{value:.0f}"


def save_json(report: dict[str, Any], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2) + "\n")
    return path


def save_plot(report: dict[str, Any], path: Path) -> Path:
    """Ratios to the reference, one panel per kind of figure, one bar per path."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = [r for r in report["measurements"] if not r["scenario"].startswith("reference")]
    panels = [
        ("sequential call p50, x reference (lower is better)",
         [r for r in rows if r["scenario"] == "rpc-latency" and r.get("metric") == "p50"]),
        ("pipelined calls/s, ratio to reference (higher is better)",
         [r for r in rows if r["scenario"] == "rpc-throughput"]),
        ("pub/sub delivered events/s, ratio to reference",
         [r for r in rows if r["scenario"] == "pubsub"]),
    ]  # fmt: skip
    jobs = [r for r in rows if r["scenario"] == "jobs-throughput"]
    if jobs:
        panels.append(("slow_square jobs/s, speedup over the fewest workers", jobs))
    panels = [panel for panel in panels if panel[1]] or panels[:1]
    fig, axes = plt.subplots(
        1, len(panels), figsize=(5 * len(panels), 4.8), constrained_layout=True, squeeze=False
    )
    for ax, (title, chosen) in zip(axes[0], panels, strict=True):
        labels = [_bar_label(r) for r in chosen]
        values = [r.get("speedup", r["ratio_to_reference"]) or 0 for r in chosen]
        bars = ax.bar(range(len(values)), values, color="#3b7dd8")
        ax.bar_label(bars, fmt="%.2f", fontsize=8)
        ax.set_xticks(range(len(values)), labels, fontsize=8, rotation=30, ha="right")
        ax.set_title(title, fontsize=10)
        ax.grid(axis="y", alpha=0.3)
    fig.suptitle(f"wampgate bench, {report['when']}, {report['machine']['cpus']} CPUs", fontsize=11)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
