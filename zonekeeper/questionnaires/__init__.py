"""Screening questionnaires as data: the forms in ``forms/``, their answers and web forms.

``load_forms`` and ``validate_answers`` are pure (no Flask); the WTForms side
lives in :mod:`zonekeeper.questionnaires.fields` so the engine, the API and the
CLI can check answers without importing Flask-WTF.
"""

from .answers import AnswerProblem, AnswerResult, RedFlag, validate_answers, visible_questions
from .definition import QUESTION_TYPES, FormDefinition, QuestionDefinition
from .loader import load_forms
from .registry import FormRegistry, Questionnaire, definition_hash

__all__ = [
    "QUESTION_TYPES",
    "AnswerProblem",
    "AnswerResult",
    "FormDefinition",
    "FormRegistry",
    "QuestionDefinition",
    "Questionnaire",
    "RedFlag",
    "definition_hash",
    "load_forms",
    "validate_answers",
    "visible_questions",
]
