"""Open Badges 3.0 (issue 15): a professional downloads a signed OpenBadgeCredential of an
active certification (VC-JWT, EdDSA); anyone checks it by its signature, the key its `kid`
names (rotated keys still verify), its dates and its bit in the body's published status
list, which follows the certification (lapsed, deleted, opted out).

The credential is validated against the Open Badges 3.0 AchievementCredential JSON schema,
vendored beside this file from 1EdTech/openbadges-specification (branch gh-pages,
docs/schema/achievementcredential.json at c73e9663afcdbe009a224f7be061ac895168a5b8; published
as https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json).
"""

from __future__ import annotations

import base64
import json
from datetime import date
from pathlib import Path

import jsonschema_rs
import jwt
import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from recert.core.actions.history import do_soft_delete
from recert.core.models import History
from recert.lib.signing_keys import new_key_item, parse_signing_keys
from recert.verify import status_list
from recert.verify.actions import do_set_public_listing
from recert.verify.models import IssuedBadge
from recert.verify.verification import verify_badge

SCHEMA = json.loads((Path(__file__).parent / "ob_v3p0_achievementcredential_schema.json")
                    .read_text())
TODAY = "2026-06-01 12:00 +0000"  # alice's CPT (2025-03-15, cycle to 2028-12-31) is active


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def keys(settings):
    """Two keys: "k2" signs, "k1" is an older one still trusted."""
    items = {"k2": new_key_item("k2"), "k1": new_key_item("k1")}
    settings.BADGE_KEYS = parse_signing_keys(f"{items['k2']},{items['k1']}")
    return items


