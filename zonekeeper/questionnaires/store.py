"""The app's questionnaires: read from FORMS_DIR on first use, then kept.

Like ``zonekeeper.policy_store``: loading lazily keeps ``create_app`` free of
side effects. The first use loads every form, checks the field registry and
builds every form class at once, so a broken file or a question type without
a field fails the first screening page (and ``zonekeeper rules check``), not a
later one. Edited form files take effect when the app restarts.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from flask_wtf import FlaskForm

from .fields import build_form_classes
from .loader import load_forms
from .registry import FormRegistry, Questionnaire

_KEY = "zonekeeper.questionnaires"


@dataclass(frozen=True, slots=True)
class LoadedQuestionnaires:
    registry: FormRegistry
    form_classes: dict[tuple[str, int], type[FlaskForm]]


def _loaded() -> LoadedQuestionnaires:
    loaded = current_app.extensions.get(_KEY)
    if loaded is None:
        registry = load_forms(current_app.config["FORMS_DIR"])
        loaded = LoadedQuestionnaires(registry, build_form_classes(registry))
        current_app.extensions[_KEY] = loaded
    return loaded  # type: ignore[no-any-return]


def current_forms() -> FormRegistry:
    """Every questionnaire version (raises PolicyError if a form file is invalid)."""
    return _loaded().registry


def current_questionnaire(form_id: str, version: int | None = None) -> Questionnaire:
    """The current version of ``form_id``, or the given one (to read a saved screening)."""
    registry = current_forms()
    return registry.current(form_id) if version is None else registry.get(form_id, version)


def form_class_for(form_id: str, version: int | None = None) -> type[FlaskForm]:
    """The FlaskForm class of that questionnaire version, built at first use."""
    return _loaded().form_classes[current_questionnaire(form_id, version).key]
