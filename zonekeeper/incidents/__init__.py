"""Incident and near-miss reports and their monthly review."""
