"""Credits through the API: the report form's checks and words, field paths in batches,
cursor pages, versions (If-Match), delete / restore / history, documents, the preview, and
the engine's evaluation in `recert evaluate`'s shape (issue 15)."""

import base64
from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from recert.core.evaluation import standing_of
from recert.core.models import CreditEntry
from recert.front.forms import NEGATIVE_AMOUNT, CreditForm
from recert.rules.case import evaluation_json
from tests.factories import log

PDF = b"%PDF-1.4\n%%EOF\n"
CREDIT = {"earned_on": "2026-01-05", "format": "course", "amount": "1.5",
          "organization": "ACSM", "title": "Strength Summit"}
AMOUNT_WORDS = CreditForm.base_fields["amount"].error_messages


def _errors(response, status=422):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    return {e["field"]: e["message"] for e in response.json()["errors"]}


def test_report_a_credit_as_on_the_form(alice_api, alice, alice_cpt):
    response = alice_api.post("/credits", {**CREDIT, "amount": "15"})
    assert response.status_code == 201
    body = response.json()
    assert body["amount"] == "15" and body["earned_on"] == "2026-01-05"
    assert body["awarded_by"] == "ACSM" and body["organization"] == "ACSM"
    assert response["Location"] == f"/api/v1/credits/{body['id']}"
    assert response["ETag"] == f'"{body["version"]}"'
    entry = CreditEntry.objects.get(professional=alice)
    assert entry.amount == 15 and entry.title == "Strength Summit"
    # The engine counts it, as on the dashboard.
    evaluation = alice_api.get("/evaluation").json()
    assert evaluation["certifications"][0]["earned"] == "15"


def test_bad_input_names_the_field_in_the_pages_words(alice_api, alice_cpt):
    errors = _errors(alice_api.post("/credits", {**CREDIT, "amount": "-1", "format": "",
                                                 "earned_on": "2099-01-01"}))
    assert errors["amount"] == NEGATIVE_AMOUNT
    assert errors["format"] == "Choose the format of the activity (or Other)."
    assert errors["earned_on"].startswith("01/01/2099 is in the future.")
    assert _errors(alice_api.post("/credits", {**CREDIT, "amount": "lots"}))["amount"] == (
        AMOUNT_WORDS["invalid"])
    # Not a string: the type is named too; nothing of it is a 500.
    assert "amount" in _errors(alice_api.post("/credits", {**CREDIT, "amount": 1.5}))
    other = _errors(alice_api.post("/credits", {**CREDIT, "organization": "OTHER"}))
    assert "provider" in other and "required when the provider is Other" in other["provider"]
    assert not CreditEntry.objects.exists()


def test_a_batch_is_saved_whole_or_refused_with_item_paths(alice_api, alice, alice_cpt):
    items = [CREDIT, {**CREDIT, "title": "Two"}, CREDIT, {**CREDIT, "amount": "1.2345"}]
    errors = _errors(alice_api.post("/credits/batch", {"credits": items}))
    assert errors == {"credits[3].amount": AMOUNT_WORDS["max_decimal_places"]}
    assert not CreditEntry.objects.exists()
    made = alice_api.post("/credits/batch", {"credits": items[:3]})
    assert made.status_code == 201
    assert [c["title"] for c in made.json()["items"]] == ["Strength Summit", "Two",
                                                          "Strength Summit"]
    assert CreditEntry.objects.filter(professional=alice).count() == 3


