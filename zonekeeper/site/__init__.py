"""The physical site: rooms, the doors between zones, and the scanners."""
