"""The duty screens: my duty with the arithmetic, a member's duty for the office, the rules table (save, stale
version, bad rows, try-out, Excel and JSON), hostile text shown as text."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from xieshang.members import tables
from xieshang.members.models import DutyRuleSet

from .factories import make_people, record
from .tables import TABLE_SEVENTY, TABLE_ZERO

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(committee):
    return make_people(committee)


def browser(user, lang="en"):
    c = Client(HTTP_ACCEPT_LANGUAGE=lang)
    c.force_login(user)
    c.cookies["django_language"] = lang
    return c


def put(people, document=TABLE_ZERO, version=0):
    from xieshang.members import services

    return services.duty_rules_put(actor=people.staff, committee=people.committee, year=2026, document=document,
                                   version=version)


def form_data(document, version, op="save", **extra):
    rows = tables.table_rows(document)
    data = {"year": "2026", "version": str(version), "rows": str(len(rows)), "op": op}
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"r-{i}-{key}"] = "" if value is None else str(value)
    data.update(extra)
    return data


def test_my_duty_shows_score_arithmetic_and_facts(people):
    put(people)
    record(people.member, "proposal.lead", authors=3)
    record(people.member, "opinion.submitted", 6)
    page = browser(people.member_user).get(reverse("members:my_duty") + "?year=2026")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="duty-total">13.00<' in html
    assert "6 items: 6 × 2 = 12.00; item cap 10 → 10.00" in html
    assert html.count('data-testid="duty-fact"') == 7


def test_my_duty_without_rules_and_for_non_members(people):
    record(people.member, "opinion.submitted")
    page = browser(people.member_user).get(reverse("members:my_duty") + "?year=2026")
    assert 'data-testid="duty-no-rules"' in page.content.decode()
    assert browser(people.staff).get(reverse("members:my_duty")).status_code == 404


def test_member_duty_for_readers_only(people):
    url = reverse("members:member_duty", args=[people.member.pk])
    for user in (people.staff, people.admin, people.leader, people.member_user):
        assert browser(user).get(url).status_code == 200
    for user in (people.other_user, people.unit):
        assert browser(user).get(url).status_code == 404


def test_rules_page_office_only(people):
    url = reverse("members:rules")
    assert browser(people.staff).get(url).status_code == 200
    for user in (people.leader, people.member_user, people.unit):
        assert browser(user).get(url).status_code == 404
        assert browser(user).post(url, form_data(TABLE_ZERO, 0)).status_code == 404
    assert not DutyRuleSet.objects.exists()


def test_rules_table_saves_and_reads_back(people):
    c = browser(people.staff)
    answer = c.post(reverse("members:rules"), form_data(TABLE_SEVENTY, 0))
    assert answer.status_code == 302
    from xieshang.members import rules

    assert rules.parse(DutyRuleSet.objects.get().document) == rules.parse(TABLE_SEVENTY)
    page = c.get(reverse("members:rules") + "?year=2026").content.decode()
    assert page.count('data-testid="rules-row"') == len(tables.table_rows(TABLE_SEVENTY)) + 5
    assert 'value="会议出勤（扣分）"' in page


def test_rules_table_stale_version_keeps_what_was_typed(people):
    put(people)
    put(people, TABLE_SEVENTY, version=1)
    data = form_data(TABLE_ZERO, 1)
    page = browser(people.staff).post(reverse("members:rules"), data)
    assert page.status_code == 200
    assert "Someone else changed these rules" in page.content.decode()
    assert 'value="参加会议"' in page.content.decode()
    assert DutyRuleSet.objects.get().version == 2


def test_rules_table_bad_rows_are_listed_by_row(people):
    data = form_data(TABLE_ZERO, 0)
    data["r-3-min"] = "85"  # the third band (row 4) overlaps the first
    data["r-5-cap"] = "-1"  # the first category (row 6)
    page = browser(people.staff).post(reverse("members:rules"), data).content.decode()
    assert "Row 4 最低分：bands overlap" in page
    assert "Row 6 上限：a cap must not be below zero" in page
    assert not DutyRuleSet.objects.exists()


def test_rules_try_out_does_not_save(people):
    data = form_data(TABLE_SEVENTY, 0, op="try", **{"try-proposal_registered": "3", "try-plenary_absent": "1.5"})
    page = browser(people.staff).post(reverse("members:rules"), data).content.decode()
    # registered 3, the first not counted: 2 × 5 = 10; absent 1.5 half-days × −4 = −6 → 70 − 6 + 10
    assert 'data-testid="duty-total">74.00<' in page
    assert "1.5 half-days: 1.5 × -4 = -6.00" in page
    assert not DutyRuleSet.objects.exists()


def test_rules_downloads_and_import(people):
    put(people, TABLE_SEVENTY)
    c = browser(people.staff)
    sheet = c.get(reverse("members:rules_xlsx", args=[2026]))
    assert sheet.status_code == 200 and sheet["Content-Disposition"].endswith('duty-rules-2026.xlsx"')
    js = c.get(reverse("members:rules_json", args=[2026]))
    assert js.status_code == 200 and js.json()["base"] == 70
    answer = c.post(reverse("members:rules") + "?year=2027", {
        "op": "import", "year": "2027", "version": "0", "file": SimpleUploadedFile("r.xlsx", sheet.content)})
    assert answer.status_code == 302
    answer = c.post(reverse("members:rules"), {
        "op": "import", "year": "2028", "version": "0", "file": SimpleUploadedFile("r.json", js.content)})
    assert answer.status_code == 302
    assert DutyRuleSet.objects.count() == 3
    bad = c.post(reverse("members:rules"), {
        "op": "import", "year": "2028", "version": "1", "file": SimpleUploadedFile("r.json", io.BytesIO(b"{").read())})
    assert bad.status_code == 200 and 'data-testid="rules-problems"' in bad.content.decode()


def test_hostile_names_are_text(people):
    hostile = '<script>alert(1)</script>"{{ x }}'
    document = {"base": 0, "bands": [{"name": hostile, "min": None}],
                "categories": [{"name": hostile[:60], "items": [{"kind": "activity", "points": 1, "per": "item"}]}]}
    put(people, document)
    record(people.member, "grassroots.activity")
    page = browser(people.member_user).get(reverse("members:my_duty") + "?year=2026").content.decode()
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    page = browser(people.staff).get(reverse("members:rules") + "?year=2026").content.decode()
    assert "<script>alert(1)" not in page


def test_nav_entries(people):
    assert 'href="/members/duty/"' in browser(people.member_user).get(reverse("members:my_duty")).content.decode()
    assert 'href="/members/duty/rules/"' in browser(people.staff).get(reverse("members:rules")).content.decode()
