"""The committee's score table (履职档案 list): totals, bands and ranks (committee, sector, special committee),
filters, sorts, pages, search, Excel; fixed queries at two sizes; who may see it."""

import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from xieshang.core.models import SpecialCommittee
from xieshang.core.tests.factories import MemberFactory, SectorFactory, UserFactory, grant
from xieshang.members import selectors, services

from .factories import make_people, record
from .test_views import browser, put

pytestmark = pytest.mark.django_db

URL = reverse("members:list")


@pytest.fixture
def people(committee):
    people = make_people(committee)
    people.sector = SectorFactory(committee=committee, name="经济界")
    people.special = SpecialCommittee.objects.create(committee=committee, name="提案委员会")
    for m in (people.member, people.other):
        m.sector = people.sector
        m.save()
    people.member.special_committees.add(people.special)
    put(people)
    record(people.member, "opinion.submitted", 5)  # 10
    record(people.other, "opinion.submitted", 2)  # 4
    return people


def _more_members(people, n):
    for i in range(n):
        user = UserFactory()
        grant(user, people.committee, "member")
        member = MemberFactory(committee=people.committee, user=user, sector=people.sector)
        member.special_committees.add(people.special)
        record(member, "opinion.submitted", i % 3)


def test_ranks_in_committee_sector_and_special_committee(people):
    table = selectors.committee_scores(people.staff, people.committee, 2026)
    mine, other = table.row_of(people.member.pk), table.row_of(people.other.pk)
    assert (mine.total, mine.band, mine.rank, mine.sector_rank, mine.sector_size) == (10, "不称职", 1, 1, 2)
    assert mine.special == [("提案委员会", 1, 1)]
    assert (other.total, other.rank, other.sector_rank) == (4, 2, 2)


def test_equal_totals_share_a_rank(people):
    record(people.other, "opinion.submitted", 3)
    table = selectors.committee_scores(people.staff, people.committee, 2026)
    assert table.row_of(people.member.pk).rank == table.row_of(people.other.pk).rank == 1


def test_list_for_office_and_leaders_only(people):
    for user in (people.staff, people.admin, people.leader):
        page = browser(user).get(URL + "?year=2026")
        assert page.status_code == 200
        html = page.content.decode()
        assert html.count('data-testid="member-score"') == 2
        assert reverse("members:member_duty", args=[people.member.pk]) in html
    for user in (people.member_user, people.unit):
        assert browser(user).get(URL + "?year=2026").status_code == 404


def test_list_filters_sort_search_and_pages(people):
    _more_members(people, 3)
    client = browser(people.staff)
    html = client.get(URL + f"?year=2026&q={people.other.name}").content.decode()
    assert html.count('data-testid="member-score"') == 1 and people.other.name in html
    assert client.get(URL + "?year=2026&band=称职").content.decode().count('data-testid="member-score"') == 0
    html = client.get(URL + f"?year=2026&special={people.special.pk}").content.decode()
    assert html.count('data-testid="member-score"') == 4 and people.other.name not in html
    html = client.get(URL + "?year=2026&sort=-rank").content.decode()
    rows = html.split('data-testid="member-score"')[1:]
    assert people.member.name in rows[-1]
    html = client.get(URL + "?year=2026&page_size=10&page=1&sort=rank").content.decode()
    assert people.member.name in html.split('data-testid="member-score"')[1]
    assert client.get(URL + "?year=2026&sort=nonsense&page=x&sector=abc").status_code == 200


def test_list_excel_has_title_frozen_header_and_numbers(people):
    services.score_adjust(actor=people.leader, committee=people.committee, member=people.other.pk, year=2026,
                          points="2.5", reason="调研报告质量高")
    response = browser(people.staff).get(URL + "?year=2026&format=xlsx")
    assert response.status_code == 200
    ws = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert "2026" in ws["A1"].value
    assert ws.freeze_panes == "A3"
    header = [c.value for c in ws[2]]
    rows = {r[1]: dict(zip(header, r)) for r in ws.iter_rows(min_row=3, values_only=True)}
    other = rows[people.other.name]
    assert other["Total"] == 6.5 and other["Adjustment"] == 2.5 and other["Computed"] == 4
    assert rows[people.member.name]["Rank"] == 1


def test_list_queries_do_not_grow_with_members(people):
    client = browser(people.staff)
    client.get(URL + "?year=2026")
    with CaptureQueriesContext(connection) as small:
        client.get(URL + "?year=2026")
    _more_members(people, 12)
    with CaptureQueriesContext(connection) as large:
        assert client.get(URL + "?year=2026").content.decode().count('data-testid="member-score"') == 14
    assert len(large) == len(small)


def test_member_page_queries_do_not_grow_with_members(people):
    client = browser(people.staff)
    url = reverse("members:member_duty", args=[people.member.pk]) + "?year=2026"
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    _more_members(people, 10)
    with CaptureQueriesContext(connection) as large:
        html = client.get(url).content.decode()
    assert 'data-testid="duty-rank">1<' in html
    assert len(large) == len(small)


def test_list_without_rules_lists_members_without_scores(people):
    page = browser(people.staff).get(URL + "?year=2025")
    html = page.content.decode()
    assert 'data-testid="duty-no-rules"' in html and html.count('data-testid="member-score"') == 2


def test_hostile_names_on_the_list_and_excel(people):
    people.other.name = '<script>alert(1)</script>=1+1'
    people.other.save()
    people.sector.name = "<b>界</b>"
    people.sector.save()
    client = browser(people.staff)
    html = client.get(URL + "?year=2026").content.decode()
    assert "<script>alert(1)" not in html and "&lt;script&gt;" in html and "<b>界</b>" not in html
    ws = openpyxl.load_workbook(io.BytesIO(client.get(URL + "?year=2026&format=xlsx").content)).active
    names = [r[1] for r in ws.iter_rows(min_row=3, values_only=True)]
    assert people.other.name in names  # text, never a formula
