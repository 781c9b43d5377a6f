"""Screening pages: today's list, a new screening, the form and its outcome, the record."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import select

from ..audit.services import record_event
from ..clock import site_today
from ..extensions import db
from ..policy.screening.implants import IMPLANT_CATEGORIES, MODE_LABELS
from ..policy.screening.labeling import LABELS, NCI_CODES
from ..policy_store import current_policy
from ..questionnaires import validate_answers
from ..questionnaires.fields import ANSWER_PLEASE, answers_from_form
from ..questionnaires.store import current_questionnaire, form_class_for
from ..site.models import Scanner
from .authorization import step_permissions
from .banner import blocking_errors, outcome_banner
from .evaluation import IMPLANT_LIST_QUESTION, read_implants, site_scanners
from .forms import (
    CHOOSE,
    AmendForm,
    ExamFields,
    ExceptionForm,
    FinalCheckForm,
    NewScreeningForm,
    SecondScreenForm,
    SignoffForm,
    VoidSignoffForm,
)
from .gradient_views import register_gradient_signoffs
from .models import STATE_LABELS, Screening
from .record_pdf import screening_record_pdf
from .services import (
    BirthDateError,
    ExamDetails,
    ScreeningError,
    SubjectDetails,
    check_answers,
    save_answers,
    start_screening,
    todays_screenings,
    unconfirmed_constraints,
    valid_confirmations,
)
from .signoff_views import register_signoffs
from .signoffs import (
    ACTION_CLEARANCE,
    CLEARANCES,
    requested_clearances,
    signing_designation,
    signoff_rows,
    who_may_sign,
)
from .step_views import register_steps
from .workflow import acting_person, final_check_problems, is_current_level_2
from .workup_views import register_workup

bp = Blueprint("screening", __name__, url_prefix="/screenings")
SCREENERS = ("technologist", "mrso")


def require_screener() -> None:
    """Technologists and the MRSO screen; the access table says so too."""
    if current_user.role not in SCREENERS:
        record_event(
            "auth.forbidden",
            f"Refused screening {request.method} {request.path}",
            target=current_user._get_current_object(),
            target_type="users",
            person_id=current_user.person_id,
        )
        db.session.commit()
        abort(403)


def load_screening(screening_id: int, *, lock: bool = False) -> Screening:
    return db.session.get(Screening, screening_id, with_for_update=lock) or abort(404)


def _scanner_choices(form: ExamFields) -> None:
    form.scanner_id.choices = [CHOOSE] + [
        (s.id, f"{s.name} ({s.field_strength_t:g} T)") for s in site_scanners()
    ]


@bp.route("/")
def index() -> ResponseReturnValue:
    today, policy = site_today(), current_policy()
    screenings = todays_screenings(today)
    waiting = {}
    for item in screenings:  # the sign-offs each open screening waits for, in words
        evaluation = item.latest_evaluation
        if evaluation is not None and not item.signed:
            asked = requested_clearances(evaluation.decision, policy)
            waiting[item.id] = [f"{CLEARANCES[f].signer}'s {CLEARANCES[f].label}" for f in asked]
    return render_template(
        "screening/index.html",
        screenings=screenings,
        waiting=waiting,
        today=today,
        state_labels=STATE_LABELS,
        can_screen=current_user.role in SCREENERS,
    )


@bp.route("/new", methods=["GET", "POST"])
def new() -> ResponseReturnValue:
    require_screener()
    form = NewScreeningForm()
    _scanner_choices(form)
    if form.validate_on_submit():
        scanner = db.session.get(Scanner, form.scanner_id.data) or abort(400)
        subject = SubjectDetails(
            kind=form.subject_kind.data,
            given_name=form.given_name.data,
            family_name=form.family_name.data,
            date_of_birth=form.date_of_birth.data,
            mrn=form.mrn.data,
        )
        exam = ExamDetails(
            scanner,
            form.body_region.data,
            form.transmit_coil.data,
            form.setting.data,
            form.contrast_agent.data,
            form.operating_mode.data or "normal",
        )
        try:
            screening = start_screening(
                subject, exam, emergent=form.emergent.data, today=site_today(),
                policy=current_policy(),
            )  # fmt: skip
            db.session.commit()
            return redirect(url_for("screening.screening", screening_id=screening.id))
        except ScreeningError as exc:
            db.session.rollback()
            field = form.date_of_birth if isinstance(exc, BirthDateError) else form.mrn
            field.errors.append(str(exc))
    status = 400 if request.method == "POST" else 200
    return render_template("screening/new.html", form=form), status


def _form_data(screening: Screening) -> dict[str, Any]:
    questionnaire = current_questionnaire(screening.form_id, screening.form_version)
    data: dict[str, Any] = {}
    for qid, value in (screening.answers or {}).items():
        question = questionnaire.questions.get(qid)
        if question is not None and question.type == "date" and isinstance(value, str):
            data[qid] = date.fromisoformat(value)
        else:
            data[qid] = value
    data[IMPLANT_LIST_QUESTION] = screening.implants or []
    return data


def _page(
    screening: Screening,
    questionnaire_form: Any = None,
    implant_problems: list[dict[str, str]] | None = None,
    status: int = 200,
    signoff_form: SignoffForm | None = None,
    signoff_error: str = "",
    refused: tuple[str, str] | None = None,
    step_forms: dict[str, Any] | None = None,
) -> ResponseReturnValue:
    """The screening page; ``refused`` (step, reason) is shown at that step's button, whose
    form in ``step_forms`` keeps what was typed."""
    today, policy = site_today(), current_policy()
    questionnaire = current_questionnaire(screening.form_id, screening.form_version)
    if questionnaire_form is None:
        questionnaire_form = form_class_for(screening.form_id, screening.form_version)(
            formdata=None, data=_form_data(screening)
        )
    exam_form = ExamFields(formdata=None, obj=screening)
    _scanner_choices(exam_form)
    evaluation = screening.latest_evaluation
    previous = (
        db.session.get(Screening, screening.supersedes_id) if screening.supersedes_id else None
    )
    newer = db.session.scalars(
        select(Screening).where(Screening.supersedes_id == screening.id)
    ).first()
    answers = check_answers(screening, today)
    return render_template(
        "screening/screening.html",
        screening=screening,
        questionnaire=questionnaire,
        qform=questionnaire_form,
        answers=answers,
        banner=outcome_banner(evaluation.decision if evaluation else None, answers.missing),
        blocking_errors=blocking_errors,
        evaluation=evaluation,
        decision=evaluation.decision if evaluation else None,
        scanners={s.name: s for s in site_scanners()},
        exam_form=exam_form,
        **{
            "second_form": SecondScreenForm(formdata=None),
            "final_form": FinalCheckForm(formdata=None),
            "exception_form": ExceptionForm(formdata=None),
            "amend_form": AmendForm(formdata=None),
            **(step_forms or {}),
        },
        refused=refused,
        confirmed=valid_confirmations(screening),
        unconfirmed=unconfirmed_constraints(screening),
        final_problems=final_check_problems(screening),
        can_screen=current_user.role in SCREENERS,
        is_level_2=is_current_level_2(acting_person(), today, policy),
        may=step_permissions(current_user, today, policy),
        step_who={step: rule.who for step, rule in policy.steps.items()},
        implant_problems=implant_problems or [],
        implant_vocabulary=json.dumps(_implant_vocabulary()),
        previous=previous,
        newer=newer,
        **_signoff_context(screening, evaluation, today, policy, signoff_form, signoff_error),
    ), status


def _signoff_context(
    screening: Screening,
    evaluation: Any,
    today: date,
    policy: Any,
    posted: SignoffForm | None,
    error: str,
) -> dict[str, Any]:
    """The sign-offs the outcome asks for, one form each (the posted one keeps its errors)."""
    requested = requested_clearances(evaluation.decision if evaluation else None, policy)
    open_ = not screening.superseded and not screening.signed
    forms: dict[str, SignoffForm] = {}
    for fact in requested:
        if posted is not None and posted.clearance.data == fact:
            forms[fact] = posted
        else:
            forms[fact] = SignoffForm(formdata=None, clearance=fact)
    return {
        "clearances": CLEARANCES,
        "action_clearance": ACTION_CLEARANCE,
        "requested": requested if open_ else {},
        "signoff_forms": forms,
        "signoff_error": error,
        "signoff_open": posted.clearance.data if posted is not None else "",
        "may_sign": {f: signing_designation(CLEARANCES[f], today, policy) for f in requested},
        "who_may_sign": {f: who_may_sign(k, policy) for f, k in CLEARANCES.items()},
        "signoffs": signoff_rows(screening),
        "signoffs_open": open_,
        "void_form": VoidSignoffForm(formdata=None),
    }


def _implant_vocabulary() -> dict[str, Any]:
    from ..policy.screening.exam import BODY_REGIONS, TRANSMIT_COILS

    return {
        "categories": list(IMPLANT_CATEGORIES),
        "classes": [[k, f"{v} ({NCI_CODES[k]})"] for k, v in LABELS.items()],  # type: ignore[index]
        "modes": list(MODE_LABELS.items()),
        "coils": list(TRANSMIT_COILS),
        "regions": list(BODY_REGIONS),
    }


@bp.route("/<int:screening_id>")
def screening(screening_id: int) -> ResponseReturnValue:
    return _page(load_screening(screening_id))


@bp.route("/<int:screening_id>/answers", methods=["POST"])
def answers(screening_id: int) -> ResponseReturnValue:
    """Save the form. Data for a question that is not shown is refused, nothing is saved."""
    require_screener()
    record = load_screening(screening_id, lock=True)
    if record.answers_locked:
        flash("The answers are locked after the Level 2 review; amend the screening.", "error")
        return redirect(url_for("screening.screening", screening_id=record.id))
    today = site_today()
    qform = form_class_for(record.form_id, record.form_version)()
    qform.validate()
    blocking = {
        name: [e for e in errors if e != ANSWER_PLEASE]
        for name, errors in qform.errors.items()
        if any(e != ANSWER_PLEASE for e in errors)
    }
    if "csrf_token" in blocking:
        abort(400)
    answers_given = answers_from_form(qform)
    implants = answers_given.pop(IMPLANT_LIST_QUESTION, None) or []
    questionnaire = current_questionnaire(record.form_id, record.form_version)
    result = validate_answers(questionnaire, answers_given, today=today)
    for problem in result.problems:
        if problem.question in questionnaire.questions and not qform[problem.question].errors:
            qform[problem.question].errors = [problem.problem]
    _, implant_problems = read_implants(implants, today)
    if blocking or result.problems or implant_problems:
        flash("Some answers need attention: nothing was saved. See the marked questions.", "error")
        return _page(record, qform, implant_problems, status=400)
    try:
        evaluation = save_answers(record, result, implants, today, current_policy())
        db.session.commit()
    except ScreeningError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("screening.screening", screening_id=screening_id))
    missing = len(result.missing)
    flash(
        "Answers saved."
        + (f" {missing} question(s) still unanswered." if missing else " The form is complete.")
        + f" Outcome: {evaluation.disposition.replace('_', ' ')}.",
        "info",
    )
    return redirect(url_for("screening.screening", screening_id=record.id) + "#outcome")


@bp.route("/<int:screening_id>/record")
def record(screening_id: int) -> ResponseReturnValue:
    """The printable record: every answer, implant, decision, confirmation and signature."""
    item = load_screening(screening_id)
    questionnaire = current_questionnaire(item.form_id, item.form_version)
    evaluation = item.latest_evaluation
    return render_template(
        "screening/record.html",
        screening=item,
        questionnaire=questionnaire,
        answers=check_answers(item, site_today()),
        evaluation=evaluation,
        decision=evaluation.decision if evaluation else None,
        confirmed=valid_confirmations(item),
        signoffs=signoff_rows(item),
        class_labels=LABELS,
        nci_codes=NCI_CODES,
    )


@bp.route("/<int:screening_id>/record.pdf")
def record_pdf(screening_id: int) -> ResponseReturnValue:
    """The same record as a PDF file, to file or send without a browser."""
    item = load_screening(screening_id)
    evaluation = item.latest_evaluation
    pdf = screening_record_pdf(
        item,
        current_questionnaire(item.form_id, item.form_version),
        evaluation.decision if evaluation else None,
        evaluation,
        valid_confirmations(item),
        signoff_rows(item),
        current_app.config["SITE_NAME"],
    )
    name = f"screening-{item.id}-v{item.version}.pdf"
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


register_steps(bp)
register_signoffs(bp)
register_workup(bp)
register_gradient_signoffs(bp)
