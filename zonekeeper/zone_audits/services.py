"""Running zone audits: what is due, drafts, signing, amendments, history.

Every function takes ``today`` so that the calendar logic can be tested
across days without touching the clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask_login import current_user
from sqlalchemy import func, select

from ..actions.services import default_owner, due_date, open_action
from ..audit.services import record_event
from ..db import utcnow
from ..extensions import db
from ..policy import Policy
from ..policy.schema import ChecklistItemSpec, ChecklistSpec
from ..site.models import Room, Scanner
from .models import RESULTS, ZoneAudit, ZoneAuditItem


class ZoneAuditError(ValueError):
    pass


@dataclass(frozen=True)
class Target:
    """One place a checklist is run: a zone, or one scanner room."""

    checklist: ChecklistSpec
    key: str
    zone: str
    room: Room | None

    @property
    def label(self) -> str:
        where = self.room.name if self.room else f"Zone {self.zone}"
        return f"{self.checklist.name} · {where}"

    @property
    def slug(self) -> str:
        return f"{self.checklist.id}--{self.key.replace(':', '-')}"


def targets(policy: Policy) -> list[Target]:
    scanner_rooms = db.session.scalars(
        select(Room).where(Room.id.in_(select(Scanner.room_id))).order_by(Room.name)
    ).all()
    found: list[Target] = []
    for checklist in policy.checklists:
        if checklist.applies_to.zone is not None:
            zone = checklist.applies_to.zone
            found.append(Target(checklist, f"zone:{zone}", zone, None))
        else:
            found += [
                Target(checklist, f"room:{room.id}", room.zone, room) for room in scanner_rooms
            ]
    return found


def target_by_slug(policy: Policy, slug: str) -> Target | None:
    return next((t for t in targets(policy) if t.slug == slug), None)


def _period_start(frequency: str, day: date) -> date:
    if frequency == "weekly":
        return day - timedelta(days=day.weekday())
    if frequency == "monthly":
        return day.replace(day=1)
    return day


def latest_signed(checklist_id: str, target_key: str, day: date) -> ZoneAudit | None:
    return db.session.scalars(
        select(ZoneAudit)
        .where(
            ZoneAudit.checklist_id == checklist_id,
            ZoneAudit.target_key == target_key,
            ZoneAudit.audit_date == day,
            ZoneAudit.status == "signed",
        )
        .order_by(ZoneAudit.version.desc())
        .limit(1)
    ).first()


def latest_version(checklist_id: str, target_key: str, day: date) -> ZoneAudit | None:
    return db.session.scalars(
        select(ZoneAudit)
        .where(
            ZoneAudit.checklist_id == checklist_id,
            ZoneAudit.target_key == target_key,
            ZoneAudit.audit_date == day,
        )
        .order_by(ZoneAudit.version.desc())
        .limit(1)
    ).first()


def due_items(target: Target, day: date) -> list[ChecklistItemSpec]:
    """Daily items always; weekly and monthly ones until done in their period."""
    due = []
    for item in target.checklist.items:
        start = _period_start(item.frequency, day)
        if item.frequency != "daily":
            done = db.session.scalar(
                select(ZoneAuditItem.id)
                .join(ZoneAudit)
                .where(
                    ZoneAudit.checklist_id == target.checklist.id,
                    ZoneAudit.target_key == target.key,
                    ZoneAudit.status == "signed",
                    ZoneAudit.audit_date >= start,
                    ZoneAudit.audit_date < day,
                    ZoneAuditItem.item_id == item.id,
                    ZoneAuditItem.result.is_not(None),
                )
                .limit(1)
            )
            if done:
                continue
        due.append(item)
    return due


def start_or_resume(target: Target, day: date, policy: Policy) -> ZoneAudit:
    existing = latest_version(target.checklist.id, target.key, day)
    if existing is not None:
        return existing
    audit = ZoneAudit(
        checklist_id=target.checklist.id,
        target_key=target.key,
        zone=target.zone,
        room_id=target.room.id if target.room else None,
        audit_date=day,
        policy_version=policy.version,
        started_by_user_id=current_user.id,
    )
    for position, item in enumerate(due_items(target, day)):
        audit.items.append(
            ZoneAuditItem(
                position=position,
                item_id=item.id,
                text=item.text,
                frequency=item.frequency,
                severity=item.severity,
            )
        )
    db.session.add(audit)
    record_event("zone_audit.start", f"Started {target.label} audit for {day}", target=audit)
    return audit


@dataclass
class ItemAnswer:
    result: str | None
    comment: str
    photo_id: int | None = None


def save_answers(audit: ZoneAudit, answers: dict[str, ItemAnswer]) -> None:
    """Save the draft. Unknown items or a signed audit are refused."""
    if audit.signed:
        raise ZoneAuditError("This audit is signed and locked; amend it instead.")
    items = {item.item_id: item for item in audit.items}
    unknown = set(answers) - set(items)
    if unknown:
        raise ZoneAuditError(f"Unknown checklist item(s): {', '.join(sorted(unknown))}.")
    changed = []
    for item_id, answer in answers.items():
        if answer.result is not None and answer.result not in RESULTS:
            raise ZoneAuditError(f"'{answer.result}' is not pass, fail or n/a.")
        item = items[item_id]
        photo_id = answer.photo_id or item.photo_id
        if (item.result, item.comment, item.photo_id) != (answer.result, answer.comment, photo_id):
            item.result, item.comment, item.photo_id = (
                answer.result,
                answer.comment.strip(),
                photo_id,
            )
            item.answered_at, item.answered_by_user_id = utcnow(), current_user.id
            changed.append(f"{item_id}={answer.result or 'unanswered'}")
    if changed:
        record_event(
            "zone_audit.save",
            f"Saved draft audit #{audit.id}: {', '.join(changed)}"[:300],
            target=audit,
        )


def audit_revision(audit: ZoneAudit) -> str:
    """Changes whenever any answer is saved: a form carries it to detect stale windows."""
    stamps = [item.answered_at for item in audit.items if item.answered_at is not None]
    return f"{audit.status}:{max(stamps).isoformat() if stamps else '-'}"


def sign_problems(audit: ZoneAudit) -> dict[str, str]:
    problems = {}
    for item in audit.items:
        if item.result is None:
            problems[item.item_id] = "Answer pass, fail or not applicable."
        elif item.result == "fail" and not item.comment.strip():
            problems[item.item_id] = "Say what is wrong: a comment is required on a failed item."
    return problems


def sign(audit: ZoneAudit, policy: Policy, today: date) -> list[int]:
    """Lock the audit and open an action for each newly failed item; return their ids."""
    if audit.signed:
        raise ZoneAuditError("This audit is already signed.")
    if audit.audit_date != today and audit.version == 1:
        raise ZoneAuditError("Only today's audit can be signed; a missed day stays a gap.")
    problems = sign_problems(audit)
    if problems:
        raise ZoneAuditError(f"{len(problems)} item(s) need attention before signing.")
    audit.status, audit.signed_at, audit.signed_by_user_id = "signed", utcnow(), current_user.id
    previous_failures = _failed_item_ids(audit.supersedes_id)
    owner = default_owner(today)
    opened = []
    for item in audit.items:
        if item.result == "fail" and item.item_id not in previous_failures:
            db.session.flush()
            action = open_action(
                title=f"{item.text} — failed on {audit.audit_date}",
                detail=item.comment,
                severity=item.severity,
                source="audit",
                owner=owner,
                due_on=due_date(item.severity, today, policy),
                audit_item_id=item.id,
            )
            db.session.flush()
            opened.append(action.id)
    results = ", ".join(f"{i.item_id}={i.result}" for i in audit.items)
    record_event(
        "zone_audit.sign",
        f"Signed audit #{audit.id} v{audit.version}: {results}"[:300],
        target=audit,
    )
    return opened


def _failed_item_ids(audit_id: int | None) -> set[str]:
    if audit_id is None:
        return set()
    return set(
        db.session.scalars(
            select(ZoneAuditItem.item_id).where(
                ZoneAuditItem.audit_id == audit_id, ZoneAuditItem.result == "fail"
            )
        )
    )


def amend(audit: ZoneAudit, reason: str) -> ZoneAudit:
    """A new draft version of a signed audit, carrying its answers and the reason."""
    if not audit.signed:
        raise ZoneAuditError("Only a signed audit can be amended; edit the draft instead.")
    newest = latest_version(audit.checklist_id, audit.target_key, audit.audit_date)
    if newest is not None and newest.id != audit.id:
        raise ZoneAuditError("A newer version of this audit exists; amend that one.")
    if len(reason.strip()) < 5:
        raise ZoneAuditError("Give the reason for the amendment.")
    amended = ZoneAudit(
        checklist_id=audit.checklist_id,
        target_key=audit.target_key,
        zone=audit.zone,
        room_id=audit.room_id,
        audit_date=audit.audit_date,
        version=audit.version + 1,
        supersedes_id=audit.id,
        amendment_reason=reason.strip(),
        policy_version=audit.policy_version,
        started_by_user_id=current_user.id,
    )
    for item in audit.items:
        amended.items.append(
            ZoneAuditItem(
                position=item.position,
                item_id=item.item_id,
                text=item.text,
                frequency=item.frequency,
                severity=item.severity,
                result=item.result,
                comment=item.comment,
                photo_id=item.photo_id,
                answered_at=item.answered_at,
                answered_by_user_id=item.answered_by_user_id,
            )
        )
    db.session.add(amended)
    record_event(
        "zone_audit.amend",
        f"Amending audit #{audit.id} as v{amended.version}",
        target=amended,
        before={"version": audit.version},
        after={"version": amended.version},
    )
    return amended


@dataclass
class DayStatus:
    target: Target
    day: date
    audit: ZoneAudit | None  # the newest version, signed or not
    signed: ZoneAudit | None
    tracked: bool = True  # False before the site's first audit or before the room existed

    @property
    def state(self) -> str:
        if self.signed is not None:
            return "signed"
        return "draft" if self.audit is not None else "missing"


def day_statuses(policy: Policy, day: date) -> list[DayStatus]:
    return [
        DayStatus(
            t,
            day,
            latest_version(t.checklist.id, t.key, day),
            latest_signed(t.checklist.id, t.key, day),
        )
        for t in targets(policy)
    ]


def history(policy: Policy, today: date, days: int = 14) -> list[tuple[date, list[DayStatus]]]:
    """Newest first; a day with no signed audit shows as a gap, never hidden."""
    started = first_audit_date()
    first_due = {t.key: first_due_day(t, started) for t in targets(policy)}
    rows = []
    for n in range(days):
        day = today - timedelta(days=n)
        statuses = day_statuses(policy, day)
        for status in statuses:
            due = first_due.get(status.target.key)
            status.tracked = due is not None and day >= due
        rows.append((day, statuses))
    return rows


def first_audit_date() -> date | None:
    """When the site started auditing in ZoneKeeper: gaps are counted from then on."""
    return db.session.scalar(select(func.min(ZoneAudit.audit_date)))


def first_due_day(target: Target, started: date | None) -> date | None:
    """The first day an audit of ``target`` was due: the day the site started auditing, or
    the day its room was added if later, but never after an audit already done for it (a
    room whose record was created after audits were signed for it is still counted from
    its first audit, so a missed day is never hidden as "before records")."""
    if started is None:
        return None
    due = started
    if target.room is not None:
        due = max(due, target.room.created_at.date())
    own_first = db.session.scalar(
        select(func.min(ZoneAudit.audit_date)).where(
            ZoneAudit.checklist_id == target.checklist.id, ZoneAudit.target_key == target.key
        )
    )
    return min(due, own_first) if own_first is not None else due


def missed_days(policy: Policy, today: date, days: int = 7) -> dict[str, list[date]]:
    """Per target label, the past days (not today) whose audit was never signed,
    within ``days`` and not before records began for that target."""
    missed: dict[str, list[date]] = {}
    for day, statuses in history(policy, today, days + 1)[1:]:
        for status in statuses:
            if status.tracked and status.state != "signed":
                missed.setdefault(status.target.label, []).append(day)
    return missed
