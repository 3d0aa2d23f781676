"""The provider routes (issue 15): a provider's system reads its organization and courses and
posts a completion roster as JSON rows, matched by the roster upload's own code, with a
result per row; bad rows come back by path in the page's words; retries are safe; large
rosters are matched in the background (202); and nobody else reaches any of it."""

import threading
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from recert.core.actions.professionals import do_set_member_id
from recert.core.models import CreditEntry
from recert.providers.actions import do_save_course, do_upload_roster
from recert.providers.models import Roster, RosterRow
from tests.api.conftest import ApiClient, make_token
from tests.providers.conftest import *  # noqa: F403 (the providers' people and course)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel("2026-12-01 12:00:00 +0000", tick=False):
        yield


@pytest.fixture
def members(alice, bob, bodies):
    do_set_member_id(alice, bodies["ACE"], "ACE1001", actor=None)
    do_set_member_id(bob, bodies["ACE"], "ACE2002", actor=None)


@pytest.fixture
def fit_ed_api(pat, fit_ed):
    token, raw = make_token(pat, kind="provider", provider=fit_ed, name="LMS")
    return ApiClient(raw)


@pytest.fixture
def quinn_api(quinn, other_org):
    _, raw = make_token(quinn, kind="provider", provider=other_org, name="Other LMS")
    return ApiClient(raw)


def _rosters_path(course) -> str:
    return f"/providers/{course.provider_id}/courses/{course.pk}/rosters"


ROWS = [
    {"member_id": "ACE1001", "name": "Alice Archer", "completed_on": "2026-11-20"},
    {"member_id": "ACE9999", "name": "Nobody", "completed_on": "11/21/2026"},
    {"email": "bob@example.com", "name": "Bob", "completed_on": "2026-11-22",
     "credits": "0.5"},
    {"email": "carol@example.com", "name": "Carol", "completed_on": "2026-11-22"},
]


