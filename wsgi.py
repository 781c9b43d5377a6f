"""WSGI entry point for gunicorn: `gunicorn 'wsgi:app'`."""

from zonekeeper import create_app
from zonekeeper.policy_store import current_policy

app = create_app()

# Load the rules now, not on a worker's first scan (which would wait for it). A rule
# file that does not load is not fatal here: current_policy() tries again per request
# and a scan it fails for is denied with system_error.
with app.app_context():
    try:
        current_policy()
    except Exception:  # noqa: BLE001 - reported again, and denied, where it is used
        app.logger.exception("the policy could not be loaded at start")
