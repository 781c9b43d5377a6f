"""ZoneKeeper: MRI zone access control and screening compliance."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # Flask is imported inside create_app so zonekeeper.policy stays Flask-free
    from flask import Flask


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the app: configuration, extensions, blueprints. No migrations, no I/O beyond config."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from flask import Flask
    from werkzeug.middleware.proxy_fix import ProxyFix

    from . import errors, security
    from .actions.views import bp as actions_bp
    from .api.screenings import bp as screening_api_bp
    from .api.views import bp as api_bp
    from .audit.views import bp as audit_bp
    from .auth import sessions
    from .auth.models import ROLE_LABELS
    from .auth.views import bp as auth_bp
    from .badges.views import bp as badges_bp
    from .badges.wristbands import bp as wristbands_bp
    from .clock import site_time
    from .config import build_config
    from .dashboard.views import bp as dashboard_bp
    from .db import configure_pool_ping, configure_sqlite, engine_options
    from .doors.authorization_views import bp as door_authorizations_bp
    from .doors.views import bp as doors_bp
    from .extensions import csrf, db, login_manager, migrate
    from .incidents.views import bp as incidents_bp
    from .inputs import init_input_filter
    from .logging_setup import configure_logging
    from .people.search import bp as people_search_bp
    from .people.views import bp as people_bp
    from .reports.views import bp as reports_bp
    from .screening.views import bp as screening_bp
    from .site.views import bp as site_bp
    from .training.account_views import bp as staff_accounts_bp
    from .training.cards import bp as flashcards_bp
    from .training.manage_views import bp as training_admin_bp
    from .training.public_views import bp as public_training_bp
    from .training.views import bp as training_bp
    from .zone_audits.views import bp as zone_audits_bp

    DatabaseIdConverter = _database_id_converter()  # noqa: N806 - a class

    settings = build_config(config)
    app = Flask(
        __name__,
        template_folder=settings["TEMPLATES_DIR"],
        instance_path=settings["INSTANCE_DIR"],
        instance_relative_config=False,
    )
    app.config.update(settings)
    init_input_filter(app)  # control characters removed where text enters
    for name in ("SECRET_KEY", "AUDIT_KEY", "BADGE_KEY"):
        if not app.config[name]:
            raise RuntimeError(
                f"ZONEKEEPER_{name} is not set. Set it to a long random value "
                "(make run creates one under instance/ for local use)."
            )
    try:
        ZoneInfo(app.config["SITE_TIMEZONE"])
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise RuntimeError(f"ZONEKEEPER_SITE_TIMEZONE is not a known time zone: {exc}") from exc
    app.config.update(
        SQLALCHEMY_DATABASE_URI=app.config["DATABASE_URL"],
        SQLALCHEMY_ENGINE_OPTIONS=engine_options(
            app.config["DATABASE_URL"], app.config["SQLITE_BUSY_TIMEOUT_MS"]
        ),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=app.config["HTTPS"],
        REMEMBER_COOKIE_SECURE=app.config["HTTPS"],
        WTF_CSRF_TIME_LIMIT=None,  # the session's own lifetime bounds the token
        MAX_CONTENT_LENGTH=int(app.config["MAX_UPLOAD_MB"]) * 1024 * 1024,
    )
    if app.config["TRUSTED_PROXIES"]:
        count = int(app.config["TRUSTED_PROXIES"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count)  # type: ignore[method-assign]
    configure_logging(app)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(_migrations_dir()), render_as_batch=True)
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.sign_in"
    with app.app_context():
        configure_sqlite(db.engine, app.config["SQLITE_BUSY_TIMEOUT_MS"])
        configure_pool_ping(db.engine)

    app.url_map.converters["int"] = DatabaseIdConverter  # ids beyond 32 bits are a 404, not a 500
    app.register_blueprint(auth_bp)
    app.register_blueprint(site_bp)
    app.register_blueprint(people_bp)
    app.register_blueprint(people_search_bp)
    app.register_blueprint(audit_bp)
    app.register_blueprint(badges_bp)
    app.register_blueprint(zone_audits_bp)
    app.register_blueprint(actions_bp)
    app.register_blueprint(incidents_bp)
    app.register_blueprint(dashboard_bp)
    app.register_blueprint(doors_bp)
    app.register_blueprint(door_authorizations_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(wristbands_bp)
    app.register_blueprint(screening_bp)
    app.register_blueprint(screening_api_bp)
    app.register_blueprint(reports_bp)
    app.register_blueprint(training_bp)
    app.register_blueprint(flashcards_bp)
    app.register_blueprint(public_training_bp)
    app.register_blueprint(staff_accounts_bp)
    app.register_blueprint(training_admin_bp)
    app.add_template_filter(site_time, "site_time")
    sessions.init_sessions(app)
    app.context_processor(lambda: {"role_labels": ROLE_LABELS})
    app.context_processor(_emergency_context)
    security.init_security_headers(app)
    errors.init_error_handlers(app)
    return app


def _emergency_context() -> dict[str, Any]:
    """Every signed-in page shows a declared emergency (one indexed query)."""
    from flask_login import current_user

    from .doors.emergency import active_emergency

    if not current_user.is_authenticated:
        return {"active_emergency": None}
    return {"active_emergency": active_emergency()}


def _database_id_converter() -> Any:
    from werkzeug.routing import IntegerConverter

    from .inputs import MAX_DATABASE_ID

    class DatabaseIdConverter(IntegerConverter):
        def __init__(self, url_map: Any, *args: Any, **kwargs: Any) -> None:
            kwargs.setdefault("max", MAX_DATABASE_ID)
            super().__init__(url_map, *args, **kwargs)

    return DatabaseIdConverter


def _migrations_dir() -> Any:
    from pathlib import Path

    return Path(__file__).resolve().parent / "migrations"