def test_a_provider_posts_a_roster_and_gets_each_rows_result(
        fit_ed_api, ace_course, alice, bob, members):
    response = fit_ed_api.post(_rosters_path(ace_course), {"reference": "LMS batch 7",
                                                           "rows": ROWS},
                               headers={"Idempotency-Key": "batch-7"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["status"], body["row_count"], body["name"]) == ("done", 4, "LMS batch 7")
    assert body["counts"] == {"credited": 2, "held": 2, "pending": 0, "withdrawn": 0}
    alice_row, nobody_row, bob_row, carol_row = body["rows"]
    assert [r["index"] for r in body["rows"]] == [0, 1, 2, 3]
    entry = CreditEntry.objects.get(professional=alice)
    assert (alice_row["state"], alice_row["credit_entry_id"]) == ("credited", entry.pk)
    assert (entry.source, entry.course_number, entry.amount) == (
        CreditEntry.PROVIDER, "CA54321", Decimal("0.8"))
    # Bob's verified address matched him, with the row's own CECs.
    bob_entry = CreditEntry.objects.get(pk=bob_row["credit_entry_id"])
    assert (bob_entry.professional, bob_entry.amount) == (bob, Decimal("0.5"))
    assert (bob_row["credits"], bob_row["completed_on"]) == ("0.5", "2026-11-22")
    # The page's words for why a row is held.
    assert (nobody_row["state"], nobody_row["note"]) == (
        "held", "no one holds ACE member ID ACE9999")
    assert carol_row["state"] == "held" and carol_row["credit_entry_id"] is None
    assert carol_row["note"].startswith("no one has verified carol@example.com yet")
    # The roster is the upload page's: same rows, same matching, shown on the pages.
    roster = Roster.objects.get()
    assert {r.line: r.state for r in roster.rows.all()} == {
        1: RosterRow.CREDITED, 2: RosterRow.HELD, 3: RosterRow.CREDITED, 4: RosterRow.HELD}
    assert fit_ed_api.get(response["Location"].removeprefix("/api/v1")).json() == body
    # The same request again (a retry) answers the same, and stores nothing more.
    again = fit_ed_api.post(_rosters_path(ace_course), {"reference": "LMS batch 7",
                                                        "rows": ROWS},
                            headers={"Idempotency-Key": "batch-7"})
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert again.json() == body
    assert Roster.objects.count() == 1 and CreditEntry.objects.count() == 2


def test_bad_rows_are_refused_by_path_in_the_pages_words_and_nothing_is_stored(
        fit_ed_api, ace_course, members):
    rows = [
        {"member_id": "ACE1001", "completed_on": "2026-11-20"},
        {"member_id": "ACE2002", "completed_on": "01/05/2027", "credits": "-1"},
        {"name": "=HYPERLINK(\"http://x\")", "completed_on": "yesterday"},
        {"email": "not-an-address", "completed_on": "2026-11-20",
         "course_number": "CA11111", "credits": "0.001"},
    ]
    response = fit_ed_api.post(_rosters_path(ace_course), {"rows": rows},
                               headers={"Idempotency-Key": "bad-batch"})
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["detail"].startswith("3 of 4 rows have problems; nothing was stored.")
    errors = {(e["field"], e["message"]) for e in problem["errors"]}
    assert errors == {
        ("rows[1].completed_on", "Completion date: 01/05/2027 is in the future."),
        ("rows[1].credits", "CECs: -1 is not a number of credits above 0."),
        ("rows[2].name", "Name starts with “=” like a spreadsheet formula; type the value "
                         "itself."),
        ("rows[2].member_id", "Give a member ID or an e-mail address."),
        ("rows[2].completed_on", "Completion date: “yesterday” is not a date; use YYYY-MM-DD "
                                 "or MM/DD/YYYY."),
        ("rows[3].email", "E-mail “not-an-address” is not an e-mail address."),
        ("rows[3].course_number", "Course number CA11111 is not this course's (CA54321)."),
        ("rows[3].credits", "CECs: 0.001 rounds to 0; give at least 0.01."),
    }
    assert not Roster.objects.exists() and not CreditEntry.objects.exists()
    # The key is free again: the corrected roster goes through with it.
    fixed = fit_ed_api.post(_rosters_path(ace_course), {"rows": rows[:1]},
                            headers={"Idempotency-Key": "bad-batch"})
    assert fixed.status_code == 201


@pytest.mark.django_db(transaction=True)
def test_concurrent_posts_with_one_key_store_one_roster(pat, fit_ed, ace_course, members):
    """A provider's system retrying at once on several connections: one roster, one credit;
    the others get its response or 409 (still running)."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises every write (CI runs this on "
                    "PostgreSQL)")
    _, raw = make_token(pat, kind="provider", provider=fit_ed)
    barrier = threading.Barrier(4)
    results: list = []

    def call():
        try:
            barrier.wait()
            response = ApiClient(raw).post(_rosters_path(ace_course), {"rows": ROWS[:1]},
                                           headers={"Idempotency-Key": "same"})
            results.append((response.status_code, response.json()))
        finally:
            connection.close()

    threads = [threading.Thread(target=call) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 4 and {status for status, _ in results} <= {201, 409}
    assert Roster.objects.count() == 1 and CreditEntry.objects.count() == 1
    assert len({body["id"] for status, body in results if status == 201}) == 1


def test_a_roster_of_wrong_shape_names_the_field(fit_ed_api, ace_course):
    for body, field in (({"rows": []}, "rows"), ({"rows": [{"completed_on": 5}]},
                                                  "rows[0].completed_on"), ({}, "rows")):
        response = fit_ed_api.post(_rosters_path(ace_course), body)
        assert response.status_code == 422, body
        assert response.json()["errors"][0]["field"] == field


def test_a_course_not_yet_approved_takes_no_roster(fit_ed_api, fit_ed, pat, bodies):
    draft = do_save_course(fit_ed, actor=pat, body=bodies["ACE"], title="Draft",
                           description="", format="course", credits=Decimal("1"),
                           course_number="", other_credits={})
    response = fit_ed_api.post(_rosters_path(draft), {"rows": ROWS[:1]})
    assert response.status_code == 409
    assert response.json()["detail"] == ("Completions can be reported for an approved "
                                         "course only.")


def test_a_large_roster_is_matched_in_the_background_and_answered_202(
        fit_ed_api, ace_course, alice, members, django_capture_on_commit_callbacks):
    rows = [ROWS[0]] + [{"email": f"p{i}@example.com", "completed_on": "2026-11-20"}
                        for i in range(150)]
    with django_capture_on_commit_callbacks() as callbacks:
        response = fit_ed_api.post(_rosters_path(ace_course), {"rows": rows})
    assert response.status_code == 202
    body = response.json()
    assert (body["status"], body["counts"]["pending"]) == ("queued", 151)
    location = response["Location"].removeprefix("/api/v1")
    for callback in callbacks:
        callback()  # the process_roster task, as the worker runs it
    done = fit_ed_api.get(location).json()
    assert done["status"] == "done"
    assert done["counts"] == {"credited": 1, "held": 150, "pending": 0, "withdrawn": 0}
    assert done["rows"][0]["state"] == "credited"


def test_the_organization_its_courses_and_rosters(fit_ed_api, fit_ed, ace_course, pat,
                                                  bodies, members):
    organization = fit_ed_api.get(f"/providers/{fit_ed.pk}").json()
    assert organization["name"] == "Fit Ed"
    # Where a provider's system finds its id: the organizations its token acts for.
    assert fit_ed_api.get("/providers").json() == [organization]
    assert {(a["body"], a["provider_number"], a["in_force"])
            for a in organization["approvals"]} == {("ACE", "", True),
                                                     ("ACSM", "ACSM-P-77", True)}
    for i in range(2):
        do_save_course(fit_ed, actor=pat, body=bodies["ACE"], title=f"Draft {i}",
                       description="", format="course", credits=Decimal("1"),
                       course_number="", other_credits={})
    first = fit_ed_api.get(f"/providers/{fit_ed.pk}/courses", {"limit": 2}).json()
    second = fit_ed_api.get(f"/providers/{fit_ed.pk}/courses",
                            {"limit": 2, "cursor": first["next_cursor"]}).json()
    assert second["next_cursor"] is None
    titles = [c["title"] for c in first["items"] + second["items"]]
    assert titles == ["Kettlebell Flow", "Draft 0", "Draft 1"]
    course = fit_ed_api.get(f"/providers/{fit_ed.pk}/courses/{ace_course.pk}").json()
    assert (course["status"], course["course_number"], course["credits"]) == (
        "approved", "CA54321", "0.8")
    assert course["other_credits"] == [{"body": "ACSM", "credits": "8"}]
    bad = fit_ed_api.get(f"/providers/{fit_ed.pk}/courses", {"cursor": "%%%"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "cursor"
    # A roster uploaded on the page is listed beside one posted here.
    from django.core.files.uploadedfile import SimpleUploadedFile

    do_upload_roster(ace_course, SimpleUploadedFile(
        "nov.csv", b"member id,completion date\nACE1001,2026-11-20\n"), actor=pat)
    fit_ed_api.post(_rosters_path(ace_course), {"rows": ROWS[1:2]})
    listed = fit_ed_api.get(f"/providers/{fit_ed.pk}/rosters").json()["items"]
    assert [r["name"] for r in listed] == ["posted through the API", "nov.csv"]  # default
    uploaded = fit_ed_api.get(f"/providers/{fit_ed.pk}/rosters/{listed[1]['id']}").json()
    assert [(r["index"], r["line"], r["state"]) for r in uploaded["rows"]] == [
        (0, 2, "credited")]
    assert fit_ed_api.get(f"/providers/{fit_ed.pk}/rosters",
                          {"course_id": 999999}).json()["items"] == []


def test_no_one_else_reaches_the_providers_routes(
        fit_ed_api, quinn_api, fit_ed, other_org, ace_course, alice, erin, members, pat):
    roster = fit_ed_api.post(_rosters_path(ace_course), {"rows": ROWS[:1]}).json()
    paths = [f"/providers/{fit_ed.pk}", f"/providers/{fit_ed.pk}/courses",
             f"/providers/{fit_ed.pk}/courses/{ace_course.pk}",
             f"/providers/{fit_ed.pk}/rosters",
             f"/providers/{fit_ed.pk}/rosters/{roster['id']}"]
    _, personal = make_token(alice)
    _, staff = make_token(erin, kind="staff")
    _, read_only = make_token(pat, "read", kind="provider", provider=fit_ed)
    callers = {"another provider": (quinn_api, 404), "a personal token": (ApiClient(personal),
                                                                          403),
               "a staff token": (ApiClient(staff), 403), "anonymous": (ApiClient(), 401)}
    for who, (client, status) in callers.items():
        for path in paths + ["/providers"] * (status != 404):
            response = client.get(path)
            assert response.status_code == status, (who, path)
            assert "Fit Ed" not in response.content.decode() and "ACE1001" not in (
                response.content.decode())
        response = client.post(_rosters_path(ace_course), {"rows": ROWS[:1]})
        assert response.status_code == status, who
    assert "provider" in ApiClient().get(paths[0]).json()["detail"]  # which token to send
    assert ApiClient(read_only).post(_rosters_path(ace_course),
                                     {"rows": ROWS[:1]}).status_code == 403
    assert [p["name"] for p in quinn_api.get("/providers").json()] == ["Other Org"]
    # Fit Ed's token with another provider's id, or another provider's course or roster
    # under its own id: the same 404.
    other_course = do_save_course(other_org, actor=None, body=ace_course.body, title="Theirs",
                                  description="", format="course", credits=Decimal("1"),
                                  course_number="", other_credits={})
    for path in (f"/providers/{other_org.pk}", f"/providers/{other_org.pk}/courses",
                 f"/providers/{fit_ed.pk}/courses/{other_course.pk}",
                 f"/providers/{other_org.pk}/rosters/{roster['id']}"):
        assert fit_ed_api.get(path).status_code == 404, path
    assert quinn_api.get(f"/providers/{other_org.pk}/rosters/{roster['id']}"
                         ).status_code == 404
    assert Roster.objects.count() == 1


def test_a_signed_in_member_calls_them_from_the_page_with_the_second_factor(
        fit_ed, pat, ace_course, members):
    client = Client()
    client.force_login(pat, second_factor=False)
    assert client.get(f"/api/v1/providers/{fit_ed.pk}").status_code == 403
    client.force_login(pat)
    assert client.get(f"/api/v1/providers/{fit_ed.pk}").json()["name"] == "Fit Ed"
    assert [p["name"] for p in client.get("/api/v1/providers").json()] == ["Fit Ed"]


def _count(client, path) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


def test_the_lists_do_not_grow_with_rows_or_courses(fit_ed_api, fit_ed, ace_course, pat,
                                                    bodies, members):
    roster = fit_ed_api.post(_rosters_path(ace_course), {"rows": ROWS}).json()
    paths = [f"/providers/{fit_ed.pk}/courses", f"/providers/{fit_ed.pk}/rosters",
             f"/providers/{fit_ed.pk}/rosters/{roster['id']}"]
    few = {path: _count(fit_ed_api, path) for path in paths}
    for i in range(5):
        do_save_course(fit_ed, actor=pat, body=bodies["ACSM"], title=f"More {i}",
                       description="", format="course", credits=Decimal("1"),
                       course_number="", other_credits={bodies["ACE"]: Decimal("0.1")})
    bigger = fit_ed_api.post(_rosters_path(ace_course), {"rows": ROWS * 10}).json()
    fit_ed_api.post(_rosters_path(ace_course), {"rows": ROWS})
    paths[2] = f"/providers/{fit_ed.pk}/rosters/{bigger['id']}"
    many = dict(zip(few, (_count(fit_ed_api, path) for path in paths), strict=True))
    assert many == few
    assert few[paths[0]] <= 6
