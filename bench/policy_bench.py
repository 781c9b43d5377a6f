"""Policy engine benchmark (`make bench`).

Prints: policy load time; decide_zone_access median, p99 and decisions per
second on the mix of facts in rules/tests; and, as a baseline measured in the
same run, the cost of only validating and deriving the facts, so the ratio
shows what the rule evaluation itself adds. Target: median < 100 us.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from zonekeeper.policy import decide_zone_access, load_policy
from zonekeeper.policy.cases import load_cases
from zonekeeper.policy.facts import prepare_facts

RULES = Path(__file__).resolve().parent.parent / "rules"
TARGET_US = 100.0


def timed_us(function, repeat: int) -> list[float]:  # type: ignore[no-untyped-def]
    samples = []
    for _ in range(repeat):
        start = time.perf_counter_ns()
        function()
        samples.append((time.perf_counter_ns() - start) / 1000)
    return samples


def main() -> None:
    loads = timed_us(lambda: load_policy(RULES), 30)
    policy = load_policy(RULES)
    mix = [case.facts for _, case in load_cases(RULES / "tests")]
    rounds = 400

    def baseline() -> None:
        for facts in mix:
            prepare_facts(facts, policy.domains, policy.training_validity_days, policy.lowest_level)

    def decisions() -> None:
        for facts in mix:
            decide_zone_access(policy, facts)

    for _ in range(20):  # warm up
        decisions()
        baseline()
    per_decision = [t / len(mix) for t in timed_us(decisions, rounds)]
    per_baseline = [t / len(mix) for t in timed_us(baseline, rounds)]

    median = statistics.median(per_decision)
    p99 = statistics.quantiles(per_decision, n=100)[98]
    base_median = statistics.median(per_baseline)
    print(f"policy: {len(policy.rules)} rules, version {policy.version}")
    print(f"policy load:            median {statistics.median(loads) / 1000:8.2f} ms")
    print(f"facts mix:              {len(mix)} cases x {rounds} rounds")
    print(f"decide_zone_access:     median {median:8.1f} us   p99 {p99:8.1f} us")
    print(f"decisions per second:   {1e6 / median:10.0f}")
    print(f"baseline (facts only):  median {base_median:8.1f} us")
    print(f"ratio decision/baseline:{median / base_median:8.1f} x")
    verdict = "meets" if median < TARGET_US else "MISSES"
    print(f"target < {TARGET_US:.0f} us median:  {verdict} ({median / TARGET_US:.2f} of budget)")


if __name__ == "__main__":
    main()
