"""Badge tokens: what a badge's QR code carries.

``ZK1`` + base32(badge id, version, truncated HMAC-SHA256), uppercase and
unpadded: the characters of QR alphanumeric mode, so the code stays small and
a USB keyboard-wedge scanner types it back exactly (any case, stray ASCII
whitespace is tolerated). Only ASCII letters and digits are read: ``str.upper``
folds look-alikes such as the dotless ı and the long ſ into I and S, so any other
character makes the text an ``invalid_credential``, never a badge. The version is
bumped on reissue, so an old printed code stops working. No Flask here: the key
is passed in.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import struct
from dataclasses import dataclass

PREFIX = "ZK1"
MAC_BYTES = 10  # 80 bits: forging by guessing is out of reach at door speeds
_LAYOUT = struct.Struct(">IH")  # badge id (32 bits), version (16 bits)
# the largest id a badge row can have (a 32-bit signed integer column on PostgreSQL): a
# genuinely signed token may carry a larger one, which names no badge and is never looked up
MAX_STORED_BADGE_ID = 2**31 - 1
_ASCII_WHITESPACE = re.compile(r"[ \t\r\n\v\f]+")
_ASCII_ALNUM = re.compile(r"[0-9A-Za-z]*")


class TokenError(ValueError):
    """The scanned text is not a genuine badge token; ``reason`` says why."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason  # "malformed", "invalid_credential" or "forged"


@dataclass(frozen=True, slots=True)
class BadgeToken:
    badge_id: int
    version: int


def _mac(key: bytes, payload: bytes) -> bytes:
    return hmac.new(key, b"zonekeeper-badge:" + payload, hashlib.sha256).digest()[:MAC_BYTES]


def encode_token(badge_id: int, version: int, key: bytes) -> str:
    if not (0 < badge_id < 2**32 and 0 < version < 2**16):
        raise ValueError("badge id or version out of range")
    payload = _LAYOUT.pack(badge_id, version)
    return PREFIX + base64.b32encode(payload + _mac(key, payload)).decode().rstrip("=")


def decode_token(text: str, key: bytes) -> BadgeToken:
    """The badge a scanned text names, or TokenError (never a guess)."""
    stripped = _ASCII_WHITESPACE.sub("", str(text))
    if not _ASCII_ALNUM.fullmatch(stripped):
        raise TokenError("invalid_credential")  # checked before upper(): "ı".upper() == "I"
    cleaned = stripped.upper()
    if not cleaned.startswith(PREFIX) or len(cleaned) > 64:
        raise TokenError("malformed")
    body = cleaned[len(PREFIX) :]
    try:
        raw = base64.b32decode(body + "=" * (-len(body) % 8))
    except (binascii.Error, ValueError) as exc:
        raise TokenError("malformed") from exc
    if len(raw) != _LAYOUT.size + MAC_BYTES:
        raise TokenError("malformed")
    if base64.b32encode(raw).decode().rstrip("=") != body:
        raise TokenError("malformed")  # the last character's unused bits must be zero: one spelling
    payload, mac = raw[: _LAYOUT.size], raw[_LAYOUT.size :]
    if not hmac.compare_digest(mac, _mac(key, payload)):
        raise TokenError("forged")
    badge_id, version = _LAYOUT.unpack(payload)
    return BadgeToken(badge_id, version)