def test_the_list_filters_and_pages_with_a_cursor(alice_api, alice, alice_cpt):
    for day in range(1, 8):
        log(alice, date(2026, 1, day), "1", "ACSM" if day % 2 else "NASM")
    log(alice, date(2026, 1, 3), "1", "ACE", fmt="webinar")
    seen, cursor = [], None
    while True:
        page = alice_api.get("/credits", {"limit": 3, **({"cursor": cursor} if cursor else {})})
        assert page.status_code == 200
        seen += [(c["earned_on"], c["id"]) for c in page.json()["items"]]
        cursor = page.json()["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == 8 and len(set(seen)) == 8 and seen == sorted(seen, reverse=True)
    nasm = alice_api.get("/credits", {"body": "NASM"}).json()["items"]
    assert {c["awarded_by"] for c in nasm} == {"NASM"} and len(nasm) == 3
    ranged = alice_api.get("/credits", {"date_from": "2026-01-03", "date_to": "2026-01-04",
                                        "format": "webinar"}).json()["items"]
    assert [c["awarded_by"] for c in ranged] == ["ACE"]
    assert "date_to" in _errors(alice_api.get("/credits", {"date_from": "2026-02-01",
                                                           "date_to": "2026-01-01"}))
    assert "body" in _errors(alice_api.get("/credits", {"body": "XYZ"}))
    assert "cursor" in _errors(alice_api.get("/credits", {"cursor": "!!"}))
    huge = base64.urlsafe_b64encode(b"2026-01-01," + b"9" * 30).decode()
    assert "cursor" in _errors(alice_api.get("/credits", {"cursor": huge}))


def test_an_update_needs_the_current_version(alice_api, alice, alice_cpt):
    made = alice_api.post("/credits", CREDIT).json()
    url = f"/credits/{made['id']}"
    changed = {**CREDIT, "amount": "3"}
    assert alice_api.put(url, changed).status_code == 428
    stale = alice_api.put(url, changed, headers={"If-Match": '"0000"'})
    assert stale.status_code == 412 and stale["ETag"] == f'"{made["version"]}"'
    ok = alice_api.put(url, changed, headers={"If-Match": f'"{made["version"]}"'})
    assert ok.status_code == 200 and ok.json()["amount"] == "3"
    assert ok.json()["version"] != made["version"]
    # The first client's version is now stale: its change is refused, not lost silently.
    late = alice_api.put(url, {**CREDIT, "amount": "9"},
                         headers={"If-Match": f'"{made["version"]}"'})
    assert late.status_code == 412
    assert CreditEntry.objects.get(pk=made["id"]).amount == 3
    bad = alice_api.put(url, {**CREDIT, "amount": "x"}, headers={"If-Match": "*"})
    assert _errors(bad) == {"amount": AMOUNT_WORDS["invalid"]}


def test_delete_restore_and_history(alice_api, alice, alice_cpt):
    made = alice_api.post("/credits", CREDIT).json()
    url = f"/credits/{made['id']}"
    assert alice_api.delete(url).status_code == 204
    assert alice_api.get(url).status_code == 404
    deleted = alice_api.get("/credits", {"deleted": "true"}).json()["items"]
    assert [c["id"] for c in deleted] == [made["id"]]
    restored = alice_api.post(url + "/restore")
    assert restored.status_code == 200 and restored.json()["deleted"] is False
    history = alice_api.get(url + "/history").json()
    assert [h["action"] for h in history] == ["create", "delete", "restore"]
    assert {h["by"] for h in history} == {"you"}


def test_a_confirmed_entry_keeps_its_facts(alice_api, alice, alice_cpt, sam):
    from recert.core.actions.credits import do_correct_credit_entry

    entry = log(alice, date(2026, 1, 5), "2")
    do_correct_credit_entry(entry, actor=sam, reason="Checked the certificate.")
    current = alice_api.get(f"/credits/{entry.pk}")
    refused = alice_api.put(f"/credits/{entry.pk}", {**CREDIT, "amount": "20"},
                            headers={"If-Match": current["ETag"]})
    assert refused.status_code == 409
    assert "cannot be changed here" in refused.json()["detail"]
    assert alice_api.delete(f"/credits/{entry.pk}").status_code == 409


def test_documents_are_checked_by_content_and_size(alice_api, alice, alice_cpt, media,
                                                   settings):
    made = alice_api.post("/credits", CREDIT).json()
    url = f"/credits/{made['id']}/documents"
    ok = alice_api.post(url, data={"file": SimpleUploadedFile("c.pdf", PDF)})
    assert ok.status_code == 201 and ok.json()["content_type"] == "application/pdf"
    fake = _errors(alice_api.post(url, data={"file": SimpleUploadedFile("c.pdf", b"hello")}))
    assert "is not a PDF, JPEG or PNG document" in fake["file"]
    settings.DOCUMENT_MAX_BYTES = 8
    big = _errors(alice_api.post(url, data={"file": SimpleUploadedFile("c.pdf", PDF)}))
    assert "the largest accepted is" in big["file"]
    assert len(alice_api.get(f"/credits/{made['id']}").json()["documents"]) == 1


def test_a_format_that_needs_a_document_takes_one_inline(alice_api, alice, alice_cpt, media):
    teaching = {**CREDIT, "format": "teaching"}
    errors = _errors(alice_api.post("/credits", teaching))
    assert errors["documents"].startswith("Upload a document for a teaching entry")
    document = {"name": "letter.pdf", "content_base64": base64.b64encode(PDF).decode()}
    made = alice_api.post("/credits", {**teaching, "documents": [document]})
    assert made.status_code == 201 and made.json()["documents"][0]["name"] == "letter.pdf"
    broken = _errors(alice_api.post("/credits", {**teaching, "documents": [
        {"name": "x.pdf", "content_base64": "***"}]}))
    assert "documents[0].content_base64" in broken
    nameless = _errors(alice_api.post("/credits", {**teaching, "documents": [
        {"name": "..", "content_base64": base64.b64encode(PDF).decode()}]}))
    assert nameless["documents[0].name"] == "Give the file's name, like certificate.pdf."


def test_the_preview_evaluates_a_draft_and_saves_nothing(alice_api, alice, alice_cpt):
    response = alice_api.post("/credits/preview", {**CREDIT, "amount": "15"})
    assert response.status_code == 200
    body = response.json()
    draft = next(c for c in body["evaluation"]["certifications"][0]["credits"]
                 if c["id"] == body["draft_id"])
    assert draft["counted"] == "15" and draft["rules"]
    assert not CreditEntry.objects.exists()
    assert _errors(alice_api.post("/credits/preview", {**CREDIT, "amount": "-1"})) == {
        "amount": NEGATIVE_AMOUNT}


def test_the_evaluation_is_recert_evaluates_output(alice_api, alice, alice_cpt):
    log(alice, date(2026, 1, 5), "2")
    expected = evaluation_json(standing_of(alice, timezone.localdate()).evaluation)
    assert alice_api.get("/evaluation").json() == expected
    as_of = alice_api.get("/evaluation", {"as_of": "2026-02-01"}).json()
    assert as_of == evaluation_json(standing_of(alice, date(2026, 2, 1)).evaluation)
    certification = alice_api.get(f"/certifications/{alice_cpt.pk}").json()
    assert certification["evaluation"] == expected["certifications"][0]


def test_renewal_quote_and_invoices(alice_api, alice, alice_cpt):
    quote = alice_api.get(f"/certifications/{alice_cpt.pk}/renewal-quote")
    assert quote.status_code == 200
    assert quote.json()["can_renew"] is False and quote.json()["refusals"]
    assert alice_api.get("/invoices").json() == []
    assert alice_api.get("/invoices/R-0001").status_code == 404
