"""Driving the zone audit pages through their real forms (shared by the zone audit tests)."""

from __future__ import annotations

import re

from flask.testing import FlaskClient

from tests.conftest import csrf_token

SLUG = "zone-ii-iii--zone-III"  # the Zones II/III walk-through: 8 daily items


def start(client: FlaskClient) -> int:
    token = csrf_token(client.get("/zone-audits/").get_data(as_text=True))
    response = client.post(f"/zone-audits/{SLUG}/start", data={"csrf_token": token})
    assert response.status_code == 302
    return int(re.search(r"/zone-audits/(\d+)", response.headers["Location"]).group(1))


def answers(
    client: FlaskClient,
    audit_id: int,
    action: str,
    fail: dict[str, str] | None = None,
    skip: tuple[str, ...] = (),
    **extra: object,
):  # type: ignore[no-untyped-def]
    page = client.get(f"/zone-audits/{audit_id}").get_data(as_text=True)
    items = re.findall(r'name="result-([a-z0-9-]+)" value="pass"', page)
    revision = re.search(r'name="revision" value="([^"]*)"', page).group(1)
    data: dict[str, object] = {
        "csrf_token": csrf_token(page),
        "action": action,
        "revision": revision,
        **extra,
    }
    for item in items:
        if item in skip:
            continue
        if fail and item in fail:
            data[f"result-{item}"], data[f"comment-{item}"] = "fail", fail[item]
        else:
            data[f"result-{item}"] = "pass"
    return client.post(f"/zone-audits/{audit_id}", data=data, content_type="multipart/form-data")
