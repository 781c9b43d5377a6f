from __future__ import annotations

from datetime import date, timedelta

from tests.conftest import RULES_DIR
from zonekeeper.policy import TrainingFact, best_current_training, load_policy

POLICY = load_policy(RULES_DIR)
TODAY = date(2026, 11, 24)


def ago(days: int) -> date:
    return TODAY - timedelta(days=days)


def test_no_training_is_non_mr() -> None:
    standing = best_current_training([], TODAY, POLICY)
    assert standing.level == "non_mr" and standing.basis is None and not standing.lapsed


def test_highest_current_level_wins() -> None:
    records = [TrainingFact("level_1", ago(10)), TrainingFact("level_2", ago(200))]
    standing = best_current_training(records, TODAY, POLICY)
    assert standing.level == "level_2"
    assert standing.age_days == 200
    assert standing.current_until == ago(200) + timedelta(days=365)


def test_lapsed_level_2_with_current_level_1_is_level_1() -> None:
    records = [TrainingFact("level_2", ago(400)), TrainingFact("level_1", ago(100))]
    assert best_current_training(records, TODAY, POLICY).level == "level_1"


def test_window_boundary_365_current_366_lapsed() -> None:
    assert (
        best_current_training([TrainingFact("level_2", ago(365))], TODAY, POLICY).level == "level_2"
    )
    lapsed = best_current_training([TrainingFact("level_2", ago(366))], TODAY, POLICY)
    assert lapsed.level == "non_mr" and lapsed.lapsed and lapsed.age_days == 366


def test_training_dated_in_the_future_does_not_count() -> None:
    standing = best_current_training(
        [TrainingFact("level_2", TODAY + timedelta(days=1))], TODAY, POLICY
    )
    assert standing.level == "non_mr"


def test_unknown_level_in_a_record_does_not_count() -> None:
    standing = best_current_training([TrainingFact("level_9", ago(1))], TODAY, POLICY)
    assert standing.level == "non_mr"
