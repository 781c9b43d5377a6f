"""The shape of a course folder (pydantic): ``course.yaml`` and one file per module.

Pure data: no Flask, no SQLAlchemy. The loader checks the meaning afterwards.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

QUESTION_TYPES = ("single", "multiple", "true_false")
OPTION_IDS = ("a", "b", "c", "d", "e", "f")
GRANTABLE_LEVELS = ("level_1", "level_2")
# the bodies a question's source must name (the validator checks one is mentioned)
KNOWN_SOURCES = (
    "ACR",
    "IEC 60601-2-33",
    "ASTM F2503",
    "FDA",
    "TJC",
    "IAC",
    "CMS",
    "ABMRS",
    "ISMRM",
)
SOURCE_ALIASES = {"Joint Commission": "TJC", "American College of Radiology": "ACR"}


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class OptionFile(StrictModel):
    id: str
    text: str = Field(min_length=1)
    correct: bool = False


class QuestionFile(StrictModel):
    id: str = Field(min_length=1, max_length=60, pattern=r"^[A-Za-z0-9_.-]+$")
    type: str
    text: str = Field(min_length=1)
    options: list[OptionFile] | None = None
    answer: bool | None = None
    explanation: str = ""
    source: str = ""


class ModuleFile(StrictModel):
    id: str = Field(min_length=1)
    title: str = Field(min_length=1)
    reading: str = ""
    questions: list[QuestionFile] = Field(default_factory=list)


class CourseFile(StrictModel):
    id: str = Field(min_length=1)
    version: int = Field(ge=1)
    title: str = Field(min_length=1)
    grants_level: Literal["level_1", "level_2"]
    audience: str = ""
    pass_mark_percent: int = Field(default=70, ge=1, le=100)
    questions_per_module: int = Field(ge=1)
    cooldown_minutes: int = Field(default=0, ge=0)
    modules: list[str] = Field(min_length=1)
    # optional: a site may require an MRSO co-signature before a pass counts
    requires_cosign: bool | None = None
