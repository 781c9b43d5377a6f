"""Certificates: what a verification code says (valid, expired, revoked) and the PDF.

The public page and the PDF show names, course, level and dates only: no other
personal data. A certificate stops being valid when its training record is
voided or its validity window (the policy's) has passed.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, timedelta

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas
from sqlalchemy import select

from ..badges.qr import qr_png
from ..extensions import db
from ..policy import Policy
from .models import Certificate


@dataclass(frozen=True)
class CertificateStatus:
    status: str  # valid / expired / revoked / awaiting
    name: str
    course: str
    level: str
    completed_on: date
    expires_on: date
    score: str

    @property
    def valid(self) -> bool:
        return self.status == "valid"


def certificate_by_code(code: str) -> Certificate | None:
    if not code or len(code) > 40:
        return None
    return db.session.scalar(select(Certificate).where(Certificate.code == code))


def certificate_status(certificate: Certificate, policy: Policy, today: date) -> CertificateStatus:
    record = certificate.training_record
    attempt = certificate.attempt
    expires = record.completed_on + timedelta(days=policy.training_validity_days)
    if record.voided_at is not None:
        status = "revoked"
    elif today > expires:
        status = "expired"
    else:
        status = "valid"
    level_names = {level.id: level.name for level in policy.levels}
    from .services import course_or_none  # the course by its title, as the person took it

    course = course_or_none(attempt.course_id)
    title = course.title if course is not None else attempt.course_id
    return CertificateStatus(
        status=status,
        name=certificate.person.display_name,
        course=f"{title} (version {attempt.course_version})",
        level=level_names.get(record.level, record.level),
        completed_on=record.completed_on,
        expires_on=expires,
        score=f"{attempt.correct}/{attempt.total} ({attempt.percent:g} %)",
    )


def certificate_pdf(
    certificate: Certificate, status: CertificateStatus, course_title: str, site: str, url: str
) -> bytes:
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=landscape(A4))
    page.setTitle(f"MR safety training certificate {status.name}")
    width, height = landscape(A4)
    page.setFont("Helvetica-Bold", 28)
    page.drawCentredString(width / 2, height - 40 * mm, "Certificate of MR safety training")
    page.setFont("Helvetica", 14)
    lines = [
        ("This certifies that", status.name),
        ("passed", course_title),
        ("which grants", status.level),
        ("on", status.completed_on.isoformat()),
        ("valid until", status.expires_on.isoformat()),
        ("with a score of", status.score),
        ("at", site or "this site"),
    ]
    y = height - 60 * mm
    for label, value in lines:
        page.setFont("Helvetica", 12)
        page.drawCentredString(width / 2, y, label)
        page.setFont("Helvetica-Bold", 16)
        page.drawCentredString(width / 2, y - 7 * mm, value)
        y -= 17 * mm
    image = ImageReader(io.BytesIO(qr_png(url, box_size=6)))
    page.drawImage(image, width - 70 * mm, 15 * mm, 50 * mm, 50 * mm)
    page.setFont("Helvetica", 9)
    page.drawString(20 * mm, 25 * mm, f"Verification code: {certificate.code}")
    page.drawString(20 * mm, 20 * mm, f"Check it at {url}")
    page.showPage()
    page.save()
    return buffer.getvalue()
