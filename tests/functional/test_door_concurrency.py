"""Concurrent scans: no double grant under hard anti-passback, one event per scan."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sqlalchemy import func, select

from tests import factories
from zonekeeper.doors.access_log import verify_access_log
from zonekeeper.doors.devices import add_device
from zonekeeper.doors.models import AccessEvent, Presence
from zonekeeper.extensions import db

THREADS = 12


def _site(setup_data) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    def build() -> dict[str, Any]:
        factories.door_site()
        staff = [
            factories.person(given=f"Tech{i}", family="Level2", level="level_2", trained_days_ago=5)
            for i in range(6)
        ]
        return {
            "token": add_device("mri-1", "reader"),
            "badges": [factories.badge(person) for person in staff],
        }

    return setup_data(build)


def _post_all(application, token: str, texts: list[str]) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    def post(text: str) -> dict[str, Any]:
        client = application.test_client()
        response = client.post(
            "/api/v1/doors/mri-1/scans",
            json={"text": text},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert response.status_code == 201, response.get_data(as_text=True)
        return response.get_json()  # type: ignore[no-any-return]

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        return list(pool.map(post, texts))


def test_the_same_badge_scanned_at_once_is_granted_once_under_hard_anti_passback(
    another_app,
    setup_data,  # type: ignore[no-untyped-def]
) -> None:
    site = _site(setup_data)
    application = another_app(ANTI_PASSBACK="hard")
    results = _post_all(application, site["token"], [site["badges"][0]] * THREADS * 2)
    outcomes = sorted(r["outcome"] for r in results)
    assert outcomes.count("grant") == 1, outcomes
    assert all(r["reason_codes"] == ["anti_passback"] for r in results if r["outcome"] == "deny")
    with application.app_context():
        assert db.session.scalar(select(func.count()).select_from(AccessEvent)) == THREADS * 2
        open_presences = db.session.scalars(select(Presence).where(Presence.left_at.is_(None)))
        assert len(open_presences.all()) == 1
        assert verify_access_log() == (THREADS * 2, None)
        seqs = db.session.scalars(select(AccessEvent.seq).order_by(AccessEvent.seq)).all()
        assert seqs == list(range(1, THREADS * 2 + 1))  # no gaps, no duplicates


def test_many_badges_at_once_lose_no_event(another_app, setup_data) -> None:  # type: ignore[no-untyped-def]
    site = _site(setup_data)
    application = another_app()
    texts = site["badges"] * 6 + ["not a badge"] * 4
    results = _post_all(application, site["token"], texts)
    assert len({r["event_id"] for r in results}) == len(texts)
    with application.app_context():
        assert db.session.scalar(select(func.count()).select_from(AccessEvent)) == len(texts)
        assert verify_access_log() == (len(texts), None)
