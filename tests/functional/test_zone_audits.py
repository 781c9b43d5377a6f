"""Zone audits through their pages: draft, sign, lock, amend; gaps and overdue across days."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta

import pandas as pd
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from tests import factories
from tests.conftest import AuthActions, csrf_token
from tests.functional.zone_audit_helpers import SLUG
from tests.functional.zone_audit_helpers import answers as _answers
from tests.functional.zone_audit_helpers import start as _start
from zonekeeper.actions.models import CorrectiveAction
from zonekeeper.extensions import db
from zonekeeper.people.models import Designation
from zonekeeper.zone_audits.models import ZoneAudit

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def test_draft_sign_lock_and_amend(client: FlaskClient, mrso: int, app: Flask) -> None:
    audit_id = _start(client)
    assert _start(client) == audit_id  # starting again resumes the same draft
    saved = _answers(client, audit_id, "save", skip=("hearing-protection",))
    assert saved.status_code == 302
    refused = _answers(client, audit_id, "sign", skip=("hearing-protection",))
    assert (
        refused.status_code == 400
        and "Answer pass, fail or not applicable." in refused.get_data(as_text=True)
    )
    no_comment = _answers(client, audit_id, "sign", fail={"crash-cart-outside": ""})
    assert no_comment.status_code == 400 and "comment is required" in no_comment.get_data(
        as_text=True
    )
    signed = _answers(
        client, audit_id, "sign", fail={"crash-cart-outside": "Crash cart parked inside Zone IV"}
    )
    assert signed.status_code == 302

    with app.app_context():
        action = db.session.scalars(select(CorrectiveAction)).one()
        action_id = action.id
        assert action.severity == "high" and action.owner_person_id == mrso
        assert action.due_on - db.session.get(ZoneAudit, audit_id).audit_date == timedelta(days=3)
    locked = _answers(client, audit_id, "save")
    assert locked.status_code == 302  # refused with a message, nothing changed
    assert "signed and locked" in client.get(f"/zone-audits/{audit_id}").get_data(as_text=True)

    token = csrf_token(client.get(f"/zone-audits/{audit_id}").get_data(as_text=True))
    amended = client.post(
        f"/zone-audits/{audit_id}/amend",
        data={
            "csrf_token": token,
            "reason": "Crash cart was in fact at its place; misread the floor marking",
        },
    )
    new_id = int(re.search(r"/zone-audits/(\d+)", amended.headers["Location"]).group(1))
    assert new_id != audit_id
    assert _answers(client, new_id, "sign").status_code == 302  # all pass now
    with app.app_context():
        old, new = db.session.get(ZoneAudit, audit_id), db.session.get(ZoneAudit, new_id)
        assert old.status == "signed" and new.status == "signed" and new.version == 2
        assert new.supersedes_id == audit_id and "misread" in new.amendment_reason
        assert [i.result for i in old.items if i.item_id == "crash-cart-outside"] == [
            "fail"
        ]  # untouched
        assert db.session.scalars(select(CorrectiveAction.id)).all() == [action_id]  # no new action
    again = client.post(
        f"/zone-audits/{audit_id}/amend", data={"csrf_token": token, "reason": "another try"}
    )
    assert again.status_code == 302
    assert "A newer version" in client.get(f"/zone-audits/{audit_id}").get_data(as_text=True)


def test_gaps_and_overdue_actions_across_days(
    client: FlaskClient, mrso: int, frozen, app: Flask
) -> None:  # type: ignore[no-untyped-def]
    frozen(2026, 3, 2)
    audit_id = _start(client)
    _answers(
        client, audit_id, "sign", fail={"hearing-protection": "Earplugs out of stock"}
    )  # low: due in 30 days
    frozen(2026, 3, 4)  # nothing signed on 3 March
    page = client.get("/zone-audits/").get_data(as_text=True)
    row = re.search(r"2026-03-03</td>(.*?)</tr>", page, re.S).group(1)
    assert "Missed" in row
    assert re.search(r"2026-03-04 \(today\)</td>\s*<td class=\"cell-missing\">\s*Due", page)
    dashboard = client.get("/safety").get_data(as_text=True)
    assert "Zones II and III walk-through · Zone III: 1 day(s) — 2026-03-03" in dashboard
    assert "0 overdue" in dashboard
    frozen(2026, 4, 2)  # a day past the action's 30 days
    dashboard = client.get("/safety").get_data(as_text=True)
    assert "1 overdue" in dashboard
    overdue = client.get("/actions/?show=overdue").get_data(as_text=True)
    assert "Earplugs" not in overdue and "Hearing protection" in overdue and "overdue" in overdue


def test_yesterdays_draft_cannot_be_signed_today(client: FlaskClient, mrso: int, frozen) -> None:  # type: ignore[no-untyped-def]
    frozen(2026, 3, 2)
    audit_id = _start(client)
    frozen(2026, 3, 3)
    response = _answers(client, audit_id, "sign")
    assert response.status_code == 302
    assert "a missed day stays a gap" in client.get(f"/zone-audits/{audit_id}").get_data(
        as_text=True
    )


def test_weekly_items_drop_out_once_done_that_week(
    client: FlaskClient, mrso: int, frozen, setup_data
) -> None:  # type: ignore[no-untyped-def]
    from zonekeeper.site.models import Room, Scanner

    def site() -> None:
        room = Room(name="MRI 2 magnet room", zone="IV")
        db.session.add(
            Scanner(
                name="MRI 2",
                room=room,
                field_strength_t=3.0,
                spatial_field_gradient_t_per_m=20,
                max_slew_rate_t_per_m_per_s=200,
                operating_modes=["normal"],
                transmit_coils=["body"],
            )
        )

    setup_data(site)
    frozen(2026, 3, 2)  # a Monday
    page = client.get("/zone-audits/").get_data(as_text=True)
    slug = re.search(r"/zone-audits/(scanner-room--room-\d+)/start", page).group(1)

    def start_room() -> int:
        token = csrf_token(client.get("/zone-audits/").get_data(as_text=True))
        location = client.post(f"/zone-audits/{slug}/start", data={"csrf_token": token}).headers[
            "Location"
        ]
        return int(location.rsplit("/", 1)[1])

    monday = start_room()
    assert "Helium level recorded" in client.get(f"/zone-audits/{monday}").get_data(as_text=True)
    _answers(client, monday, "sign")
    frozen(2026, 3, 3)
    tuesday = start_room()
    page = client.get(f"/zone-audits/{tuesday}").get_data(as_text=True)
    assert "Helium level recorded" not in page and "Oxygen monitor alarm tested" not in page
    frozen(2026, 3, 9)  # next week: helium again; alarm test is monthly, done in March
    page = client.get(f"/zone-audits/{start_room()}").get_data(as_text=True)
    assert "Helium level recorded" in page and "Oxygen monitor alarm tested" not in page


def test_photo_upload_is_checked(client: FlaskClient, mrso: int, app: Flask) -> None:
    audit_id = _start(client)
    bad = _answers(
        client,
        audit_id,
        "save",
        **{"photo-zone-signage": (io.BytesIO(b"%PDF-1.4 not a photo"), "x.png")},
    )
    assert bad.status_code == 400 and "Only JPEG or PNG photos" in bad.get_data(as_text=True)
    good = _answers(
        client, audit_id, "save", **{"photo-zone-signage": (io.BytesIO(PNG), "sign.png")}
    )
    assert good.status_code == 302
    page = client.get(f"/zone-audits/{audit_id}").get_data(as_text=True)
    photo_url = re.search(r'href="(/zone-audits/photos/\d+)"', page).group(1)
    photo = client.get(photo_url)
    assert photo.mimetype == "image/png" and photo.data == PNG


def test_only_the_mrso_or_a_delegated_level_2_runs_audits(
    client: FlaskClient, auth: AuthActions, setup_data
) -> None:  # type: ignore[no-untyped-def]
    def data() -> int:
        tech = factories.person(family="Tech", level="level_2", trained_days_ago=5)
        factories.user("tech1", "technologist", person_id=tech.id)
        return tech.id

    tech_id = setup_data(data)
    auth.sign_in("tech1", factories.PASSWORD)
    token = csrf_token(client.get("/zone-audits/").get_data(as_text=True))
    assert client.post(f"/zone-audits/{SLUG}/start", data={"csrf_token": token}).status_code == 403
    setup_data(
        lambda: db.session.add(
            Designation(
                person_id=tech_id, role="zone_audit_delegate", granted_on=datetime.now(UTC).date()
            )
        )
    )
    assert client.post(f"/zone-audits/{SLUG}/start", data={"csrf_token": token}).status_code == 302


def test_audit_export_has_one_row_per_item(client: FlaskClient, mrso: int) -> None:
    audit_id = _start(client)
    _answers(client, audit_id, "sign", fail={"zone-signage": '=HYPERLINK("x") sign missing'})
    response = client.get("/zone-audits/export.csv")
    frame = pd.read_csv(io.BytesIO(response.data), encoding="utf-8-sig")
    assert len(frame) == 8 and set(frame["result"]) == {"pass", "fail"}
    assert frame.loc[frame["item"] == "zone-signage", "comment"].iloc[0].startswith("'=")
    assert (
        client.get("/zone-audits/export.csv?date_from=2026-05-01&date_to=2026-04-01").status_code
        == 400
    )


def test_a_stale_window_cannot_overwrite_newer_answers(
    client: FlaskClient, mrso: int, app: Flask
) -> None:
    audit_id = _start(client)
    stale_page = client.get(f"/zone-audits/{audit_id}").get_data(as_text=True)
    stale_revision = re.search(r'name="revision" value="([^"]*)"', stale_page).group(1)
    assert _answers(client, audit_id, "save", fail={"zone-signage": "Sign torn"}).status_code == 302
    response = client.post(
        f"/zone-audits/{audit_id}",
        data={
            "csrf_token": csrf_token(stale_page),
            "revision": stale_revision,
            "action": "save",
            "result-zone-signage": "pass",
        },
    )
    assert response.status_code == 302
    assert "changed in another window" in client.get(f"/zone-audits/{audit_id}").get_data(
        as_text=True
    )
    with app.app_context():
        item = next(
            i for i in db.session.get(ZoneAudit, audit_id).items if i.item_id == "zone-signage"
        )
        assert (item.result, item.comment) == ("fail", "Sign torn")


def test_unlinked_photos_are_not_served(client: FlaskClient, mrso: int, setup_data) -> None:  # type: ignore[no-untyped-def]
    from zonekeeper.zone_audits.models import AuditPhoto

    photo_id = setup_data(lambda: _add_photo(AuditPhoto))
    assert client.get(f"/zone-audits/photos/{photo_id}").status_code == 404


def _add_photo(model):  # type: ignore[no-untyped-def]
    photo = model(mime_type="image/png", size_bytes=len(PNG), sha256="0" * 64, data=PNG)
    db.session.add(photo)
    db.session.flush()
    return photo.id


def test_a_room_recorded_after_its_audits_still_shows_missed_days(
    client: FlaskClient, mrso: int, frozen, app: Flask, setup_data
) -> None:  # type: ignore[no-untyped-def]
    """Issue #16: a day with no audit showed grey "before records" (and the dashboard no
    missed audit) when the room's record was created after audits already signed for it."""
    from zonekeeper.site.models import Room, Scanner

    scanners = setup_data(factories.screening_site)
    with app.app_context():
        room_id = db.session.get(Scanner, scanners["MRI 1"]).room_id
    slug = f"scanner-room--room-{room_id}"
    frozen(2026, 3, 2)
    token = csrf_token(client.get("/zone-audits/").get_data(as_text=True))
    started = client.post(f"/zone-audits/{slug}/start", data={"csrf_token": token})
    assert started.status_code == 302
    audit_id = int(re.search(r"/zone-audits/(\d+)", started.headers["Location"]).group(1))
    assert _answers(client, audit_id, "sign").status_code == 302
    with app.app_context():  # the room's record re-created later (e.g. renamed, re-imported)
        db.session.get(Room, room_id).created_at = datetime(2026, 3, 4, 8, 0, tzinfo=UTC)
        db.session.commit()
    frozen(2026, 3, 5)  # nothing signed for the room on 3 and 4 March
    page = client.get("/zone-audits/").get_data(as_text=True)
    row = re.search(r"2026-03-03</td>(.*?)</tr>", page, re.S).group(1)
    # Zone III and MRI 1 missed; MRI 2's room (recorded today, never audited) is before records
    assert row.count("Missed") == 2 and row.count("before records") == 1
    dashboard = client.get("/safety").get_data(as_text=True)
    assert "MRI 1 magnet room: 2 day(s)" in dashboard
