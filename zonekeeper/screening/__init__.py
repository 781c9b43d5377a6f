"""Zone II screening of patients and companions: the visit's form, the Level 2 review,
the constraints checklist, the final check and the printable record (issue #4)."""
