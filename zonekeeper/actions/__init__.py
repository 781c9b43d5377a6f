"""Corrective actions: from failed audit items, incidents, or opened by hand."""
