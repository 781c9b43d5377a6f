"""Badge tokens: round trip, tampering, and what a keyboard-wedge scanner may do to them."""

from __future__ import annotations

import re

import pytest

from zonekeeper.badges.tokens import TokenError, decode_token, encode_token

KEY = b"unit-test-badge-key"


def test_round_trip_uses_only_qr_alphanumeric_characters() -> None:
    token = encode_token(1234, 7, KEY)
    assert re.fullmatch(r"[0-9A-Z]+", token) and token.startswith("ZK1")
    assert len(token) <= 32
    decoded = decode_token(token, KEY)
    assert (decoded.badge_id, decoded.version) == (1234, 7)


def test_scanner_case_and_whitespace_are_tolerated() -> None:
    token = encode_token(5, 1, KEY)
    assert decode_token(f"  {token.lower()}\r\n", KEY).badge_id == 5


@pytest.mark.parametrize("position", [3, 10, -1])
def test_any_changed_character_is_forged_or_malformed(position: int) -> None:
    token = encode_token(5, 1, KEY)
    swapped = "B" if token[position] != "B" else "C"
    altered = token[:position] + swapped + (token[position + 1 :] if position != -1 else "")
    with pytest.raises(TokenError) as caught:
        decode_token(altered, KEY)
    assert caught.value.reason in {"forged", "malformed"}


def test_another_sites_key_is_forged() -> None:
    with pytest.raises(TokenError) as caught:
        decode_token(encode_token(5, 1, b"other-site"), KEY)
    assert caught.value.reason == "forged"


@pytest.mark.parametrize(
    "text", ["", "hello", "ZK1", "ZK1!!!!", "ZK1" + "A" * 80, "https://example.org"]
)
def test_garbage_is_malformed(text: str) -> None:
    with pytest.raises(TokenError) as caught:
        decode_token(text, KEY)
    assert caught.value.reason == "malformed"
