"""ASTM F2503 marking classes, with the NCI thesaurus codes used by GUDID and FHIR.

Old terms ("MR compatible", "non-magnetic") are not ASTM classes and are
refused. An implant whose class is unknown is treated as MR Unsafe until it is
assessed: the evaluation never clears on a missing class.
"""

from __future__ import annotations

from typing import Literal

AstmClass = Literal["mr_safe", "mr_conditional", "mr_unsafe", "no_mri_information"]

NCI_CODES: dict[AstmClass, str] = {
    "mr_safe": "C106045",
    "mr_conditional": "C106046",
    "mr_unsafe": "C106047",
    "no_mri_information": "C113844",
}

LABELS: dict[AstmClass, str] = {
    "mr_safe": "MR Safe",
    "mr_conditional": "MR Conditional",
    "mr_unsafe": "MR Unsafe",
    "no_mri_information": "No MRI safety information",
}

ASTM_CLASSES: tuple[AstmClass, ...] = tuple(NCI_CODES)
_BY_CODE: dict[str, AstmClass] = {code: name for name, code in NCI_CODES.items()}
_BY_LABEL: dict[str, AstmClass] = {label.lower(): name for name, label in LABELS.items()}


def astm_class_from(text: str) -> AstmClass | None:
    """The class named by an id ("mr_conditional"), an NCI code or a label; None if unknown."""
    key = text.strip()
    by_id = next((name for name in ASTM_CLASSES if name == key), None)
    return by_id or _BY_CODE.get(key.upper()) or _BY_LABEL.get(key.lower())


def nci_code(astm_class: AstmClass | None) -> str | None:
    return NCI_CODES[astm_class] if astm_class is not None else None
