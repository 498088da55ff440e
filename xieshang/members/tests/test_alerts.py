"""预警: below the pass line at mid-year and year's end, absent twice in a row without leave, no proposal or report
by the committee's date; the date, reminders and the non-performance procedure (services, page, API), fixed
queries, bad input kept, hostile text as text."""

import datetime
import json

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from xieshang.api.tests.conftest import ApiClient, issue_token
from xieshang.core import clock
from xieshang.core.errors import Forbidden, Invalid, NotFound
from xieshang.core.models import DutyFact, Event, Notification
from xieshang.core.tests.factories import MemberFactory, SectorFactory, UserFactory, grant
from xieshang.members import alerts, services
from xieshang.members.models import ProcedureStep

from .factories import make_people, record
from .test_views import browser, put

pytestmark = pytest.mark.django_db
URL = reverse("members:alerts")


@pytest.fixture
def people(committee):
    people = make_people(committee)
    put(people)  # TABLE_ZERO: bands 85 / 60 / 50 / null → pass line 50
    record(people.member, "opinion.submitted", 5)  # 10
    record(people.other, "opinion.adopted.province", 3)  # 24
    record(people.other, "opinion.submitted", 5)  # → the category's cap 25
    record(people.other, "proposal.lead", 5)  # 30
    record(people.other, "grassroots.activity", 8)  # cap 15 → 70
    return people


def attendance(member, kind, on):
    """A consultation attendance fact (written directly: the consultation app need not be installed)."""
    sector = SectorFactory(committee=member.committee)
    DutyFact.objects.create(member=member, committee=member.committee, kind=kind, occurred_on=on,
                            content_type=ContentType.objects.get_for_model(sector), object_id=sector.pk)


def reasons(people, year=2026):
    return {a.row.member.pk: a.reasons for a in alerts.compute(people.committee, year).alerts}


def test_year_end_and_mid_year_lines(people):
    clock.set_to(datetime.date(2026, 5, 1))
    assert alerts.compute(people.committee, 2026).checkpoint == "" and reasons(people) == {}
    clock.set_to(datetime.date(2026, 8, 1))
    record(people.member, "opinion.adopted.national", 2, on=datetime.date(2026, 7, 15))  # after 30 June
    found = alerts.compute(people.committee, 2026)
    assert (found.checkpoint, found.pass_line, found.line) == ("mid", 50, 25)
    assert reasons(people) == {people.member.pk: ["low_mid"]}
    clock.set_to(datetime.date(2027, 1, 5))
    assert reasons(people) == {people.member.pk: ["low_year"]}  # 10 + 25 (the cap) = 35, below 50


def test_absent_twice_in_a_row(people):
    clock.set_to(datetime.date(2026, 5, 1))
    attendance(people.member, "consultation.plenary.absent", datetime.date(2026, 1, 10))
    attendance(people.member, "consultation.standing.leave", datetime.date(2026, 2, 10))
    attendance(people.member, "consultation.standing.absent", datetime.date(2026, 3, 10))
    assert reasons(people) == {}
    attendance(people.other, "consultation.plenary.absent", datetime.date(2025, 12, 20))
    attendance(people.other, "consultation.standing.absent", datetime.date(2026, 1, 20))
    attendance(people.member, "consultation.plenary.absent", datetime.date(2026, 4, 10))
    assert reasons(people) == {people.member.pk: ["absent"], people.other.pk: ["absent"]}
    assert reasons(people, 2025) == {}


def test_no_output_by_the_committee_date(people):
    clock.set_to(datetime.date(2026, 5, 1))
    services.alert_setting_put(actor=people.staff, committee=people.committee, year=2026, output_due="2026-04-30")
    assert reasons(people) == {}  # both submitted on 1 March
    services.alert_setting_put(actor=people.staff, committee=people.committee, year=2026, output_due="2026-02-01")
    assert reasons(people) == {people.member.pk: ["no_output"], people.other.pk: ["no_output"]}
    with pytest.raises(Invalid) as exc:
        services.alert_setting_put(actor=people.staff, committee=people.committee, year=2026, output_due="2025-02-01")
    assert "output_due" in exc.value.field_errors
    with pytest.raises(Forbidden):
        services.alert_setting_put(actor=people.leader, committee=people.committee, year=2026, output_due="")
    services.alert_setting_put(actor=people.staff, committee=people.committee, year=2026, output_due="")
    assert reasons(people) == {}
    assert Event.objects.filter(action="duty_alert.setting").count() == 3


