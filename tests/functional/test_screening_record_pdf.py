"""The screening record as a real PDF file, read back."""

from __future__ import annotations

import base64
import re
import zlib

from flask import Flask

from tests import factories
from tests.conftest import AuthActions
from tests.functional.screening_helpers import STENT_15_ONLY, complete_answers, save, start


def _pdf_text(data: bytes) -> str:
    """The text drawn on the pages (reportlab writes ASCII85 + Flate content streams)."""
    chunks = []
    for stream in re.findall(rb"stream\r?\n(.*?)endstream", data, re.S):
        stream = stream.strip()
        try:
            if stream.endswith(b"~>"):
                stream = base64.a85decode(stream[:-2])
            chunks.append(zlib.decompress(stream).decode("latin-1"))
        except (ValueError, zlib.error):
            continue  # an image or font stream
    return "".join(re.findall(r"\((.*?)\) Tj", "".join(chunks)))


def test_the_record_downloads_as_a_pdf_with_the_answers_and_the_outcome(
    app: Flask, setup_data
) -> None:  # type: ignore[no-untyped-def]
    scanners = setup_data(lambda: (factories.screener("tech1"), factories.screening_site())[1])
    client = app.test_client()
    AuthActions(client).sign_in("tech1", factories.PASSWORD)
    sid = start(client, scanners["MRI 2"])
    save(client, sid, complete_answers(stent_coil_filter="yes"), [STENT_15_ONLY])
    assert "Download PDF" in client.get(f"/screenings/{sid}/record").get_data(as_text=True)
    response = client.get(f"/screenings/{sid}/record.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF-")
    assert f'filename="screening-{sid}-v1.pdf"' in response.headers["Content-Disposition"]
    text = _pdf_text(response.data)
    for expected in (
        "MR safety screening record",
        "MRN-1001",
        "not cleared",
        "Coronary stent",
        "MR Conditional \\(C106046\\)",
        "Do you have a stent",
        "Policy version sha256:",
    ):
        assert expected in text, expected
