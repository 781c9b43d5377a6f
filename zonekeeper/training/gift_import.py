"""Add GIFT questions to a module file, all or nothing.

The questions are appended as YAML text at the end of the module file, so the
file's own layout and comments stay. Before anything is written, the whole
course folder is loaded and validated with the new questions in a scratch copy;
any problem (a GIFT line, a duplicate id, a missing source) imports nothing.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

import yaml

from zonekeeper.policy.errors import PolicyError, PolicyIssue

from .courses import load_courses
from .gift import parse_gift


def appended_text(original: str, questions: list[dict[str, Any]]) -> str:
    """The module file with ``questions`` added to its ``questions:`` list."""
    items = re.findall(r"^(\s*)- id:", original, re.MULTILINE)
    indent = items[-1] if items else "  "
    dumped = yaml.safe_dump(questions, sort_keys=False, allow_unicode=True, width=100)
    block = "\n".join(indent + line if line else line for line in dumped.splitlines())
    head = original if original.endswith("\n") else original + "\n"
    if not re.search(r"^questions:", original, re.MULTILINE):
        head += "questions:\n"
    elif re.search(r"^questions:\s*\[\]\s*$", original, re.MULTILINE):
        head = re.sub(r"^questions:\s*\[\]\s*$", "questions:", head, flags=re.MULTILINE)
    return head + block + "\n"


def import_gift(
    courses_dir: str | Path, course_id: str, module_id: str, gift_text: str, default_source: str
) -> int:
    """Append the GIFT questions to ``course_id/module_id.yaml``; returns how many.
    Raises GiftError (line numbers) or PolicyError (the course would not validate)."""
    root = Path(courses_dir)
    target = root / course_id / f"{module_id}.yaml"
    if not target.is_file():
        raise PolicyError([PolicyIssue(f"{course_id}/{module_id}.yaml", "", "no such module file")])
    questions = parse_gift(gift_text, default_source)
    original = target.read_text(encoding="utf-8")
    new_text = appended_text(original, questions)
    before = (yaml.safe_load(original) or {}).get("questions") or []
    after = (yaml.safe_load(new_text) or {}).get("questions") or []
    if after != before + questions:  # the file's layout defeated the append: write nothing
        raise PolicyError(
            [
                PolicyIssue(
                    target.name,
                    "questions",
                    "cannot append here: end the file with its questions list",
                )
            ]
        )
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / "courses"
        shutil.copytree(root, copy)
        (copy / course_id / f"{module_id}.yaml").write_text(new_text, encoding="utf-8")
        load_courses(copy)  # PolicyError: nothing is written
    target.write_text(new_text, encoding="utf-8")
    return len(questions)