def _b64(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def _download(user, certification) -> object:
    client = Client()
    client.force_login(user)
    return client.post(f"/certifications/{certification.pk}/badge/")


def _badge(alice, alice_cpt) -> str:
    response = _download(alice.user, alice_cpt)
    assert response.status_code == 200, response.content[:300]
    return response.content.decode()


def _public_key(kid: str):
    """The key a verifier gets by following the badge's `kid` and the JWKS."""
    path = kid.removeprefix("http://testserver")
    jwk = Client().get(path).json()
    jwks = Client().get("/.well-known/jwks.json").json()
    assert jwk in jwks["keys"] and "d" not in jwk
    return jwt.PyJWK(jwk).key


def test_the_holder_downloads_a_signed_ob3_badge(keys, alice, alice_cpt):
    response = _download(alice.user, alice_cpt)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vc+jwt"
    assert 'filename="ACSM-CPT-open-badge.jwt"' in response["Content-Disposition"]
    token = response.content.decode()
    header = jwt.get_unverified_header(token)
    assert header == {"alg": "EdDSA", "kid": "http://testserver/badges/keys/k2.json",
                      "typ": "JWT"}
    payload = jwt.decode(token, _public_key(header["kid"]), algorithms=["EdDSA"],
                         options={"verify_exp": False})
    errors = [f"{e.instance_path}: {e.message}"
              for e in jsonschema_rs.validator_for(SCHEMA, validate_formats=True)
              .iter_errors(payload)]
    assert errors == []
    assert payload["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert payload["@context"][1] == "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
    subject = payload["credentialSubject"]
    assert subject["achievement"]["name"] == "ACSM Certified Personal Trainer"
    assert payload["validUntil"] == "2028-12-31T23:59:59Z"
    assert payload["validFrom"] == "2026-06-01T12:00:00Z"
    # OB 3.0 §8.2.4: the claims repeat the credential's fields.
    assert (payload["iss"], payload["jti"], payload["sub"]) == (
        payload["issuer"]["id"], payload["id"], subject["id"])
    issuer = Client().get(payload["issuer"]["id"].removeprefix("http://testserver")).json()
    assert issuer["type"] == ["Profile"] and "American College" in issuer["name"]
    achievement = Client().get(subject["achievement"]["id"].removeprefix("http://testserver"))
    assert achievement.json()["name"] == "ACSM Certified Personal Trainer"
    # The holder: salted hashes only, no name, e-mail address or member id in clear.
    text = _b64(token.split(".")[1]).decode()
    for private in ("Alice", "alice", "Archer"):
        assert private not in text
    assert {i["identityType"] for i in subject["identifier"]} == {"name", "emailAddress"}
    status = payload["credentialStatus"]
    assert status["type"] == "BitstringStatusListEntry"
    assert status["statusPurpose"] == "suspension"
    badge = IssuedBadge.objects.get()
    assert (badge.certification, badge.key_id, str(badge.status_index)) == (
        alice_cpt, "k2", status["statusListIndex"])
    assert History.objects.of(badge).get().actor == alice.user
    # The same badge again: one credential per certification, cycle and key.
    assert _download(alice.user, alice_cpt).content.decode() == token
    assert IssuedBadge.objects.count() == 1
    # And in her data download (issue 11).
    from recert.exports.yourdata import collect

    assert [b["badge"] for b in collect(alice)["open_badges"]] == [token]


def test_a_badge_verifies_and_stops_when_its_certification_does(keys, alice, alice_cpt, sam):
    token = _badge(alice, alice_cpt)
    assert verify_badge(token).outcome == "valid"
    do_soft_delete(alice_cpt, actor=sam, reason="entered in error")
    verdict = verify_badge(token)
    assert verdict.outcome == "suspended" and not verdict.valid
    assert "not active today" in verdict.words


def test_a_badge_of_a_lapsed_certification_fails(keys, alice, alice_cpt):
    token = _badge(alice, alice_cpt)
    index = IssuedBadge.objects.get().status_index
    with time_machine.travel("2029-01-15 12:00 +0000", tick=False):  # in grace
        assert verify_badge(token).outcome == "expired"
        assert _bit_of("ACSM", index)
    with time_machine.travel("2031-01-15 12:00 +0000", tick=False):  # invalid
        assert verify_badge(token).outcome == "expired"
        assert _bit_of("ACSM", index)
    assert not _bit_of("ACSM", index)  # back today: active


def _bit_of(body: str, index: int) -> bool:
    response = Client().get(f"/badges/status/{body}/0")
    assert response.status_code == 200 and response["Content-Type"] == "application/vc+jwt"
    signed = response.content.decode()
    document = jwt.decode(signed, _public_key(jwt.get_unverified_header(signed)["kid"]),
                          algorithms=["EdDSA"])
    assert document["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    subject = document["credentialSubject"]
    assert subject["type"] == "BitstringStatusList" and subject["statusPurpose"] == "suspension"
    raw = status_list.decode(subject["encodedList"])
    assert len(raw) * 8 == 131_072  # the specification's minimum, 16 KiB
    return status_list.bit(raw, index)


def test_an_opt_out_suspends_the_badges_and_stops_new_ones(keys, alice, alice_cpt):
    token = _badge(alice, alice_cpt)
    assert verify_badge(token).outcome == "valid"  # the list is cached now
    do_set_public_listing(alice, listed=False, actor=alice.user)
    assert verify_badge(token).outcome == "suspended"
    response = _download(alice.user, alice_cpt)
    assert response.status_code == 302
    page = Client()
    page.force_login(alice.user)
    assert "chose not to be listed" in page.get(response["Location"]).content.decode()
    do_set_public_listing(alice, listed=True, actor=alice.user)
    assert verify_badge(token).outcome == "valid"  # suspension, not revocation


def test_old_badges_verify_after_a_rotation(keys, settings, alice, alice_cpt):
    old = _badge(alice, alice_cpt)
    k1 = parse_signing_keys(keys["k2"])[0]
    settings.BADGE_KEYS = parse_signing_keys(f"{new_key_item('k3')},k2:public:{k1.x}")
    assert verify_badge(old).outcome == "valid"
    jwks = Client().get("/.well-known/jwks.json").json()
    assert [k["kid"].rsplit("/", 1)[1] for k in jwks["keys"]] == ["k3.json", "k2.json"]
    new = _badge(alice, alice_cpt)
    assert new != old and jwt.get_unverified_header(new)["kid"].endswith("/k3.json")
    assert verify_badge(new).outcome == "valid"
    settings.BADGE_KEYS = settings.BADGE_KEYS[:1]  # k2 dropped: its badges cannot be checked
    assert verify_badge(old).outcome == "unknown_key"


def _tampered(token: str, change) -> str:
    header, payload, signature = token.split(".")
    document = json.loads(_b64(payload))
    change(document)
    body = base64.urlsafe_b64encode(json.dumps(document).encode()).rstrip(b"=").decode()
    return f"{header}.{body}.{signature}"


def test_a_changed_badge_fails(keys, alice, alice_cpt):
    token = _badge(alice, alice_cpt)

    def extend(document):
        document["validUntil"] = "2099-12-31T23:59:59Z"

    assert verify_badge(_tampered(token, extend)).outcome == "bad_signature"
    header, payload, signature = token.split(".")
    assert verify_badge(f"{header}.{payload}.{signature[:-4]}AAAA").outcome == "bad_signature"


def test_a_badge_signed_by_another_key_or_algorithm_fails(keys, alice, alice_cpt):
    token = _badge(alice, alice_cpt)
    payload = json.loads(_b64(token.split(".")[1]))
    stranger = parse_signing_keys(new_key_item("k2"))[0]  # same id, another key
    forged = jwt.encode(payload, stranger.private, algorithm="EdDSA",
                        headers={"kid": "http://testserver/badges/keys/k2.json"})
    assert verify_badge(forged).outcome == "bad_signature"
    elsewhere = jwt.encode(payload, stranger.private, algorithm="EdDSA",
                           headers={"kid": "https://elsewhere.example/keys/1"})
    assert verify_badge(elsewhere).outcome == "unknown_key"
    hmac = jwt.encode(payload, "x" * 32, algorithm="HS256",
                      headers={"kid": "http://testserver/badges/keys/k2.json"})
    assert verify_badge(hmac).outcome == "bad_signature"
    unsigned = ".".join(token.split(".")[:2]) + "."
    assert verify_badge(unsigned).outcome in ("bad_signature", "malformed")


@pytest.mark.parametrize("garbage", [
    "", "   ", "abc", "a.b.c", "....", "eyJhbGciOiJFZERTQSJ9.e30.", "é.ü.ß", "\x00\x01",
    "x" * 70_000, "eyJ9.eyJ9.eyJ9", base64.urlsafe_b64encode(b'{"alg":"EdDSA","kid":1}')
    .decode() + ".e30.AAAA",
])
def test_garbage_gets_an_answer_not_an_error(keys, db, garbage):
    verdict = verify_badge(garbage)
    assert verdict.outcome in ("malformed", "unknown_key", "bad_signature")
    response = Client().post("/verify/badge.json", garbage, content_type="text/plain")
    assert response.status_code in (200, 413) and response.json()
    page = Client().post("/verify/badge/", {"badge": garbage})
    assert page.status_code == (400 if "\x00" in garbage else 200)  # NUL: the bad-bytes page


def test_the_public_page_checks_a_pasted_or_uploaded_badge(keys, alice, alice_cpt):
    token = _badge(alice, alice_cpt)
    page = Client().post("/verify/badge/", {"badge": token, "holder": "alice archer"})
    html = page.content.decode()
    assert 'data-outcome="valid"' in html and "ACSM Certified Personal Trainer" in html
    assert "12/31/2028" in html and "06/01/2026" in html
    assert 'data-holder="match"' in html
    upload = SimpleUploadedFile("ACSM-CPT-open-badge.jwt", token.encode())
    html = Client().post("/verify/badge/", {"file": upload,
                                            "holder": "bob@example.com"}).content.decode()
    assert 'data-outcome="valid"' in html and 'data-holder="no-match"' in html
    assert "alice@example.com" not in html
    empty = Client().post("/verify/badge/", {}).content.decode()
    assert "Paste the badge or choose its file." in empty
    binary = SimpleUploadedFile("badge.png", b"\x89PNG\r\n\x1a\n\xff\xfe")
    assert "is not text (UTF-8)" in Client().post("/verify/badge/",
                                                  {"file": binary}).content.decode()


def test_the_json_check_for_programs(keys, alice, alice_cpt):
    token = _badge(alice, alice_cpt)
    answer = Client().post("/verify/badge.json", {"badge": token},
                           content_type="application/json").json()
    assert answer["outcome"] == "valid" and answer["valid"] is True
    assert answer["credential"]["achievement"] == "ACSM Certified Personal Trainer"
    raw = Client().post("/verify/badge.json", token, content_type="application/vc+jwt")
    assert raw.json()["outcome"] == "valid"
    wrong = Client().post("/verify/badge.json", {"jwt": token}, content_type="application/json")
    assert wrong.status_code == 400 and '"badge"' in wrong.json()["detail"]


def test_only_the_holder_downloads(keys, alice, bob, alice_cpt, sam):
    assert _download(bob.user, alice_cpt).status_code == 404
    assert _download(sam, alice_cpt).status_code == 404  # staff: no one else's badge
    anonymous = Client().post(f"/certifications/{alice_cpt.pk}/badge/")
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]
    assert Client().get(f"/certifications/{alice_cpt.pk}/badge/").status_code in (302, 405)
    assert not IssuedBadge.objects.exists()


def test_no_badge_for_a_certification_that_is_not_active(keys, alice, alice_cpt):
    with time_machine.travel("2029-01-15 12:00 +0000", tick=False):  # in grace
        response = _download(alice.user, alice_cpt)
        assert response.status_code == 302
        client = Client()
        client.force_login(alice.user)
        page = client.get(response["Location"]).content.decode()
    assert "active certification only" in page
    assert not IssuedBadge.objects.exists()


def test_without_a_key_badges_say_they_are_not_configured(settings, alice, alice_cpt):
    settings.BADGE_KEYS = []
    client = Client()
    client.force_login(alice.user)
    page = client.get(f"/certifications/{alice_cpt.pk}/").content.decode()
    assert "Open Badges are not configured on this site" in page
    response = client.post(f"/certifications/{alice_cpt.pk}/badge/", follow=True)
    assert "Open Badges are not configured on this site" in response.content.decode()
    assert Client().get("/.well-known/jwks.json").json() == {"keys": []}
    assert verify_badge("a.b.c").outcome == "malformed"


def test_the_certification_page_offers_the_download(keys, alice, alice_cpt):
    client = Client()
    client.force_login(alice.user)
    page = client.get(f"/certifications/{alice_cpt.pk}/").content.decode()
    assert f'action="/certifications/{alice_cpt.pk}/badge/"' in page
    assert "Download Open Badge" in page


def test_the_status_list_costs_a_few_queries_per_holder(keys, alice, bob, alice_cpt, programs,
                                                       sam, django_assert_num_queries):
    from recert.core.actions.certifications import do_create_certification

    _badge(alice, alice_cpt)
    bob_cpt = do_create_certification(bob, programs[("ACSM", "CPT")], date(2025, 5, 1),
                                      actor=sam, cpr_aed_valid_until=date(2027, 6, 30))
    _badge(bob, bob_cpt)
    body = alice_cpt.program.body
    from django.core.cache import cache

    cache.clear()
    # The list's state, its badges, the holders, and each holder's evaluation
    # (certifications, credits, decisions, late renewals).
    with django_assert_num_queries(3 + 2 * 5):
        status_list.credential_jwt(body, 0)
    with django_assert_num_queries(1):  # nothing changed: the signed list from the cache
        status_list.credential_jwt(body, 0)


def test_encoded_lists_round_trip():
    encoded = status_list.encode({0, 7, 8, 131_071})
    raw = status_list.decode(encoded)
    assert raw[0] == 0b1000_0001 and raw[1] == 0b1000_0000 and raw[-1] == 1
    assert [status_list.bit(raw, i) for i in (0, 1, 7, 8, 9, 131_071)] == [
        True, False, True, True, False, True]
    for bad in ("", "abc", "u!!!", "u" + base64.urlsafe_b64encode(b"not gzip").decode()):
        with pytest.raises(ValueError):
            status_list.decode(bad)


def test_status_lists_that_do_not_exist_are_404(keys, alice, alice_cpt):
    _badge(alice, alice_cpt)
    for path in ("/badges/status/ACSM/1", "/badges/status/NOBODY/0",
                 "/badges/status/ACSM/99999999999999999999", "/badges/status/ACE/0"):
        assert Client().get(path).status_code == 404, path
    assert Client().get("/badges/status/ACSM/0").status_code == 200


def test_a_status_list_pasted_as_a_badge_is_not_one(keys, alice, alice_cpt):
    _badge(alice, alice_cpt)
    signed = Client().get("/badges/status/ACSM/0").content.decode()
    verdict = verify_badge(signed)
    assert verdict.outcome == "malformed" and "not an OpenBadgeCredential" in verdict.words


PART = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=",
               max_size=60)


@hypothesis_settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.one_of(st.text(max_size=200),
                      st.tuples(PART, PART, PART).map(".".join),
                      st.tuples(st.sampled_from(["eyJhbGciOiJFZERTQSJ9",
                                                 "eyJhbGciOiJFZERTQSIsImtpZCI6MX0"]),
                                PART, PART).map(".".join)))
def test_any_text_gets_an_outcome(keys, db, text):
    assert verify_badge(text).outcome in ("malformed", "unknown_key", "bad_signature")
