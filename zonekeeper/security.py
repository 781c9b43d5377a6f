"""Security headers on every response."""

from __future__ import annotations

import mimetypes

from flask import Flask, Response, request

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; object-src 'none'; "
    "frame-ancestors 'none'"
)


def init_security_headers(app: Flask) -> None:
    @app.after_request
    def add_headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["X-Frame-Options"] = "DENY"
        if app.config["HTTPS"]:
            response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        if request.endpoint != "static":  # pages, JSON and every export may carry PHI
            response.headers.setdefault("Cache-Control", "no-store")
        if _is_download(response) and "Content-Disposition" not in response.headers:
            extension = mimetypes.guess_extension(response.mimetype) or ".bin"
            name = f"zonekeeper-{(request.endpoint or 'download').replace('.', '-')}{extension}"
            response.headers.set("Content-Disposition", "attachment", filename=name)
        return response


def _is_download(response: Response) -> bool:
    """A file the browser saves (CSV, PDF, XLSX...), not a page, JSON or an asset."""
    if request.endpoint == "static" or response.status_code != 200:
        return False
    kind = response.mimetype or ""
    return not (
        kind in ("text/html", "text/plain", "application/json", "text/css", "text/javascript")
        or kind == "text/event-stream"
        or kind.startswith("image/")
    )
