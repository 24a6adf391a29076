"""The initData validator, without Flask: every way Telegram data can be wrong."""

from __future__ import annotations

import base64
import json
import time
from urllib.parse import parse_qsl, quote, urlencode

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from webapp.auth import init_data
from webapp.auth.init_data import InitDataError, validate

TOKEN = "123456789:AAH-test-token_for_hub"
NOW = 1_800_000_000
USER = {
    "id": 42,
    "first_name": "Ann+Marie",
    "username": "ann",
    "language_code": "ru",
    "photo_url": "https:\\/\\/t.me\\/i\\/userpic\\/320\\/ann.jpg",
}


def signed(**kwargs) -> str:
    kwargs.setdefault("auth_date", NOW - 10)
    return init_data.build(TOKEN, USER, **kwargs)


def check(raw: str, **kwargs) -> init_data.InitData:
    kwargs.setdefault("clock", lambda: NOW)
    return validate(raw, TOKEN, **kwargs)


def reason(raw: str, **kwargs) -> str:
    with pytest.raises(InitDataError) as caught:
        check(raw, **kwargs)
    return caught.value.reason


def test_valid_init_data_gives_the_user():
    """Does a correctly signed initData yield its user, including awkward characters?"""
    data = check(signed(start_param="event_5"))
    assert data.user is not None
    assert data.user.id == 42
    assert data.user.first_name == "Ann+Marie"
    assert data.user.language_code == "ru"
    assert data.start_param == "event_5"
    assert data.auth_date == NOW - 10


def test_tampered_field_is_refused():
    """Is initData refused when one field was changed after signing?"""
    fields = dict(parse_qsl(signed()))
    fields["user"] = fields["user"].replace('"id":42', '"id":43')
    assert reason(urlencode(fields)) == "bad-hash"


def test_wrong_token_is_refused():
    """Is initData signed for another bot refused?"""
    other = init_data.build("987:other", USER, auth_date=NOW - 10)
    assert reason(other) == "bad-hash"


def test_expired_is_refused_and_window_configurable():
    """Is initData older than max_age refused, and younger accepted?"""
    raw = signed(auth_date=NOW - 86401)
    assert reason(raw) == "expired"
    assert check(raw, max_age=90000).user is not None


def test_from_the_future_is_refused_beyond_skew():
    """Is an auth_date in the future refused, except within the clock skew?"""
    assert reason(signed(auth_date=NOW + 600)) == "future"
    assert check(signed(auth_date=NOW + 30)).user is not None


def test_missing_hash_is_refused():
    """Is initData without a hash refused with its own reason?"""
    fields = dict(parse_qsl(signed()))
    del fields["hash"]
    assert reason(urlencode(fields)) == "missing-hash"


def test_duplicate_keys_are_refused():
    """Can a second copy of a field smuggle a different value past the hash?"""
    raw = signed() + "&user=" + quote(json.dumps({"id": 1}))
    assert reason(raw) == "malformed"


@pytest.mark.parametrize("raw", ["auth_date=%ZZ&hash=ab", "a=%E0%A4%A&hash=ab", "&&", "=x=y%"])
def test_broken_percent_encoding_is_malformed(raw):
    """Is a string that is not a valid query string refused as malformed (not a 500)?"""
    assert reason(raw) == "malformed"


@pytest.mark.parametrize("raw", ["", "   "])
def test_empty_is_missing(raw):
    """Is an empty initData refused as missing?"""
    assert reason(raw) == "missing"


def test_huge_is_refused_before_hashing():
    """Is an oversized initData refused without parsing it?"""
    assert reason("a=" + "x" * 100_000) == "malformed"


def test_no_bot_token_means_sign_in_off():
    """Without a bot token is every initData refused as not configured?"""
    with pytest.raises(InitDataError) as caught:
        validate(signed(), None, clock=lambda: NOW)
    assert caught.value.reason == "not-configured"


def test_user_must_be_json_with_id():
    """Is a signed initData whose user is not JSON refused as malformed?"""
    fields = {"auth_date": str(NOW), "user": "not json"}
    fields["hash"] = init_data.sign(fields, TOKEN)
    assert reason(urlencode(fields)) == "malformed"


def test_signature_field_stays_in_hmac_check_string():
    """Is `signature` part of the HMAC data-check-string (only `hash` is dropped)?"""
    raw = signed(extra={"signature": "abc"})
    assert check(raw).user is not None
    fields = dict(parse_qsl(raw))
    fields["signature"] = "abd"
    assert reason(urlencode(fields)) == "bad-hash"


def _third_party_signed(private_key: Ed25519PrivateKey) -> str:
    fields = {"auth_date": str(NOW - 5), "user": json.dumps({"id": 7, "first_name": "Ed"})}
    bot_id = TOKEN.split(":")[0]
    message = f"{bot_id}:WebAppData\n" + "\n".join(f"{k}={fields[k]}" for k in sorted(fields))
    signature = base64.urlsafe_b64encode(private_key.sign(message.encode())).rstrip(b"=")
    fields["signature"] = signature.decode()
    fields["hash"] = init_data.sign(fields, TOKEN)
    return urlencode(fields)


def test_ed25519_signature_checked_when_enabled(monkeypatch):
    """With third-party validation on, does a good signature pass and a bad one fail?"""
    key = Ed25519PrivateKey.generate()
    public_hex = key.public_key().public_bytes_raw().hex()
    monkeypatch.setitem(init_data.TELEGRAM_PUBLIC_KEYS, "test", public_hex)
    good = _third_party_signed(key)
    assert check(good, signature_key="test").user.id == 7
    forged = _third_party_signed(Ed25519PrivateKey.generate())
    assert reason(forged, signature_key="test") == "bad-signature"
    assert reason(signed(), signature_key="test") == "missing-signature"


def test_real_clock_default():
    """Does a freshly built initData validate against the real clock?"""
    assert validate(init_data.build(TOKEN, USER), TOKEN).auth_date <= time.time()
