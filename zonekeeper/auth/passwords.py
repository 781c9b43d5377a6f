"""Password hashing (argon2id) and the password policy.

Policy (NIST SP 800-63B): at least 12 characters, no composition rules, and
refuse passwords that are common or easy to guess. zxcvbn carries a list of
30,000 common passwords and estimates guessability, all offline.
"""

from __future__ import annotations

from collections.abc import Iterable

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import zxcvbn
from zxcvbn.frequency_lists import FREQUENCY_LISTS

_hasher = PasswordHasher()  # argon2id with argon2-cffi's RFC 9106 low-memory profile
MIN_LENGTH = 12
MAX_LENGTH = 256
MIN_SCORE = 3  # zxcvbn 0-4; 3 = "safely unguessable" against online attacks
COMMON = frozenset(FREQUENCY_LISTS["passwords"])

# A dummy hash to verify against when the account does not exist, so that
# response time does not reveal which usernames are real.
_DUMMY_HASH = _hasher.hash("not a real password, only for timing")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash or _DUMMY_HASH, password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def password_problem(password: str, personal: Iterable[str] = ()) -> str | None:
    """Why a new password is not acceptable, or None."""
    if len(password) < MIN_LENGTH:
        return f"Use at least {MIN_LENGTH} characters; a few unrelated words work well."
    if len(password) > MAX_LENGTH:
        return f"Use at most {MAX_LENGTH} characters."
    if password.lower() in COMMON:
        return "This password is on a list of commonly used passwords; choose another."
    words = [w for w in personal if w]
    if zxcvbn(password[:100], user_inputs=words)["score"] < MIN_SCORE:
        return "This password would be easy to guess; add words or make it less predictable."
    return None
