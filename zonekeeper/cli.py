"""The ``zonekeeper`` command: thin wrappers over the code the web app uses.

Bad input is a message on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, NoReturn

import click
from flask import Flask
from flask.cli import FlaskGroup, with_appcontext

from .config import default_rules_dir
from .policy import PolicyError, decide_zone_access, format_decision, load_policy
from .policy.cases import load_cases, run_case


def _fail(message: str) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    sys.exit(2)


def _create_app() -> Flask:
    from . import create_app

    try:
        return create_app()
    except (RuntimeError, ValueError) as exc:
        _fail(str(exc))


@click.group(cls=FlaskGroup, create_app=_create_app, load_dotenv=False, set_debug_flag=False)
def main() -> None:
    """ZoneKeeper: MRI zone access control and screening compliance."""


def _load_policy_or_exit(directory: str | None) -> Any:
    try:
        return load_policy(directory or default_rules_dir())
    except PolicyError as exc:
        for issue in exc.issues:
            click.echo(str(issue), err=True)
        click.echo(f"{len(exc.issues)} problem(s) found; the policy was not loaded.", err=True)
        sys.exit(2)


@main.group(cls=click.Group)  # a plain group: these commands need no app or database
def rules() -> None:
    """Check, test and explain the site policy in rules/."""


@rules.command("check")
@click.argument("directory", required=False, type=click.Path(file_okay=False))
@click.option("--forms-dir", type=click.Path(file_okay=False), help="Questionnaire directory.")
@click.option("--reports-dir", type=click.Path(file_okay=False), help="Report definitions.")
@click.option("--courses-dir", type=click.Path(file_okay=False), help="Training courses.")
def rules_check(
    directory: str | None, forms_dir: str | None, reports_dir: str | None, courses_dir: str | None
) -> None:
    """Validate every rule file in DIRECTORY (default: the configured rules/), the forms,
    the report definitions and the training courses."""
    policy = _load_policy_or_exit(directory)
    click.echo(
        f"OK: {len(policy.rules)} access rules in {', '.join(policy.files)}; "
        f"policy version {policy.version}"
    )
    forms = _load_forms_or_exit(forms_dir)
    click.echo(
        f"OK: {len(forms)} questionnaire version(s): "
        + ", ".join(f"{f.id} v{f.version} ({f.definition_hash[:19]})" for f in forms)
    )
    from .reports.cli import check_definitions_or_exit

    check_definitions_or_exit(reports_dir)
    from .training.cli import check_courses_or_exit

    check_courses_or_exit(courses_dir)


def _load_forms_or_exit(directory: str | None) -> Any:
    from .config import default_forms_dir
    from .questionnaires import load_forms
    from .questionnaires.fields import check_registry

    check_registry()
    try:
        return load_forms(directory or default_forms_dir())
    except PolicyError as exc:
        for issue in exc.issues:
            click.echo(str(issue), err=True)
        click.echo(f"{len(exc.issues)} problem(s) found; the forms were not loaded.", err=True)
        sys.exit(2)


@rules.command("test")
@click.argument("directory", required=False, type=click.Path(file_okay=False))
def rules_test(directory: str | None) -> None:
    """Run the policy's own cases in DIRECTORY/tests against it (exit 1 on a failure)."""
    from .policy.screening.cases import load_screening_cases, run_screening_case
    from .policy.screening_step_cases import load_step_cases, run_step_case

    policy = _load_policy_or_exit(directory)
    try:
        cases = load_cases(Path(policy.directory) / "tests")
        screening_cases = load_screening_cases(Path(policy.directory) / "tests")
        step_cases = load_step_cases(Path(policy.directory) / "tests")
    except PolicyError as exc:
        _fail(str(exc))
    results: list[Any] = [run_case(policy, file, case) for file, case in cases]
    results += [run_screening_case(policy, f, day, case) for f, day, case in screening_cases]
    results += [run_step_case(policy, f, case) for f, case in step_cases]
    for result in results:
        if not result.passed:
            click.echo(f"FAIL {result.file}: {result.case.name}: {result.detail}")
    failed = sum(1 for r in results if not r.passed)
    click.echo(f"{len(results) - failed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


@rules.command("explain")
@click.argument("facts_file", type=click.File("r", encoding="utf-8"))
@click.option("--rules-dir", type=click.Path(file_okay=False), help="Policy directory.")
@click.option("--json", "as_json", is_flag=True, help="Print the decision as JSON.")
@click.option("--no-trace", is_flag=True, help="Leave out the per-condition trace.")
def rules_explain(facts_file: Any, rules_dir: str | None, as_json: bool, no_trace: bool) -> None:
    """Decide zone access for the facts in FACTS_FILE (JSON object; '-' for stdin)."""
    try:
        facts = json.load(facts_file)
    except json.JSONDecodeError as exc:
        _fail(f"{facts_file.name} is not valid JSON: {exc}")
    if not isinstance(facts, dict):
        _fail(f"{facts_file.name} must hold a JSON object of facts")
    policy = _load_policy_or_exit(rules_dir)
    decision = decide_zone_access(policy, facts)
    if as_json:
        click.echo(json.dumps(decision.to_dict(), indent=2, default=list))
    else:
        click.echo(format_decision(decision, trace=not no_trace))


@main.group()
def demo() -> None:
    """The demo site."""


@demo.command("load")
@click.option("--if-empty", is_flag=True, help="Do nothing (exit 0) if the database has people.")
@with_appcontext
def demo_load(if_empty: bool) -> None:
    """Load a believable demo site: scanners, rooms, doors, staff, visitors, logins."""
    from .demo import DemoNotEmpty, load_demo_site, printed_logins

    try:
        summary = load_demo_site()
    except DemoNotEmpty:
        if if_empty:
            click.echo("Demo data already present; nothing loaded.")
            _print_logins(printed_logins())
            return
        _fail("the database already holds people; the demo site loads only into an empty one")
    click.echo(summary)
    _print_logins(printed_logins())


def _print_logins(logins: list[tuple[str, str, str]]) -> None:
    click.echo("Demo logins (username / password / role):")
    for username, password, role in logins:
        click.echo(f"  {username:15} {password:22} {role}")


@main.group()
def audit() -> None:
    """The tamper-evident audit trail."""


@audit.command("verify")
@click.option(
    "--min-seq",
    type=click.IntRange(min=0),
    default=0,
    help="A sequence number recorded earlier outside the database; fail if the chain is shorter.",
)
@with_appcontext
def audit_verify(min_seq: int) -> None:
    """Walk the hash chain; exit 0 if intact, 1 naming the first broken row."""
    from .audit.services import chain_head, verify_chain

    checked, broken = verify_chain(min_seq)
    if broken is not None:
        click.echo(f"BROKEN after {checked} intact event(s): {broken}", err=True)
        sys.exit(1)
    head = chain_head()
    click.echo(f"OK: {checked} audit event(s), chain intact.")
    click.echo(
        f"Head: seq {head.last_seq}, hash {head.last_hash}  (record these outside the database)"
    )


@main.group()
def door() -> None:
    """Doors, their readers, and the access log."""


@door.command("list")
@with_appcontext
def door_list() -> None:
    """The doors, with the codes readers and kiosks use."""
    from .site.services import doors

    for item in doors():
        click.echo(f"{item.code:24} Zone {item.from_zone} -> {item.to_zone}  {item.name}")


@door.command("add-device")
@click.argument("door_code")
@click.argument("name")
@with_appcontext
def door_add_device(door_code: str, name: str) -> None:
    """Register a reader at a door and print its token (shown once; only a hash is kept)."""
    from .doors.devices import DeviceError, add_device

    try:
        token = add_device(door_code, name)
    except DeviceError as exc:
        _fail(str(exc))
    click.echo(f"Device '{name}' registered at door {door_code}. Its token (shown once):")
    click.echo(token)


@door.command("verify-log")
@click.option(
    "--min-seq",
    type=click.IntRange(min=0),
    default=0,
    help="The log had at least this many events (a head recorded earlier).",
)
@click.option(
    "--expect-head",
    metavar="HASH",
    default=None,
    help="The hash recorded earlier with --min-seq: the event at that seq must have it.",
)
@with_appcontext
def door_verify_log(min_seq: int, expect_head: str | None) -> None:
    """Walk the access log's hash chain; exit 0 if intact, 1 naming the first broken event.

    Prints the head it verified: keep it elsewhere (the monthly report carries it) and
    give it back as --min-seq/--expect-head, so a log rolled back to an older state or
    wiped and reset to genesis is caught.
    """
    from .doors.access_log import access_log_head, verify_access_log

    checked, broken = verify_access_log(min_seq, expect_head)
    if broken is not None:
        click.echo(f"BROKEN after {checked} intact event(s): {broken}", err=True)
        sys.exit(1)
    seq, last_hash = access_log_head()
    click.echo(f"OK: {checked} access event(s), chain intact.")
    click.echo(f"Head: seq {seq} hash {last_hash}")
    click.echo(f"Record it; next time check with: --min-seq {seq} --expect-head {last_hash}")


@main.group()
def screen() -> None:
    """Patient screening: evaluate a case against the site's scanners."""


@screen.command("evaluate")
@click.argument("case_file", type=click.File("r", encoding="utf-8"))
@click.option("--scanner", help="Evaluate the exam on this scanner instead of the case's.")
@with_appcontext
def screen_evaluate(case_file: Any, scanner: str | None) -> None:
    """Print the decision for CASE.json ({"form", "answers", "implants", "exam"}) as JSON,
    as POST /api/v1/screenings/evaluate returns it. Nothing is stored."""
    from .clock import site_today
    from .inputs import load_json_text
    from .policy_store import current_policy
    from .screening.evaluation import evaluate_request

    try:
        body = load_json_text(case_file.read())
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError is a ValueError
        _fail(f"{case_file.name} is not valid JSON: {str(exc)[:200]}")
    try:
        policy = current_policy()
    except PolicyError as exc:
        _fail(f"the site policy does not load: {exc}")
    decision, problems = evaluate_request(body, policy, site_today(), scanner=scanner)
    if decision is None:
        for problem in problems:
            click.echo(f"{problem['field'] or 'case'}: {problem['problem']}", err=True)
        _fail(f"{len(problems)} problem(s) in {case_file.name}; nothing was evaluated.")
    click.echo(json.dumps(decision, indent=2, ensure_ascii=False))


@screen.command("recheck")
@click.option(
    "--dry-run", is_flag=True, help="List what would return before the final check; change nothing."
)
@with_appcontext
def screen_recheck(dry_run: bool) -> None:
    """Re-check every current safe-to-scan screening's final check against the step table
    (rules/screening_steps.yaml): any recorded by someone not then allowed (Level 1, lapsed
    Level 2, no roster person) returns, as a new version, to the state before the final
    check, and is listed. Exit 0 when none is found, 1 when some were (or would be) returned."""
    from .clock import site_today
    from .extensions import db
    from .policy_store import current_policy
    from .screening.recheck import recheck_final_checks

    try:
        policy = current_policy()
    except PolicyError as exc:
        _fail(f"the site policy does not load: {exc}")
    findings = recheck_final_checks(policy, site_today(), apply=not dry_run)
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    for f in findings:
        now = (
            f"would return to '{f.returned_to}'"
            if dry_run
            else (f"returned to '{f.returned_to}' as screening #{f.new_version_id}")
        )
        click.echo(
            f"screening #{f.screening_id} (visit {f.visit_date}, {f.state}): final check by "
            f"{f.recorded_by} on {f.recorded_on} not allowed: {f.why} -> {now}"
        )
    click.echo(
        f"{len(findings)} screening(s) with a final check recorded by someone not allowed"
        + (" (dry run: nothing changed)" if dry_run else "")
    )
    if findings:
        sys.exit(1)


def _add_report_commands() -> None:
    from .reports.cli import report

    main.add_command(report)
    from .training.cli import training

    main.add_command(training)


_add_report_commands()


@main.group()
def user() -> None:
    """User accounts."""


@user.command("create")
@click.argument("username")
@click.option(
    "--role",
    required=True,
    type=click.Choice(["technologist", "mrso", "safety_director", "admin", "kiosk"]),
)
@click.option("--person-id", type=int, help="The person record this account belongs to.")
@click.option("--door", "door_code", help="Kiosk accounts: the code of the door it stands at.")
@click.password_option()
@with_appcontext
def user_create(
    username: str, role: str, person_id: int | None, door_code: str | None, password: str
) -> None:
    """Create an account."""
    from .auth.services import AccountError, create_user
    from .doors.devices import door_by_code

    door = door_by_code(door_code) if door_code else None
    if door_code and door is None:
        _fail(f"no door with code '{door_code}'")
    try:
        create_user(username, password, role, person_id, door.id if door else None)
    except AccountError as exc:
        _fail(str(exc))
    click.echo(f"Created {role} account '{username}'.")


@user.command("disable")
@click.argument("username")
@with_appcontext
def user_disable(username: str) -> None:
    """Disable an account; its sessions end at once."""
    from .auth.services import AccountError, disable_user

    try:
        disable_user(username)
    except AccountError as exc:
        _fail(str(exc))
    click.echo(f"Disabled '{username}'.")


if __name__ == "__main__":
    main()
