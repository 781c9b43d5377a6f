"""Screening evaluation benchmark.

Prints, for screenings with 0, 1 and 5 implants against 2 scanners (and a
planned contrast agent): evaluate_screening median, p99 and evaluations per
second; and, as a baseline measured in the same run, the cost of only checking
the answers and deriving the facts, so the ratio shows what the rules and the
implant checks add. Target: median < 2 ms for 5 implants.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import replace
from datetime import date
from pathlib import Path

from zonekeeper.policy import load_policy
from zonekeeper.policy.screening.derived import derive_facts
from zonekeeper.policy.screening.evaluate import evaluate_screening
from zonekeeper.policy.screening.exam import ExamSpec, ScannerSpec
from zonekeeper.policy.screening.implants import ImplantDeclaration
from zonekeeper.policy.screening.parse import parse_facts

RULES = Path(__file__).resolve().parent.parent / "rules"
TARGET_MS = 2.0
TODAY = date(2025, 3, 1)
SCANNERS = (
    ScannerSpec("3T Skyra", 3.0, 11.0, 200.0, ("normal", "first_level"), ("body", "head")),
    ScannerSpec("1.5T Aera", 1.5, 5.0, 125.0, ("normal", "first_level"), ("body",)),
)
EXAM = ExamSpec("1.5T Aera", "abdomen", "body", "outpatient", "Eovist")
PACEMAKER = ImplantDeclaration(
    category="cardiac",
    description="Pacemaker system",
    astm_class="mr_conditional",
    manufacturer="Acme",
    model="PM-1",
    implant_date=date(2024, 6, 1),
    complete_system=True,
    abandoned_components=False,
    field_strengths_t=frozenset({1.5, 3.0}),
    max_spatial_gradient_t_per_m=20.0,
    max_whole_body_sar_w_per_kg=2.0,
    max_b1rms_ut=2.8,
    operating_mode="normal",
    allowed_transmit_coils=frozenset({"body"}),
    max_slew_rate_t_per_m_per_s=150.0,
    active_scan_minutes=30.0,
    excluded_regions=frozenset({"chest"}),
    preparation_steps=("Program the device to its MRI mode", "Continuous monitoring"),
    waiting_period_days=42,
)
FIVE = (
    PACEMAKER,
    replace(PACEMAKER, category="stent_coil_filter", description="Stent", complete_system=None),
    replace(PACEMAKER, category="orthopedic", description="Hip", astm_class="mr_safe"),
    replace(
        PACEMAKER, category="aneurysm_clip", description="Clip", field_strengths_t=frozenset({3.0})
    ),
    replace(PACEMAKER, category="neurostimulator", description="SCS", implant_date=None),
)


def timed_ms(function, repeat: int) -> list[float]:  # type: ignore[no-untyped-def]
    samples = []
    for _ in range(repeat):
        start = time.perf_counter_ns()
        function()
        samples.append((time.perf_counter_ns() - start) / 1e6)
    return samples


def main() -> None:
    policy = load_policy(RULES)
    assert policy.screening is not None
    facts = {name: False for name in policy.screening.required_answers}
    facts |= {"history.reliable": True, "kidney.egfr": 70.0, "kidney.egfr_date": date(2025, 2, 20)}
    facts |= {"kidney.dialysis": False, "kidney.acute_injury": False}
    facts["contrast.prior_reaction"] = False
    rounds = 2000
    print(f"policy version {policy.version}; {len(SCANNERS)} scanners; contrast agent planned")

    def baseline() -> None:
        answered, _ = parse_facts(facts)
        derive_facts(answered or {}, EXAM, "III", TODAY)

    for _ in range(200):
        baseline()
    base = statistics.median(timed_ms(baseline, rounds))
    print(f"baseline (answers checked, facts derived): median {base * 1000:8.1f} us")
    verdict = ""
    for count in (0, 1, 5):
        implants = FIVE[:count]
        scan_facts = {**facts, **{f"device.{i.category}": True for i in implants}}

        def evaluate() -> None:
            evaluate_screening(policy, scan_facts, implants, EXAM, SCANNERS, TODAY)  # noqa: B023

        for _ in range(200):
            evaluate()
        samples = timed_ms(evaluate, rounds)
        median = statistics.median(samples)
        p99 = statistics.quantiles(samples, n=100)[98]
        print(
            f"{count} implant(s): median {median:6.3f} ms   p99 {p99:6.3f} ms   "
            f"{1000 / median:8.0f} evaluations/s   ratio to baseline {median / base:6.1f} x"
        )
        if count == 5:
            verdict = "meets" if median < TARGET_MS else "MISSES"
            verdict += f" ({median / TARGET_MS:.2f} of budget)"
    print(f"target < {TARGET_MS:.0f} ms median with 5 implants: {verdict}")


if __name__ == "__main__":
    main()
