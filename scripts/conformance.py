"""Run the Autobahn WebSocket test suite (``wstest -m fuzzingclient``) against the echo server.

Starts a gateway of this checkout on free loopback ports, points the fuzzing
client at its echo server, and fails when a case ends in a behaviour other
than OK, NON-STRICT, INFORMATIONAL or UNIMPLEMENTED. The HTML report
lands in ``.conformance/reports/``. ``make conformance`` builds the Python 2.7
environment ``wstest`` needs and runs this.
"""

from __future__ import annotations

import argparse
import json
import shutil
import socket
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

from wampgate.router.config import GatewaySettings
from wampgate.router.launcher import Gateway

ROOT = Path(__file__).resolve().parent.parent
PASSING = {"OK", "NON-STRICT", "INFORMATIONAL", "UNIMPLEMENTED"}
#: 9.* are throughput cases (minutes on two cores, nothing a fuzzer finds);
#: 12.* and 13.* need permessage-deflate, which the echo server does not offer.
EXCLUDED = ["9.*", "12.*", "13.*"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def run_suite(wstest: str, servers: dict[str, str], outdir: Path) -> dict[str, dict[str, str]]:
    spec = {
        "outdir": str(outdir),
        "servers": [{"agent": agent, "url": url} for agent, url in servers.items()],
        "cases": ["*"],
        "exclude-cases": EXCLUDED,
        "exclude-agent-cases": {},
    }
    spec_file = outdir.parent / "fuzzingclient.json"
    spec_file.write_text(json.dumps(spec, indent=2))
    subprocess.run(
        [wstest, "-m", "fuzzingclient", "-s", str(spec_file)],
        cwd=outdir.parent,
        stdout=subprocess.DEVNULL,
        check=True,
        timeout=1800,
    )
    index: dict[str, dict[str, dict[str, str]]] = json.loads((outdir / "index.json").read_text())
    if set(index) != set(servers):
        raise SystemExit(f"wstest reported on {sorted(index)}, expected {sorted(servers)}")
    return {
        f"{agent} {case}": result
        for agent, cases in index.items()
        for case, result in cases.items()
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wstest", required=True, help="wstest of the Python 2.7 environment")
    args = parser.parse_args()
    outdir = ROOT / ".conformance" / "reports"
    shutil.rmtree(outdir, ignore_errors=True)  # never read an earlier run's index
    outdir.mkdir(parents=True)
    with tempfile.TemporaryDirectory() as state:
        settings = GatewaySettings(
            root=ROOT, state_dir=Path(state), port=free_port(), echo_port=free_port()
        )
        gateway = Gateway(settings)
        try:
            gateway.start()
            gateway.wait_ready(timeout=120)
            servers = {"echo": f"ws://127.0.0.1:{settings.echo_port}/"}
            results = run_suite(str(Path(args.wstest).resolve()), servers, outdir)
        finally:
            gateway.stop()
    behaviours = Counter(r["behavior"] for r in results.values())
    failed = sorted(
        name
        for name, r in results.items()
        if r["behavior"] not in PASSING or r["behaviorClose"] not in PASSING
    )
    sys.stdout.write(
        f"{len(results)} cases: "
        + ", ".join(f"{b} {n}" for b, n in sorted(behaviours.items()))
        + f"; report in {outdir / 'index.html'}\n"
    )
    for name in failed:
        sys.stdout.write(f"FAILED {name}: {results[name]}\n")
    return 1 if failed or not results else 0


if __name__ == "__main__":
    sys.exit(main())
