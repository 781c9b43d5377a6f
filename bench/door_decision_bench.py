"""The pure door decision on its own: one scan decided from a snapshot (no database).

    .venv/bin/python bench/door_decision_bench.py

Target (issue #12): median < 50 µs for a common scan (a Level 2 badging into Zone IV).
Also prints an escort pairing (a Level 2 admitting a waiting patient) and an escort wait.
"""

from __future__ import annotations

import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.unit.test_door_decision import snapshot  # noqa: E402
from zonekeeper.doors.decision import decide_scan  # noqa: E402

CASES = {
    "grant (Level 2 into Zone IV)": {"door": "IV", "who": "level_2"},
    "escort wait (visitor, Zone III)": {"door": "III", "who": "visitor_auth"},
    "pairing (Level 2 admits a patient)": {
        "door": "IV",
        "who": "level_2",
        "waiting": ["patient_safe"],
    },
}


def main() -> int:
    print(f"machine: {platform.machine()} · Python {platform.python_version()}")
    met = True
    for label, case in CASES.items():
        snap = snapshot(case)
        for _ in range(500):
            decide_scan(snap)
        timings = []
        for _ in range(20_000):
            start = time.perf_counter()
            decide_scan(snap)
            timings.append(time.perf_counter() - start)
        timings.sort()
        median = statistics.median(timings) * 1e6
        p99 = timings[int(len(timings) * 0.99)] * 1e6
        print(f"  {label:38s} median {median:6.1f} µs  p99 {p99:6.1f} µs")
        if label.startswith("grant"):
            met = median < 50
    print("  meets the target (median < 50 µs)" if met else "  MISSES the target")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
