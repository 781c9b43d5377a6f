"""The pure door decision on its own: one scan decided from a snapshot (no database).

    .venv/bin/python bench/door_decision_bench.py
    .venv/bin/python bench/door_decision_bench.py --before d3c776c

Target (issue #12): median < 50 µs for a common scan (a Level 2 badging into Zone IV).
Also prints an escort pairing (a Level 2 admitting a waiting patient) and an escort wait.

With ``--before REV`` the same measurement also runs on the code of git revision REV
(exported to a temporary directory), in rounds that alternate between the two, so that a
machine whose load drifts weighs on both alike; the figures are the medians of the rounds.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CASES = {
    "grant (Level 2 into Zone IV)": {"door": "IV", "who": "level_2"},
    "escort wait (visitor, Zone III)": {"door": "III", "who": "visitor_auth"},
    "pairing (Level 2 admits a patient)": {
        "door": "IV",
        "who": "level_2",
        "waiting": ["patient_safe"],
    },
}
GRANT = next(iter(CASES))


def measure(root: Path, repeat: int) -> dict[str, tuple[float, float]]:
    """Median and p99 (µs) per case, deciding with the code under ``root``."""
    import time

    sys.path.insert(0, str(root))
    from tests.unit.test_door_decision import snapshot
    from zonekeeper.doors.decision import decide_scan

    figures = {}
    for label, case in CASES.items():
        snap = snapshot(case)
        for _ in range(500):
            decide_scan(snap)
        timings = []
        for _ in range(repeat):
            start = time.perf_counter()
            decide_scan(snap)
            timings.append(time.perf_counter() - start)
        timings.sort()
        figures[label] = (statistics.median(timings) * 1e6, timings[int(len(timings) * 0.99)] * 1e6)
    return figures


def in_subprocess(root: Path, repeat: int) -> dict[str, tuple[float, float]]:
    command = [sys.executable, __file__, "--root", str(root), "--repeat", str(repeat), "--json"]
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout  # noqa: S603
    return {label: tuple(pair) for label, pair in json.loads(out).items()}  # type: ignore[misc]


def compare(before: str, rounds: int, repeat: int) -> bool:
    with tempfile.TemporaryDirectory() as tmp:
        archive = subprocess.run(  # noqa: S603
            ["git", "-C", str(ROOT), "archive", before],  # noqa: S607
            check=True,
            capture_output=True,
        ).stdout
        subprocess.run(["tar", "-x", "-C", tmp], input=archive, check=True)  # noqa: S603,S607
        runs: dict[str, list[dict[str, tuple[float, float]]]] = {"before": [], "after": []}
        for _ in range(rounds):
            runs["before"].append(in_subprocess(Path(tmp), repeat))
            runs["after"].append(in_subprocess(ROOT, repeat))
    print(f"  {rounds} alternating rounds, {repeat} scans per case each; median of the rounds")
    print(f"  {'':38s} {'before ' + before:>22s} {'after (this checkout)':>24s}")
    for label in CASES:
        cells = []
        for which in ("before", "after"):
            median = statistics.median(r[label][0] for r in runs[which])
            p99 = statistics.median(r[label][1] for r in runs[which])
            cells.append(f"{median:7.1f} µs (p99 {p99:6.1f})")
        print(f"  {label:38s} {cells[0]:>22s} {cells[1]:>24s}")
    return statistics.median(r[GRANT][0] for r in runs["after"]) < 50


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", help="also measure this git revision, alternating")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=20_000)
    parser.add_argument("--root", help=argparse.SUPPRESS)
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.json:
        print(json.dumps(measure(Path(args.root or ROOT), args.repeat)))
        return 0
    print(f"machine: {platform.machine()} · Python {platform.python_version()}")
    if args.before:
        met = compare(args.before, args.rounds, args.repeat)
    else:
        figures = in_subprocess(ROOT, args.repeat)
        for label, (median, p99) in figures.items():
            print(f"  {label:38s} median {median:6.1f} µs  p99 {p99:6.1f} µs")
        met = figures[GRANT][0] < 50
    print("  meets the target (median < 50 µs)" if met else "  MISSES the target")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
