"""The screening record as a PDF (reportlab): the same content as the printable page.

Every answer, implant, outcome, constraint with who confirmed it, sign-off and
signature, with the form version and the policy version, so the record can be
filed or sent without a browser.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import (
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from ..clock import site_time
from .models import Screening

ASTM = {
    "mr_safe": "MR Safe (C106045)",
    "mr_conditional": "MR Conditional (C106046)",
    "mr_unsafe": "MR Unsafe (C106047)",
    "no_mri_information": "No MRI information (C113844)",
}
OUTCOME_COLOURS = {
    "cleared": colors.HexColor("#0f7b3a"),
    "conditional": colors.HexColor("#9a6700"),
    "more_info_required": colors.HexColor("#b3261e"),
    "not_cleared": colors.HexColor("#b3261e"),
}
_styles = getSampleStyleSheet()
BODY = ParagraphStyle("body", parent=_styles["BodyText"], fontSize=8.5, leading=10.5)
SMALL = ParagraphStyle("small", parent=BODY, fontSize=7.5, leading=9, textColor=colors.grey)
H1 = ParagraphStyle("h1", parent=_styles["Heading1"], fontSize=15, spaceAfter=4)
H2 = ParagraphStyle("h2", parent=_styles["Heading2"], fontSize=11, spaceBefore=8, spaceAfter=3)
GRID = TableStyle(
    [
        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#b8c2cc")),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef1f5")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]
)


def _p(text: Any, style: ParagraphStyle = BODY) -> Paragraph:
    return Paragraph(escape("" if text is None else str(text)), style)


def _table(header: list[str], rows: Iterable[list[Any]], widths: list[float]) -> Table:
    data = [[_p(h) for h in header]] + [[_p(cell) for cell in row] for row in rows]
    table = Table(data, colWidths=[w * mm for w in widths], repeatRows=1)
    table.setStyle(GRID)
    return table


def _answer_text(question: Any, value: Any) -> str:
    if value is None:
        return "not answered"
    if value == "unknown":
        return "Doesn't know"
    if value in ("yes", "no"):
        return str(value).capitalize()
    for option in question.options or []:
        if option.value == value:
            return str(option.label)
    return f"{value} {question.unit}" if question.unit else str(value)


def _implant_value(key: str, value: Any) -> str:
    if key == "astm_class":
        return ASTM.get(value, "Unknown: treated as MR Unsafe")
    if value is True:
        return "yes"
    if value is False:
        return "no"
    if value is None:
        return "unknown"
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return str(value)


def screening_record_pdf(
    screening: Screening,
    questionnaire: Any,
    decision: Mapping[str, Any] | None,
    evaluation: Any,
    confirmed: Mapping[str, Any],
    signoffs: Iterable[tuple[Any, Any, bool]],
    site_name: str,
) -> bytes:
    s = screening
    story: list[Any] = [
        _p("MR safety screening record", H1),
        _p(site_name or "ZoneKeeper", SMALL),
        Spacer(1, 3 * mm),
    ]
    ident = [
        ["Name", s.person.display_name, "Date of birth", s.subject.date_of_birth],
        [
            "MRN",
            s.subject.mrn or "—",
            "Screened as",
            s.subject_kind.replace("_", " ") + (" (emergent)" if s.emergent else ""),
        ],
        [
            "Visit",
            s.visit_date,
            "Record",
            f"#{s.id}, version {s.version}"
            + (" — superseded by an amendment" if s.superseded else ""),
        ],
        [
            "Exam",
            f"{s.scanner.name} ({s.scanner.field_strength_t:g} T) · {s.body_region} · "
            f"{s.transmit_coil} coil · {s.setting} · contrast: {s.contrast_agent or 'none'}",
            "",
            "",
        ],
        [
            "Form",
            f"{questionnaire.title} — {s.form_id} v{s.form_version}, "
            f"definition {s.definition_hash[:23]}",
            "",
            "",
        ],
        ["State", s.state_label, "", ""],
    ]
    table = Table(
        [[_p(c) for c in row] for row in ident], colWidths=[22 * mm, 68 * mm, 26 * mm, 64 * mm]
    )
    table.setStyle(
        TableStyle(
            [
                *GRID.getCommands()[:1],
                ("SPAN", (1, 3), (3, 3)),
                ("SPAN", (1, 4), (3, 4)),
                ("SPAN", (1, 5), (3, 5)),
            ]
        )
    )
    story += [table]
    if s.supersedes_id:
        story.append(
            _p(
                f"Amends record #{s.supersedes_id}: {s.amendment_reason} "
                f"({s.created_by.username}, {site_time(s.created_at)})"
            )
        )

    disposition = decision["disposition"] if decision else "not evaluated"
    outcome = ParagraphStyle(
        "outcome", parent=H2, textColor=OUTCOME_COLOURS.get(disposition, colors.black)
    )
    story.append(_p(f"Outcome on {s.scanner.name}: {disposition.replace('_', ' ')}", outcome))
    if decision:
        story.append(
            _p(
                f"Policy version {evaluation.policy_version} · evaluated "
                f"{site_time(evaluation.evaluated_at)}",
                SMALL,
            )
        )
        story += [_p(f"• {r['text']} [{r['rule_id']}]") for r in decision.get("reasons", [])]
        if decision.get("actions"):
            story.append(_p("Actions required", H2))
            story += [_p(f"• {a['text']}") for a in decision["actions"]]
        story.append(_p("Scanners of the site", H2))
        for e in decision.get("eligible_scanners", []):
            booked = " — booked" if e.get("booked") else ""
            story.append(
                _p(
                    f"• {e['scanner']} ({e['field_strength_t']:g} T){booked}: "
                    f"{e['disposition'].replace('_', ' ')}"
                )
            )
        contrast = decision.get("contrast") or {}
        if contrast.get("disposition") not in (None, "not_applicable"):
            story.append(_p("Contrast", H2))
            story.append(
                _p(
                    f"{contrast.get('agent')}: {contrast['disposition'].replace('_', ' ')}. "
                    + " ".join(r["text"] for r in contrast.get("reasons", []))
                )
            )
        if decision.get("constraints"):
            story.append(_p(f"Constraints on {s.scanner.name}", H2))
            rows = []
            for c in decision["constraints"]:
                done = confirmed.get(c["id"])
                rows.append(
                    [
                        c["text"],
                        c.get("implant") or "",
                        done.confirmed_by.username if done else "NOT CONFIRMED",
                        site_time(done.confirmed_at) if done else "",
                    ]
                )
            story.append(
                _table(["Constraint", "Implant", "Confirmed by", "When"], rows, [80, 40, 30, 30])
            )

    signoff_rows = [
        [
            kind.label,
            so.basis,
            f"{so.signed_by_person.display_name} ({so.designation.replace('_', ' ')})"
            + (f"; with {so.co_signer}" if so.co_signer else ""),
            site_time(so.signed_at),
            "valid"
            if applies
            else (
                "Given on different answers: record it again if it still holds"
                if so.valid
                else f"VOID — {so.voided_by.username}: {so.void_reason}"
            ),
        ]
        for kind, so, applies in signoffs
    ]
    if signoff_rows:
        story.append(_p("Physicians' sign-offs", H2))
        story.append(
            _table(
                ["Clearance", "Basis", "Signed by", "When", "Status"],
                signoff_rows,
                [32, 56, 42, 25, 25],
            )
        )

    story.append(_p("Signatures", H2))
    signatures = [
        ["Started", s.created_by.username, site_time(s.created_at)],
        [
            "First screen",
            s.first_screen_by.username if s.first_screen_by else "—",
            site_time(s.first_screen_at),
        ],
        [
            "Level 2 review" + (" (emergent single screen)" if s.single_screen_emergent else ""),
            s.second_screen_by.username if s.second_screen_by else "—",
            site_time(s.second_screen_at)
            + (f" — {s.second_screen_note}" if s.second_screen_note else ""),
        ],
        [
            "Final check",
            s.final_check_by.username if s.final_check_by else "—",
            site_time(s.final_check_at),
        ],
    ]
    if s.exception_at:
        signatures.append(
            [
                "No-screen exception",
                f"{s.exception_ordering_physician} (ordering); {s.exception_mr_physician} "
                f"(Level 2 MR physician)",
                f"{site_time(s.exception_at)} — {s.exception_reason}",
            ]
        )
    story.append(_table(["Step", "Who", "When"], signatures, [45, 55, 80]))

    story.append(_p("Answers", H2))
    answers = s.answers or {}
    for section in questionnaire.definition.sections:
        rows = [
            [q.text, _answer_text(q, answers.get(q.id))]
            for q in section.questions
            if q.type != "implant_list" and (answers.get(q.id) is not None or not q.show_if)
        ]
        if rows:
            story.append(
                KeepTogether(
                    [_p(section.title, BODY), _table(["Question", "Answer"], rows, [130, 50])]
                )
            )
            story.append(Spacer(1, 2 * mm))
    story.append(_p(f"Implants and devices ({len(s.implants or [])})", H2))
    for index, implant in enumerate(s.implants or [], start=1):
        rows = [
            [key.replace("_", " "), _implant_value(key, value)]
            for key, value in implant.items()
            if key != "description"
        ]
        story.append(
            KeepTogether(
                [
                    _p(f"{index}. {implant.get('description', '')}"),
                    _table(["Field", "Value"], rows, [60, 120]),
                ]
            )
        )
    if not s.implants:
        story.append(_p("None declared."))
    story.append(Spacer(1, 4 * mm))
    story.append(_p("A prior uneventful MRI is not evidence of safety.", SMALL))

    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=14 * mm,
        bottomMargin=14 * mm,
        title=f"Screening record #{s.id} v{s.version}",
        author="ZoneKeeper",
    )
    document.build(story, onFirstPage=_footer, onLaterPages=_footer)
    return buffer.getvalue()


def _footer(canvas: Any, document: Any) -> None:
    canvas.saveState()
    canvas.setFont("Helvetica", 7)
    canvas.setFillColor(colors.grey)
    canvas.drawString(15 * mm, 8 * mm, f"{document.title} · page {canvas.getPageNumber()}")
    canvas.restoreState()
