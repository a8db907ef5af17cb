"""Router CPU time per call, alternating between gateways on this machine.

Throughput on a loaded 2-core machine moves by 2x between runs; the CPU
seconds the router worker spends per call move much less. Each round drives
the same number of ``demo.calc.add`` calls (50 in flight) at every gateway in
turn and reads the router worker's user+system time from ``/proc`` before
and after.

    python scripts/router_cpu_per_call.py \\
        without=ws://127.0.0.1:18610/ws@PID1 with=ws://127.0.0.1:18620/ws@PID2
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
from pathlib import Path

from wampgate.clients import connect
from wampgate.contract import uris


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def drive(url: str, calls: int, in_flight: int, timeout: bool = True) -> None:
    # Without a call timeout the CALL carries no options at all.
    async with connect(url, **({} if timeout else {"call_timeout": None})) as session:
        slots = asyncio.Semaphore(in_flight)

        async def one(i: int) -> None:
            async with slots:
                await session.call(uris.CALC_ADD, i, 1)

        await asyncio.gather(*(one(i) for i in range(calls)))


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "targets", nargs="+", help="LABEL=URL@ROUTER_PID, or LABEL=URL@ROUTER_PID/notimeout"
    )
    parser.add_argument("--calls", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--in-flight", type=int, default=50)
    args = parser.parse_args()
    targets = {}
    for spec in args.targets:
        label, rest = spec.split("=", 1)
        url, pid = rest.rsplit("@", 1)
        pid, _, flag = pid.partition("/")
        targets[label] = (url, int(pid), flag != "notimeout")
    per_call: dict[str, list[float]] = {label: [] for label in targets}
    for _ in range(args.rounds):
        for label, (url, pid, timeout) in targets.items():
            before = cpu_seconds(pid)
            await drive(url, args.calls, args.in_flight, timeout)
            per_call[label].append((cpu_seconds(pid) - before) / args.calls * 1e6)
    for label, values in per_call.items():
        shown = ", ".join(f"{v:.0f}" for v in values)
        print(f"{label}: median {statistics.median(values):.0f} us per call ({shown})")


if __name__ == "__main__":
    asyncio.run(main())
