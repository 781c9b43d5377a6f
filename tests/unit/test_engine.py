"""Engine semantics beyond the case table: fail closed, traces, purity."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace

from tests.conftest import RULES_DIR
from zonekeeper.policy import decide_zone_access, format_decision, load_policy
from zonekeeper.policy.conditions import Condition

POLICY = load_policy(RULES_DIR)
LEVEL_2_ZONE_IV = {
    "target_zone": "IV",
    "person.kind": "staff",
    "person.training_level": "level_2",
    "person.training_age_days": 3,
    "person.screening_status": "cleared",
}


def _explode(_actual: object, _expected: object) -> bool:
    raise RuntimeError("boom")


def test_an_exception_while_deciding_is_a_deny_with_system_error() -> None:
    broken_rule = replace(POLICY.rules[0], when=(Condition("target_zone", "eq", "IV", _explode),))
    broken = replace(POLICY, rules=(broken_rule, *POLICY.rules[1:]))
    decision = decide_zone_access(broken, LEVEL_2_ZONE_IV)
    assert decision.outcome == "deny"
    assert decision.codes == ("system_error",)
    assert decision.reasons[0].rule_id == "engine.error"
    assert decision.policy_version == POLICY.version


def test_facts_that_are_not_a_mapping_are_a_system_error_deny() -> None:
    decision = decide_zone_access(POLICY, ["target_zone", "IV"])  # type: ignore[arg-type]
    assert decision.outcome == "deny" and decision.codes == ("system_error",)


def test_no_matching_rule_is_a_default_deny() -> None:
    only_denies = replace(POLICY, rules=tuple(r for r in POLICY.rules if r.effect == "deny"))
    decision = decide_zone_access(only_denies, LEVEL_2_ZONE_IV)
    assert decision.outcome == "deny"
    assert decision.codes == ("no_rule_grants",)
    assert decision.reasons[0].rule_id == "default-deny"


def test_any_deny_wins_over_a_grant() -> None:
    facts = dict(LEVEL_2_ZONE_IV, **{"person.screening_status": "not_cleared"})
    decision = decide_zone_access(POLICY, facts)
    fired = {t.rule_id for t in decision.trace if t.fired}
    assert "grant-level-2-zone-iv" in fired  # the grant matched ...
    assert decision.outcome == "deny"  # ... and the deny still won
    assert decision.codes == ("screening_not_cleared",)


def test_decision_carries_reasons_sources_trace_and_version() -> None:
    decision = decide_zone_access(POLICY, LEVEL_2_ZONE_IV)
    assert decision.outcome == "grant"
    (reason,) = decision.reasons
    assert reason.rule_id == "grant-level-2-zone-iv"
    assert "ACR" in reason.source
    assert len(decision.trace) == len(POLICY.rules)
    every_condition = sum(len(r.when) + len(r.unless) for r in POLICY.rules)
    assert sum(len(t.conditions) for t in decision.trace) == every_condition
    assert decision.policy_version == POLICY.version
    data = json.loads(json.dumps(decision.to_dict(), default=list))
    assert data["reasons"][0]["code"] == "level_2_zone_iv"
    assert data["facts"]["person.mr_level"] == "level_2"


def test_format_decision_names_rule_reason_and_source() -> None:
    text = format_decision(decide_zone_access(POLICY, LEVEL_2_ZONE_IV))
    assert "Decision: GRANT" in text
    assert "rule: grant-level-2-zone-iv" in text
    assert "source: ACR" in text
    assert "Trace:" in text


def test_the_policy_package_imports_neither_flask_nor_sqlalchemy() -> None:
    code = (
        "import sys, zonekeeper.policy, zonekeeper.policy.cases;"
        "bad = sorted(m for m in sys.modules"
        " if m.split('.')[0] in {'flask', 'sqlalchemy', 'flask_sqlalchemy'});"
        "print(','.join(bad))"
    )
    # zonekeeper/__init__.py imports Flask lazily inside create_app only
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""


def test_no_module_reads_the_environment_at_import_time() -> None:
    code = """
import os, pkgutil, importlib, importlib.util, sys
# Refuse reads made by zonekeeper's own code; libraries may read what they like.
OWN = os.path.dirname(importlib.util.find_spec('zonekeeper').origin)
class Guard(dict):
    def _check(self):
        caller = sys._getframe(2).f_code.co_filename
        if caller.startswith(OWN):
            raise AssertionError('environment read at import time in ' + caller)
    def __getitem__(self, key):
        self._check(); return dict.__getitem__(self, key)
    def get(self, key, default=None):
        self._check(); return dict.get(self, key, default)
    def __contains__(self, key):
        self._check(); return dict.__contains__(self, key)
    def items(self):
        self._check(); return dict.items(self)
os.environ = Guard(os.environ)
import zonekeeper
for mod in pkgutil.walk_packages(zonekeeper.__path__, 'zonekeeper.'):
    if '.migrations' in mod.name:
        continue
    importlib.import_module(mod.name)
print('ok')
"""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "ok"
