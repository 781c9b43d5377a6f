"""SM-2 spaced repetition (Wozniak 1990) for the flash cards, as a pure function.

The four buttons map to SM-2 quality grades: again 1 (forgotten: start over),
hard 3, good 4, easy 5.
"""

from __future__ import annotations

from dataclasses import dataclass

GRADES = {"again": 1, "hard": 3, "good": 4, "easy": 5}
MIN_EASE = 1.3


@dataclass(frozen=True, slots=True)
class CardState:
    repetitions: int = 0
    interval_days: int = 0
    ease: float = 2.5


def review(state: CardState, rating: str) -> CardState:
    """The card's state after one review; ``interval_days`` is the wait until the next."""
    if rating not in GRADES:
        raise ValueError(f"rating must be one of {', '.join(GRADES)}")
    quality = GRADES[rating]
    ease = max(MIN_EASE, state.ease + 0.1 - (5 - quality) * (0.08 + (5 - quality) * 0.02))
    if quality < 3:
        return CardState(repetitions=0, interval_days=1, ease=round(ease, 4))
    if state.repetitions == 0:
        interval = 1
    elif state.repetitions == 1:
        interval = 6
    else:
        interval = round(state.interval_days * state.ease)
    return CardState(repetitions=state.repetitions + 1, interval_days=interval, ease=round(ease, 4))
