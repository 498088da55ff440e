"""Opinion report statistics: a small year made through the services, every figure counted by hand below
(the comments name the reports each figure counts), the page, its export and `xieshang stats opinions`."""

import datetime
import io
import json

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from xieshang.core import clock
from xieshang.core.models import Member
from xieshang.core.tests.factories import OrganizationFactory, SectorFactory
from xieshang.opinions import services
from xieshang.opinions.models import Level, Recipient
from xieshang.opinions.tests._screens import act, client_for, people, walk
from xieshang.reports.opinion_stats import opinion_statistics

pytestmark = pytest.mark.django_db


@pytest.fixture
def year(committee):
    """The reports of 2026 (R1 … R12 and the combined report C), and one adopted report of 2025."""
    p = people(committee)
    national = Recipient.objects.create(committee=committee, name="全国政协", level=Level.NATIONAL, sort_order=4)
    econ = SectorFactory(committee=committee, name="经济界")
    agri = SectorFactory(committee=committee, name="农业界")
    minmeng = OrganizationFactory(committee=committee, name="民盟昌吉州委员会")
    minge = OrganizationFactory(committee=committee, name="民革昌吉州委员会")
    Member.objects.filter(user=p.member).update(sector=econ, organization=minmeng)
    Member.objects.filter(user=p.other_member).update(sector=agri, organization=None)
    zhouwei, zhouzhengfu, zizhiqu = p.recipients

    clock.set_to(datetime.date(2025, 6, 2))
    walk(p, "adopted", title="去年的信息")  # 2025: counted in no 2026 figure
    clock.set_to(datetime.date(2026, 3, 2))
    r = {}
    r[1] = walk(p, "adopted", title="R1")  # → 州委 + 州政府; adopted by 州委 (prefecture); 1 instruction (prefecture)
    r[2] = walk(p, "approved", title="R2")
    r[2] = act(r[2], p.staff, "forward", recipients=[zhouwei.pk, zizhiqu.pk])
    r[2] = act(r[2], p.staff, "record_adoption", recipient=zizhiqu.pk, level="province", kind="single")
    r[2] = act(r[2], p.staff, "record_adoption", recipient=zhouwei.pk, level="prefecture", kind="single")
    r[2] = act(r[2], p.staff, "record_adoption", recipient=zhouwei.pk, level="prefecture", kind="single")  # twice: one
    r[2] = act(r[2], p.staff, "record_instruction", level="province", leader="甲", date="2026-03-05", text="阅")
    r[2] = act(r[2], p.staff, "record_instruction", level="national", leader="乙", date="2026-03-06", text="阅")
    r[3] = walk(p, "forwarded", title="R3", author=p.other_member)  # forwarded, never adopted
    r[4] = walk(p, "declined", title="R4", author=p.other_member)
    r[5] = walk(p, "returned", title="R5")
    r[6] = walk(p, "submitted", title="R6")
    r[7] = walk(p, "draft", title="R7")  # not received
    r[8] = walk(p, "submitted", title="R8", author=p.other_member)
    r[8] = act(r[8], p.other_member, "withdraw")  # not received
    r[9] = walk(p, "submitted", title="R9")
    r[10] = walk(p, "submitted", title="R10", author=p.other_member)
    c = services.opinion_combine(actor=p.staff, reports=[r[9], r[10]], title="C", body="综合。")
    c = act(c, p.staff, "send_for_approval")
    c = act(c, p.leader, "approve")
    c = act(c, p.staff, "forward", recipients=[national.pk])
    c = act(c, p.staff, "record_adoption", recipient=national.pk, level="national", kind="combined")
    r[11] = walk(p, "editing", title="R11")
    r[12] = services.opinion_create(actor=p.staff, committee=committee, title="R12", body="民革的信息。",
                                    submitter_kind="organization", organization=minge)
    r[12] = act(r[12], p.staff, "submit")
    return p


EXPECTED = {
    "received": 10,  # R1 R2 R3 R4 R5 R6 R9 R10 R11 R12 (not R7 draft, R8 withdrawn, C combined)
    "pending": 4,  # R5 returned, R6 submitted, R11 editing, R12 submitted
    "returned": 1,  # R5
    "edited": 5,  # R1 R2 R3 R11 (staff edits on the way) and C (its combined text)
    "combined": 2,  # R9 R10
    "combined_reports": 1,  # C
    "declined": 1,  # R4
    "forwarded": 4,  # R1 R2 R3 C
    "forwardings": 7,  # R1 ×2, R2 ×2, R3 ×2, C ×1
    "bulletins": 4,  # one new issue per forwarding above (2026)
    "adopted": 3,  # R1 R2 C
    "adopted_prefecture": 2,  # R1 R2
    "adopted_province": 1,  # R2
    "adopted_national": 1,  # C
    "adoptions": 4,  # R1 ×1, R2 ×2 (the repeated one is one record), C ×1
    "instructions": 3,  # R1 (prefecture), R2 (province, national)
    "instructions_prefecture": 1,
    "instructions_province": 1,
    "instructions_national": 1,
    "instructed": 2,  # R1 R2
}