def test_remind_only_members_on_the_list(people, django_capture_on_commit_callbacks):
    clock.set_to(datetime.date(2027, 1, 5))
    with pytest.raises(Forbidden):
        services.alerts_remind(actor=people.leader, committee=people.committee, year=2026,
                               member_ids=[people.member.pk])
    with django_capture_on_commit_callbacks(execute=True):
        sent = services.alerts_remind(actor=people.staff, committee=people.committee, year=2026,
                                      member_ids=[people.member.pk, people.other.pk])
    assert sent == 1
    assert Notification.objects.filter(recipient=people.member_user, kind="duty.alert").count() == 1
    assert not Notification.objects.filter(recipient=people.other_user).exists()
    assert Event.objects.filter(action="duty_alert.remind").count() == 1


def test_procedure_in_order_once_audited(people):
    def step(name, **kw):
        values = {"actor": people.staff, "committee": people.committee, "member": people.member.pk, "year": 2026,
                  "step": name, "taken_on": "2026-11-02", "note": "主席会议成员谈话"}
        values.update(kw)
        return services.procedure_record(**values)

    with pytest.raises(Invalid) as exc:
        step("notice")
    assert "step" in exc.value.field_errors
    with pytest.raises(Invalid) as exc:
        step("talk", taken_on="x", note="")
    assert set(exc.value.field_errors) == {"taken_on", "note"}
    with pytest.raises(Forbidden):
        step("talk", actor=people.leader)
    step("talk")
    with pytest.raises(Invalid):
        step("talk")
    step("notice")
    step("resign")
    assert [s.step for s in ProcedureStep.objects.order_by("id")] == ["talk", "notice", "resign"]
    assert Event.objects.filter(action="duty_procedure.record").count() == 3


def test_page_office_only_lists_and_reminds(people, django_capture_on_commit_callbacks):
    clock.set_to(datetime.date(2027, 1, 5))
    for user in (people.leader, people.member_user, people.unit):
        assert browser(user).get(URL + "?year=2026").status_code == 404
    client = browser(people.staff)
    html = client.get(URL + "?year=2026").content.decode()
    assert html.count('data-testid="alert"') == 1 and people.member.name in html
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(URL, {"year": "2026", "op": "remind", "members": [str(people.member.pk)]})
    assert sent.status_code == 302
    assert Notification.objects.filter(recipient=people.member_user, kind="duty.alert").count() == 1
    bad = client.post(URL, {"year": "2026", "op": "setting", "output_due": "2025-13-40"})
    assert bad.status_code == 422 and "2025-13-40" in bad.content.decode()


def test_page_procedure_bad_input_kept_and_hostile_text(people):
    clock.set_to(datetime.date(2027, 1, 5))
    client = browser(people.staff)
    url = reverse("members:procedure", args=[people.member.pk])
    bad = client.post(url, {"year": "2026", "step": "talk", "taken_on": "2026-11-02", "note": ""})
    assert bad.status_code == 422
    bad = client.post(url, {"year": "2026", "step": "notice", "taken_on": "2026-11-02", "note": "<b>先通报</b>"})
    assert bad.status_code == 422 and "&lt;b&gt;先通报&lt;/b&gt;" in bad.content.decode()
    ok = client.post(url, {"year": "2026", "step": "talk", "taken_on": "2026-11-02", "note": "<script>x</script>"})
    assert ok.status_code == 302
    html = client.get(URL + "?year=2026").content.decode()
    assert "<script>x</script>" not in html and "&lt;script&gt;x&lt;/script&gt;" in html
    assert browser(people.leader).post(url, {"year": "2026", "step": "notice", "taken_on": "2026-11-03",
                                             "note": "x"}).status_code == 403


def test_page_and_api_queries_do_not_grow(people):
    clock.set_to(datetime.date(2027, 1, 5))
    client = browser(people.staff)
    client.get(URL + "?year=2026")
    with CaptureQueriesContext(connection) as small:
        client.get(URL + "?year=2026")
    for _ in range(8):
        user = UserFactory()
        grant(user, people.committee, "member")
        member = MemberFactory(committee=people.committee, user=user)
        attendance(member, "consultation.plenary.absent", datetime.date(2026, 1, 10))
        attendance(member, "consultation.plenary.absent", datetime.date(2026, 3, 10))
    with CaptureQueriesContext(connection) as large:
        assert client.get(URL + "?year=2026").content.decode().count('data-testid="alert"') == 9
    assert len(large) == len(small)


def test_api_alerts(people):
    clock.set_to(datetime.date(2027, 1, 5))
    answer = ApiClient(issue_token(people.staff), lang="en").get("duty/alerts?year=2026")
    assert answer.status_code == 200
    body = answer.json()
    assert body["checkpoint"] == "year" and body["pass_line"] == 50
    assert [a["member"] for a in body["alerts"]] == [people.member.pk] and body["alerts"][0]["reasons"] == ["low_year"]
    assert ApiClient(issue_token(people.leader), lang="en").get("duty/alerts?year=2026").status_code == 404
    assert json.dumps(body)
    with pytest.raises(NotFound):
        alerts.committee_alerts(people.member_user, people.committee, 2026)
