"""Reports for a body and a period (issue 12), checked against a seeded data set: each
report's totals (their own queries) equal the sums of its rows (GROUP BY queries), the CSV
and xlsx carry the same numbers, the chart is SVG without style; revenue needs finance."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from recert.core.actions.certifications import do_create_certification
from recert.core.actions.staff import do_grant_staff_role
from recert.core.models import CertifyingBody, CreditEntry, Cycle
from recert.staff.reports import REPORTS, as_csv, as_xlsx, cell_text, chart
from tests.audits.conftest import NOTICE_ON, at, renew
from tests.conftest import _professional
from tests.factories import log

pytestmark = pytest.mark.django_db

TODAY = date(2026, 12, 2)
START, END = date(2025, 1, 1), date(2026, 12, 31)


@pytest.fixture
def seeded(alice, bob, programs, sam, media, password, django_capture_on_commit_callbacks):
    """ACSM: alice (CPT) renewed 06/2025, bob (EP) renewed 07/2025, carol (CPT) overdue
    since 12/2025, dave (GEI) due 12/2026, an audit of 2026 with a case each for alice and
    bob; erin holds only an ACE certification (never in ACSM's reports)."""
    from recert.audits.actions import do_start_audit

    renew(alice, programs[("ACSM", "CPT")], sam)
    renew(bob, programs[("ACSM", "EP")], sam, amounts=("20", "20", "20"), on=date(2025, 7, 10))
    carol = _professional("carol", "Carol Clark", password)
    do_create_certification(carol, programs[("ACSM", "CPT")], date(2022, 5, 1), actor=sam)
    dave = _professional("dave", "Dave Dunn", password)
    do_create_certification(dave, programs[("ACSM", "GEI")], date(2023, 2, 1), actor=sam)
    erin = _professional("erin", "Erin Ellis", password)
    do_create_certification(erin, programs[("ACE", "PT")], date(2023, 2, 1), actor=sam)
    log(erin, date(2025, 3, 1), "1", "ACE", "ceu")
    # Credits earned in the period: alice 2 courses (one reported by a provider), bob a
    # webinar, carol a conference entered by staff.
    log(alice, date(2025, 2, 1), "5")
    entry = log(alice, date(2025, 3, 1), "5")
    CreditEntry.objects.filter(pk=entry.pk).update(source=CreditEntry.PROVIDER)
    log(bob, date(2026, 1, 5), "2", fmt="webinar")
    entry = log(carol, date(2026, 4, 1), "8", fmt="conference")
    CreditEntry.objects.filter(pk=entry.pk).update(source=CreditEntry.STAFF)
    acsm = CertifyingBody.objects.get(code="ACSM")
    with at(NOTICE_ON), django_capture_on_commit_callbacks(execute=True):
        do_start_audit(acsm, 2026, "seed1", actor=sam, today=NOTICE_ON)
    return acsm


def _build(key, body, start=START, end=END):
    return REPORTS[key].build(body, start, end, TODAY)


def _check_totals(table):
    """The totals (own queries) equal the rows (GROUP BY) summed here."""
    columns = list(zip(*[values for _, values in table.rows], strict=True)) or [
        () for _ in table.columns]
    assert table.totals == [sum(c, table._zero()) for c in columns]
    assert table.total == sum(table.row_totals(), table._zero())
    assert table.total == sum(table.totals, table._zero())


def test_renewals_due_and_overdue_by_month(seeded):
    table = _build("renewals-due", seeded)
    assert [k for k, _ in table.columns] == ["renewed", "overdue", "lapsed", "due"]
    assert table.rows == [("2025-12", [2, 1, 0, 0]), ("2026-12", [0, 0, 0, 1])]
    _check_totals(table)
    assert table.total == Cycle.objects.filter(certification__program__body=seeded,
                                               end__range=(START, END)).count()


def test_renewals_completed_by_month_and_program(seeded):
    table = _build("renewals-completed", seeded)
    cpt, ep = [k for k, _ in table.columns].index("CPT"), [k for k, _ in table.columns].index("EP")
    assert [r[0] for r in table.rows] == ["2025-06", "2025-07"]
    assert table.rows[0][1][cpt] == 1 and table.rows[1][1][ep] == 1
    _check_totals(table)
    assert table.total == 2


def test_revenue_by_month_and_fee_type(seeded):
    table = _build("revenue", seeded)
    assert table.money
    assert table.rows == [("2025-06", [Decimal("45.00"), Decimal("0.00"), Decimal("0.00")]),
                          ("2025-07", [Decimal("55.00"), Decimal("0.00"), Decimal("0.00")])]
    _check_totals(table)
    assert table.total == Decimal("100.00")
    # Outside the period: nothing.
    empty = _build("revenue", seeded, date(2026, 1, 1), date(2026, 12, 31))
    assert empty.rows == [] and empty.total == Decimal("0.00")
    _check_totals(empty)


def test_certifications_by_status_and_program(seeded):
    table = _build("certifications", seeded)
    assert table.rows == [("CPT", [2, 0, 0, 0]), ("EP", [1, 0, 0, 0]), ("GEI", [1, 0, 0, 0])]
    _check_totals(table)


def test_credits_by_format_and_source(seeded):
    table = _build("credits", seeded)
    assert [k for k, _ in table.columns] == ["self_reported", "provider", "staff"]
    assert table.rows == [("Conference", [0, 0, 1]), ("Course (in person)", [1, 1, 0]),
                          ("Webinar", [1, 0, 0])]
    _check_totals(table)


def test_audit_outcomes(seeded):
    table = _build("audit-outcomes", seeded)
    assert [(label, values[0]) for label, values in table.rows] == [("CPT", 1), ("EP", 1)]
    _check_totals(table)
    assert table.total == 2


def test_each_report_costs_the_same_few_queries(seeded, django_assert_num_queries):
    # GROUP BY in the database: the count does not depend on how many people there are.
    for key in REPORTS:
        with django_assert_num_queries(4 if key == "renewals-completed" else 3):
            _build(key, seeded)


def test_downloads_carry_the_same_numbers(seeded):
    for key in REPORTS:
        table = _build(key, seeded)
        lines = table.lines()
        rows = list(csv.reader(io.StringIO(as_csv(table).decode())))
        assert rows == [[cell_text(v) for v in line] for line in lines], key
        sheet = load_workbook(io.BytesIO(as_xlsx(table, REPORTS[key].title))).active
        got = [[c.value for c in row] for row in sheet.iter_rows()]
        want = [[float(v) if isinstance(v, Decimal) else v for v in line] for line in lines]
        assert [[float(v) if isinstance(v, Decimal) else v for v in row] for row in got] == want


def test_text_that_a_spreadsheet_would_run_is_kept_as_text():
    from recert.staff.reports import Table

    table = Table("Program", [("a", "=HYPERLINK(\"x\")")], rows=[("=1+2", [3]), ("@SUM(A1)", [1])],
                  totals=[4], total=4)
    text = as_csv(table).decode()
    assert "'=1+2" in text and "'@SUM(A1)" in text and "'=HYPERLINK" in text
    sheet = load_workbook(io.BytesIO(as_xlsx(table, "t"))).active
    assert sheet["A2"].value == "=1+2" and sheet["A2"].data_type == "s"
    assert sheet["B1"].data_type == "s"


def test_chart_is_svg_with_a_bar_per_segment(seeded):
    table = _build("renewals-due", seeded)
    drawn = chart(table)
    assert len(drawn.bars) == 3  # 2025-12: renewed, overdue; 2026-12: due
    assert [label.text for label in drawn.x_labels] == ["2025-12", "2026-12"]


# --- the pages ----------------------------------------------------------------------------


def _staff(django_user_model, name, body, role):
    user = django_user_model.objects.create_user(name, f"{name}@example.com", "x")
    do_grant_staff_role(user, CertifyingBody.objects.get(code=body), role, actor=None)
    return user


def test_viewer_reads_a_report_page_with_its_chart_and_downloads(client, seeded,
                                                                 django_user_model):
    client.force_login(_staff(django_user_model, "vic", "ACSM", "viewer"))
    query = {"body": "ACSM", "start": "2025-01-01", "end": "2026-12-31"}
    with at(TODAY):
        client.force_login(django_user_model.objects.get(username="vic"))
        page = client.get(reverse("staff:report_renewals-due"), query)
        csv_response = client.get(reverse("staff:report_renewals-due_download", args=["csv"]),
                                  query)
        xlsx = client.get(reverse("staff:report_renewals-due_download", args=["xlsx"]), query)
    assert page.status_code == 200
    text = page.content.decode()
    assert "<svg" in text and "<rect" in text and "style=" not in text.split("<svg", 1)[1]
    assert "2025-12" in text
    assert csv_response["Content-Type"].startswith("text/csv")
    assert csv_response["Content-Disposition"] == (
        'attachment; filename="ACSM-renewals-due-2025-01-01-2026-12-31.csv"')
    assert csv_response.content.decode().splitlines()[-1] == "Total,2,1,0,1,4"
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def test_revenue_needs_finance_and_a_body_of_ones_own(client, seeded, django_user_model):
    viewer = _staff(django_user_model, "vic", "ACSM", "viewer")
    finance = _staff(django_user_model, "fin", "ACSM", "finance")
    ace_finance = _staff(django_user_model, "afin", "ACE", "finance")
    url = reverse("staff:report_revenue")
    client.force_login(viewer)
    assert client.get(url, {"body": "ACSM"}).status_code == 403
    assert client.get(reverse("staff:report_revenue_download", args=["csv"])).status_code == 403
    client.force_login(ace_finance)
    assert client.get(url, {"body": "ACSM"}).status_code == 404
    page = client.get(url, {"start": "2025-01-01", "end": "2025-12-31"})
    assert page.status_code == 200 and page.context["body"].code == "ACE"
    assert page.context["table"].total == Decimal("0.00")
    client.force_login(finance)
    page = client.get(url, {"body": "ACSM", "start": "2025-01-01", "end": "2025-12-31"})
    assert page.status_code == 200 and page.context["table"].total == Decimal("100.00")


BAD_PERIODS = [
    ({"start": "2025-13-01"}, "start", "Enter a date as MM/DD/YYYY."),
    ({"start": "2026-01-01", "end": "2025-01-01"}, "end", "This date is before"),
    ({"start": "2000-01-01", "end": "2025-01-01"}, "end", "at most ten years"),
]


def test_a_bad_period_is_refused_naming_the_field(client, programs, django_user_model):
    client.force_login(_staff(django_user_model, "vic", "ACSM", "viewer"))
    for query, field, message in BAD_PERIODS:
        page = client.get(reverse("staff:report_credits"), query)
        assert page.status_code == 400
        assert message in " ".join(page.context["form"].errors[field])
        download = client.get(reverse("staff:report_credits_download", args=["csv"]), query)
        assert download.status_code == 400 and field in download.content.decode()
    assert client.get(reverse("staff:report_credits_download", args=["pdf"])).status_code == 404


def test_reports_index_lists_what_the_role_may_read(client, programs, django_user_model):
    client.force_login(_staff(django_user_model, "vic", "ACSM", "viewer"))
    text = client.get(reverse("staff:reports")).content.decode()
    assert "Revenue by month and fee type <span class=\"muted\">(needs the finance role)" in text
    assert reverse("staff:report_credits") in text
