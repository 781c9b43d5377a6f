"""WSGI entry point for gunicorn: `gunicorn 'wsgi:app'`."""

from zonekeeper import create_app

app = create_app()