def test_every_figure_of_the_year_counted_by_hand(year, committee):
    stats = opinion_statistics(committee, year=2026)
    assert {k: stats[k] for k in EXPECTED} == EXPECTED
    assert stats["adoption_rate"] == 0.75  # 3 adopted / 4 forwarded
    assert stats["adoption_rate_display"] == "75%"
    assert stats["forward_rate"] == round(4 / 9, 4)  # 4 / (10 received − 2 combined + 1 combined report)
    assert stats["by_level"] == [
        {"key": "prefecture", "label": str(Level.PREFECTURE.label), "adopted": 2, "adoptions": 2, "instructions": 1},
        {"key": "province", "label": str(Level.PROVINCE.label), "adopted": 1, "adoptions": 1, "instructions": 1},
        {"key": "national", "label": str(Level.NATIONAL.label), "adopted": 1, "adoptions": 1, "instructions": 1},
    ]


def _rows(rows):
    return {r["key"] or "(none)": (r["received"], r["forwarded"], r["adopted"], r["instructions"]) for r in rows}


def test_by_sector_and_by_party(year, committee):
    stats = opinion_statistics(committee, year=2026)
    # 经济界 (王委员): R1 R2 R5 R6 R9 R11 received; R1 R2 C forwarded and adopted; 3 instructions
    # 农业界 (赵委员): R3 R4 R10 received; R3 forwarded; (none): R12 of 民革
    assert _rows(stats["by_sector"]) == {"经济界": (6, 3, 3, 3), "农业界": (3, 1, 0, 0), "(none)": (1, 0, 0, 0)}
    assert [r["key"] for r in stats["by_sector"]] == ["经济界", "农业界", ""]
    assert stats["by_sector"][0]["adoption_rate"] == 1.0
    # the submitting party, else the member's party: 民盟 (王委员), 民革 (R12), none (赵委员)
    assert _rows(stats["by_organization"]) == {
        "民盟昌吉州委员会": (6, 3, 3, 3), "(none)": (3, 1, 0, 0), "民革昌吉州委员会": (1, 0, 0, 0)}


def test_other_years_and_all_years(year, committee):
    last = opinion_statistics(committee, year=2025)
    assert (last["received"], last["forwarded"], last["adopted"], last["instructions"], last["bulletins"]) == (1, 1, 1, 1, 1)
    every = opinion_statistics(committee)
    assert every["received"] == 11 and every["adopted"] == 4 and every["bulletins"] == 5
    assert opinion_statistics(committee, year=2020)["adoption_rate"] is None  # nothing forwarded


def test_a_fixed_number_of_queries(year, committee):
    with CaptureQueriesContext(connection) as small:
        opinion_statistics(committee, year=2025)
    with CaptureQueriesContext(connection) as large:
        opinion_statistics(committee, year=2026)
    assert len(small) == len(large) <= 10


def test_the_command_prints_json_and_a_table(year):
    out = io.StringIO()
    call_command("stats", "opinions", "--committee", "changji", "--year", "2026", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert {k: data[k] for k in ("received", "forwarded", "adopted", "instructions")} == {
        "received": 10, "forwarded": 4, "adopted": 3, "instructions": 3}
    assert data["adoption_rate"] == 0.75
    out = io.StringIO()
    call_command("stats", "opinions", "--committee", "changji", "--year", "2026", stdout=out)
    assert "75%" in out.getvalue() and "经济界" in out.getvalue()


def test_the_page_and_its_export(year):
    p = year
    url = reverse("reports:opinions")
    page = client_for(p.staff).get(url + "?year=2026")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="figure-received"><span class="stat-value">10<' in html
    assert "经济界" in html and "民革昌吉州委员会" in html
    assert client_for(p.leader).get(url).status_code == 200
    assert client_for(p.member).get(url).status_code == 404
    assert client_for(p.staff).get(url + "?year=abc").status_code == 200  # an odd year: the form's error, no 500
    export = client_for(p.staff).get(reverse("reports:opinions_export") + "?year=2026")
    assert export.status_code == 200
    workbook = load_workbook(io.BytesIO(export.content))
    overview = {row[0]: row[1] for row in workbook.worksheets[0].iter_rows(min_row=3, values_only=True)}
    assert 10 in overview.values() and 0.75 in overview.values()  # the adoption rate a number …
    rate = next(c for c in workbook.worksheets[0]["B"] if c.value == 0.75)
    assert rate.number_format == "0.0%"  # … shown as a percentage
    assert client_for(p.member).get(reverse("reports:opinions_export")).status_code == 404


def test_hostile_names_come_out_as_text_on_the_page_the_export_and_the_command(committee):
    p = people(committee)
    name = '<script>alert("界别")</script> \'q\' {{ 7*7 }}'
    Member.objects.filter(user=p.member).update(sector=SectorFactory(committee=committee, name=name),
                                                organization=OrganizationFactory(committee=committee, name=name))
    clock.set_to(datetime.date(2026, 3, 2))
    walk(p, "adopted")
    html = client_for(p.staff).get(reverse("reports:opinions") + "?year=2026").content.decode()
    assert name not in html and "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;界别&quot;)&lt;/script&gt; &#x27;q&#x27; {{ 7*7 }}" in html
    export = client_for(p.staff).get(reverse("reports:opinions_export") + "?year=2026")
    sheets = load_workbook(io.BytesIO(export.content)).worksheets
    labels = {row[0] for sheet in sheets[2:4] for row in sheet.iter_rows(min_row=3, values_only=True)}
    assert name in labels
    out = io.StringIO()
    call_command("stats", "opinions", "--committee", "changji", "--year", "2026", "--json", stdout=out)
    assert json.loads(out.getvalue())["by_sector"][0]["label"] == name
