"""RECERT_BADGE_KEYS: the badge-signing keys, newest first; bad values stop start-up with a
message naming the variable, the key and the accepted format."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command

from recert.lib.signing_keys import new_key_item, parse_signing_keys


def test_keys_are_read_newest_first_and_retired_ones_may_be_public_only():
    signing, older = new_key_item("2026-12"), parse_signing_keys(new_key_item("2025-01"))[0]
    keys = parse_signing_keys(f" {signing} , 2025-01:public:{older.x} ,")
    assert [k.key_id for k in keys] == ["2026-12", "2025-01"]
    assert keys[0].private is not None and keys[1].private is None
    assert keys[1].x == older.x
    assert "d" not in keys[0].jwk("https://x/k") and keys[0].jwk("k")["crv"] == "Ed25519"
    assert parse_signing_keys("") == []


def test_new_keys_are_random():
    assert new_key_item("a") != new_key_item("a")


@pytest.mark.parametrize("raw,words", [
    ("k1", "is not a key"),
    ("k1:abc", "not 32 bytes in base64url"),
    ("bad id!:" + "A" * 43, "is not a key"),
    ("k1:public:" + "A" * 43, "needs its private part"),
    ("{a},{a}", "given twice"),
    ("k1:private:" + "A" * 43, "is not a key"),
])
def test_bad_values_are_named(raw, words):
    raw = raw.replace("{a}", new_key_item("a"))
    with pytest.raises(ImproperlyConfigured) as error:
        parse_signing_keys(raw)
    assert "RECERT_BADGE_KEYS" in str(error.value) and words in str(error.value)


def test_the_command_prints_a_usable_key(capsys, settings):
    settings.BADGE_KEYS = parse_signing_keys(new_key_item("old"))
    call_command("badge_key", "--id", "2027-01")
    out, err = capsys.readouterr()
    assert parse_signing_keys(out.strip())[0].key_id == "2027-01"
    assert "old:public:" in err
