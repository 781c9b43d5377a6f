"""Photos of findings: JPEG or PNG only, checked by content, size-limited."""

from __future__ import annotations

import hashlib

from flask_login import current_user
from werkzeug.datastructures import FileStorage

from ..extensions import db
from .models import AuditPhoto

MAX_PHOTO_BYTES = 5 * 1024 * 1024
SIGNATURES = {b"\xff\xd8\xff": "image/jpeg", b"\x89PNG\r\n\x1a\n": "image/png"}


class PhotoError(ValueError):
    pass


def store_photo(upload: FileStorage) -> AuditPhoto:
    data = upload.read(MAX_PHOTO_BYTES + 1)
    if len(data) > MAX_PHOTO_BYTES:
        raise PhotoError("The photo is larger than 5 MB.")
    if not data:
        raise PhotoError("The photo file is empty.")
    mime = next((kind for magic, kind in SIGNATURES.items() if data.startswith(magic)), None)
    if mime is None:
        raise PhotoError("Only JPEG or PNG photos can be attached.")
    photo = AuditPhoto(
        mime_type=mime,
        size_bytes=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        data=data,
        uploaded_by_user_id=current_user.id,
    )
    db.session.add(photo)
    db.session.flush()
    return photo
