"""QR images of badge tokens (alphanumeric mode, medium error correction)."""

from __future__ import annotations

import base64
import io

import qrcode
from qrcode.constants import ERROR_CORRECT_M


def qr_png(token: str, box_size: int = 8) -> bytes:
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=box_size, border=4)
    code.add_data(token)  # uppercase base32 + digits: encoded in alphanumeric mode
    code.make(fit=True)
    buffer = io.BytesIO()
    code.make_image().save(buffer, format="PNG")
    return buffer.getvalue()


def qr_data_uri(token: str) -> str:
    return "data:image/png;base64," + base64.b64encode(qr_png(token)).decode()
