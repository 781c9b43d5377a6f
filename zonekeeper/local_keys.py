"""Create or complete the local key file used by `make run` (development only).

Production sets ZONEKEEPER_SECRET_KEY, ZONEKEEPER_AUDIT_KEY and
ZONEKEEPER_BADGE_KEY from its own secret store.
"""

from __future__ import annotations

import re
import secrets
import sys
from pathlib import Path

NAMES = ("ZONEKEEPER_SECRET_KEY", "ZONEKEEPER_AUDIT_KEY", "ZONEKEEPER_BADGE_KEY")


def complete_key_file(path: Path) -> list[str]:
    """Add any missing key to ``path`` (kept private); return the names added."""
    text = path.read_text() if path.exists() else ""
    present = set(re.findall(r"^export (\w+)=", text, re.M))
    added = [name for name in NAMES if name not in present]
    if added:
        lines = [f"export {name}={secrets.token_urlsafe(48)}" for name in added]
        path.write_text(text + "".join(line + "\n" for line in lines))
    path.chmod(0o600)
    return added


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "instance/keys.env")
    for name in complete_key_file(target):
        print(f"created {name} in {target}")
