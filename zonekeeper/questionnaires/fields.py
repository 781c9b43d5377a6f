"""The web side of a questionnaire: a FlaskForm class built from its definition.

Each question type has a field factory in :data:`FIELD_FACTORIES`;
:func:`check_registry` (run by :func:`build_form_classes` at start-up) refuses
to start if a registered question type has none. Follow-up questions carry a
:class:`HiddenUnless` validator (after indico's): data sent for a question that
is not shown is an error, and ``required`` only applies when it is shown.

The implant list is a hidden field holding a JSON list of implant objects: the
page's implant editor writes it, this field checks it is a list of at most 20
objects, and the engine's parser validates each implant.

After ``form.validate_on_submit()``, pass :func:`answers_from_form` to
``validate_answers`` for the cleaned answers, facts and red flags.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from flask_wtf import FlaskForm
from wtforms import DateField, Field, HiddenField, RadioField, StringField
from wtforms.validators import Length, NumberRange, StopValidation

from zonekeeper.choices import options
from zonekeeper.inputs import FiniteDecimalField

from .answers import check_answer_registry
from .definition import (
    DEFAULT_TEXT_MAX_LENGTH,
    MAX_IMPLANTS,
    QUESTION_TYPES,
    RESERVED_QUESTION_IDS,
    QuestionDefinition,
)
from .registry import FormRegistry, Questionnaire

YES_NO_UNKNOWN_LABELS = (("yes", "Yes"), ("no", "No"), ("unknown", "I don't know"))
ANSWER_PLEASE = "Please answer this question."
MAX_IMPLANT_LIST_CHARS = 64 * 1024  # the hidden field's JSON, as sent


def _refuse_constant(name: str) -> Any:
    """json.loads(parse_constant=...): NaN, Infinity and -Infinity are not values here."""
    raise ValueError(f"{name} is not a value")


def _submitted(field: Field) -> bool:
    """Whether the request carried a non-blank value for this field."""
    return any(isinstance(v, str) and v.strip() for v in field.raw_data or ())


class HiddenUnless:
    """Show the field only when an earlier field's answer is one of ``values``.

    When hidden, submitted data is rejected and other checks are skipped. A
    parent that is itself hidden hides its follow-ups.
    """

    def __init__(self, parent: str, values: tuple[str, ...]):
        self.parent = parent
        self.values = values

    def is_shown(self, form: Any) -> bool:
        parent_field = form[self.parent]
        for validator in parent_field.validators:
            if isinstance(validator, HiddenUnless) and not validator.is_shown(form):
                return False
        return parent_field.data in self.values

    def __call__(self, form: Any, field: Field) -> None:
        if self.is_shown(form):
            return
        field.errors[:] = []
        if _submitted(field):
            wanted = " or ".join(f"'{v}'" for v in self.values)
            raise StopValidation(
                f"This question is only asked when '{self.parent}' is {wanted}; "
                "its answer was not accepted."
            )
        raise StopValidation()


class AnswerRequired:
    """After HiddenUnless: an empty shown field is an error if required, else skipped.

    The HTML ``required`` flag is set only for questions that are always shown:
    a browser would refuse to submit a form with an empty hidden required input.
    """

    def __init__(self, required: bool, *, always_shown: bool):
        self.required = required
        self.field_flags = {"required": True} if required and always_shown else {}

    def __call__(self, form: Any, field: Field) -> None:
        if _submitted(field):
            return
        field.errors[:] = []
        raise StopValidation(ANSWER_PLEASE if self.required else None)


class ImplantListField(HiddenField):
    """A JSON list of implant objects (at most ``max_items``); ``data`` is the list."""

    def __init__(self, label: str | None = None, *, max_items: int = MAX_IMPLANTS, **kwargs: Any):
        super().__init__(label, **kwargs)
        self.max_items = max_items

    def process_formdata(self, valuelist: list[Any]) -> None:
        if not valuelist or not str(valuelist[0]).strip():
            self.data = None
            return
        if len(str(valuelist[0])) > MAX_IMPLANT_LIST_CHARS:
            self.data = None
            raise ValueError(
                f"The implant list is too long (more than {MAX_IMPLANT_LIST_CHARS // 1024} kB)."
            )
        try:
            value = json.loads(str(valuelist[0]), parse_constant=_refuse_constant)
        except (ValueError, RecursionError):  # deeply nested JSON overflows the parser
            self.data = None
            raise ValueError("The implant list could not be read.") from None
        if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
            self.data = None
            raise ValueError("The implant list must be a list of implants.")
        if len(value) > self.max_items:
            self.data = None
            raise ValueError(f"At most {self.max_items} implants can be declared.")
        self.data = value

    def _value(self) -> str:
        return json.dumps(self.data) if self.data is not None else ""


FieldFactory = Callable[[QuestionDefinition, list[Any], dict[str, Any]], Field]


def _yes_no_unknown_field(
    question: QuestionDefinition, validators: list[Any], kwargs: dict[str, Any]
) -> Field:
    return RadioField(
        question.text, choices=options(YES_NO_UNKNOWN_LABELS), validators=validators, **kwargs
    )


def _number_field(
    question: QuestionDefinition, validators: list[Any], kwargs: dict[str, Any]
) -> Field:
    range_check = NumberRange(
        min=question.min,
        max=question.max,
        message=f"Give a value between {question.min:g} and {question.max:g} {question.unit}.",
    )
    return FiniteDecimalField(
        f"{question.text} ({question.unit})",
        places=None,
        validators=[*validators, range_check],
        **kwargs,
    )


def _date_field(
    question: QuestionDefinition, validators: list[Any], kwargs: dict[str, Any]
) -> Field:
    return DateField(question.text, validators=validators, **kwargs)


def _text_field(
    question: QuestionDefinition, validators: list[Any], kwargs: dict[str, Any]
) -> Field:
    limit = question.max_length or DEFAULT_TEXT_MAX_LENGTH
    return StringField(question.text, validators=[*validators, Length(max=limit)], **kwargs)


def _choice_field(
    question: QuestionDefinition, validators: list[Any], kwargs: dict[str, Any]
) -> Field:
    choices = options((option.value, option.label) for option in question.options or ())
    return RadioField(question.text, choices=choices, validators=validators, **kwargs)


def _implant_list_field(
    question: QuestionDefinition, validators: list[Any], kwargs: dict[str, Any]
) -> Field:
    return ImplantListField(
        question.text,
        max_items=question.max_items or MAX_IMPLANTS,
        validators=validators,
        **kwargs,
    )


FIELD_FACTORIES: dict[str, FieldFactory] = {
    "yes_no_unknown": _yes_no_unknown_field,
    "number": _number_field,
    "date": _date_field,
    "text": _text_field,
    "choice": _choice_field,
    "implant_list": _implant_list_field,
}


def check_registry() -> None:
    """Refuse to start if a registered question type has no field or answer checker."""
    missing = sorted(set(QUESTION_TYPES) - set(FIELD_FACTORIES))
    if missing:
        raise RuntimeError(f"question types without a form field: {', '.join(missing)}")
    check_answer_registry()


def build_field(question: QuestionDefinition) -> Field:
    factory = FIELD_FACTORIES.get(question.type)
    if factory is None:
        raise RuntimeError(f"no form field for question type '{question.type}'")
    validators: list[Any] = []
    render_kw: dict[str, Any] = {}
    if question.show_if is not None:
        values = tuple(str(v) for v in question.show_if.values())
        validators.append(HiddenUnless(question.show_if.question, values))
        # the page shows and hides follow-ups from these
        render_kw["data-show-if"] = question.show_if.question
        render_kw["data-show-if-values"] = " ".join(values)
    validators.append(AnswerRequired(question.required, always_shown=question.show_if is None))
    kwargs = {"description": question.help or "", "render_kw": render_kw}
    return factory(question, validators, kwargs)


def _class_name(questionnaire: Questionnaire) -> str:
    camel = "".join(part.capitalize() for part in questionnaire.id.split("_"))
    return f"{camel}V{questionnaire.version}Form"


_FORM_CLASSES: dict[tuple[str, int, str], type[FlaskForm]] = {}


def build_form_class(questionnaire: Questionnaire) -> type[FlaskForm]:
    """The FlaskForm class for one questionnaire version (built once, then cached)."""
    cache_key = (*questionnaire.key, questionnaire.definition_hash)
    cached = _FORM_CLASSES.get(cache_key)
    if cached is not None:
        return cached
    attributes: dict[str, Any] = {"questionnaire": questionnaire}
    for question in questionnaire.questions.values():
        if question.id in RESERVED_QUESTION_IDS:
            raise RuntimeError(f"question id '{question.id}' is reserved by the web form")
        attributes[question.id] = build_field(question)
    form_class = type(_class_name(questionnaire), (FlaskForm,), attributes)
    _FORM_CLASSES[cache_key] = form_class
    return form_class


def build_form_classes(registry: FormRegistry) -> dict[tuple[str, int], type[FlaskForm]]:
    """Check the field registry and build every form class: call once at start-up."""
    check_registry()
    return {form.key: build_form_class(form) for form in registry}


def answers_from_form(form: FlaskForm) -> dict[str, Any]:
    """The submitted answers in the shape ``validate_answers`` takes.

    An unanswered question is absent; data sent for a hidden question is kept,
    so that ``validate_answers`` rejects it too.
    """
    questionnaire: Questionnaire = form.questionnaire
    answers: dict[str, Any] = {}
    for question_id in questionnaire.questions:
        value = form[question_id].data
        if isinstance(value, Decimal):
            answers[question_id] = float(value)
        elif isinstance(value, date):
            answers[question_id] = value.isoformat()
        elif isinstance(value, str) and value.strip() or isinstance(value, list):
            answers[question_id] = value
    return answers
