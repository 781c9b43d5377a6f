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


@pytest.mark.parametrize("text", ["", "hello", "ZK1", "ZK1" + "A" * 80])
def test_garbage_is_malformed(text: str) -> None:
    with pytest.raises(TokenError) as caught:
        decode_token(text, KEY)
    assert caught.value.reason == "malformed"


@pytest.mark.parametrize("text", ["ZK1!!!!", "https://example.org", "ZK1\u00a0AAAA", "ZK1-AAAA"])
def test_anything_but_ascii_letters_digits_and_whitespace_is_an_invalid_credential(
    text: str,
) -> None:
    with pytest.raises(TokenError) as caught:
        decode_token(text, KEY)
    assert caught.value.reason == "invalid_credential"


@pytest.mark.parametrize(("look_alike", "letter"), [("\u0131", "I"), ("\u017f", "S")])
def test_unicode_look_alikes_are_not_folded_into_a_badge_code(look_alike: str, letter: str) -> None:
    """ "ı".upper() == "I" and "ſ".upper() == "S": a token spelled with them is refused."""
    token = next(
        encode_token(n, 1, KEY) for n in range(1, 10_000) if letter in encode_token(n, 1, KEY)[3:]
    )
    spelled = token.replace(letter, look_alike).lower().replace(look_alike.lower(), look_alike)
    assert spelled.upper() == token  # what the old parser read: a genuine badge
    with pytest.raises(TokenError) as caught:
        decode_token(spelled, KEY)
    assert caught.value.reason == "invalid_credential"


# ---- property tests of the parser: whatever a scanner types, the answer is a badge or TokenError
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

OTHER_KEY = b"another-site-key"
badge_ids = st.integers(min_value=1, max_value=2**32 - 1)
versions = st.integers(min_value=1, max_value=2**16 - 1)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_any_text_is_a_badge_or_a_token_error(text: str) -> None:
    try:
        decoded = decode_token(text, KEY)
    except TokenError as exc:
        assert exc.reason in {"malformed", "forged", "invalid_credential"}
    else:  # only a genuinely signed token, in ASCII letters and digits, can decode
        stripped = re.sub(r"[ \t\r\n\v\f]+", "", text)
        assert re.fullmatch(r"[0-9A-Za-z]+", stripped)
        assert encode_token(decoded.badge_id, decoded.version, KEY) == stripped.upper()


@settings(max_examples=200, deadline=None)
@given(badge_ids, versions)
def test_every_badge_round_trips(badge_id: int, version: int) -> None:
    token = encode_token(badge_id, version, KEY)
    assert re.fullmatch(r"ZK1[A-Z2-7]+", token) and len(token) <= 32
    assert decode_token(token, KEY) == decode_token(token.lower(), KEY)
    assert (decode_token(token, KEY).badge_id, decode_token(token, KEY).version) == (
        badge_id,
        version,
    )


@settings(max_examples=200, deadline=None)
@given(badge_ids, versions, st.data())
def test_a_changed_or_dropped_character_never_decodes(badge_id: int, version: int, data) -> None:  # type: ignore[no-untyped-def]
    token = encode_token(badge_id, version, KEY)
    position = data.draw(st.integers(min_value=0, max_value=len(token) - 1))
    replacement = data.draw(st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"))
    changed = token[:position] + replacement + token[position + 1 :]
    dropped = token[:position] + token[position + 1 :]
    for text in (changed, dropped):
        if text.upper() == token:
            continue
        with pytest.raises(TokenError):
            decode_token(text, KEY)


@settings(max_examples=100, deadline=None)
@given(badge_ids, versions)
def test_a_token_from_another_key_is_forged(badge_id: int, version: int) -> None:
    with pytest.raises(TokenError) as caught:
        decode_token(encode_token(badge_id, version, OTHER_KEY), KEY)
    assert caught.value.reason == "forged"


def test_each_badge_has_exactly_one_spelling() -> None:
    """Base32's last character carries unused bits: only the canonical one decodes."""
    token = encode_token(1234, 7, KEY)
    spellings = []
    for character in "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567":
        try:
            decode_token(token[:-1] + character, KEY)
        except TokenError:
            continue
        spellings.append(character)
    assert spellings == [token[-1]]
