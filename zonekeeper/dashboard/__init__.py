"""The MRSO's safety dashboard."""
