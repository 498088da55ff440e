"""Facts added by hand (补录), a member's query about a fact (质疑) and a leader's adjustment: services (who may,
what is refused, the ledger, the audit, the notification), the API, the member's page per role, bad input kept,
hostile text shown as text."""

import datetime
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from xieshang.api.tests.conftest import ApiClient, issue_token
from xieshang.core.errors import Forbidden, Invalid, NotFound
from xieshang.core.models import DutyFact, Event, Notification
from xieshang.core.tests.factories import CommitteeFactory, MemberFactory, TermFactory, UserFactory, grant
from xieshang.members import selectors, services
from xieshang.members.models import FactQuery, ManualFact, ScoreAdjustment

from .factories import make_people, record
from .test_views import browser, put

pytestmark = pytest.mark.django_db
DAY = datetime.date(2026, 5, 4)


@pytest.fixture
def people(committee):
    people = make_people(committee)
    put(people)
    return people


def add(people, **kw):
    values = {"actor": people.staff, "committee": people.committee, "member": people.member.pk,
              "kind": "research", "quantity": "1", "occurred_on": DAY, "note": "参加省政协专题调研"}
    values.update(kw)
    return services.manual_fact_add(**values)


def _stranger(people):
    other = CommitteeFactory()
    TermFactory(committee=other)
    user = UserFactory()
    grant(user, other, "member")
    return MemberFactory(committee=other, user=user)


# --- Services ------------------------------------------------------------------------------------------


def test_hand_fact_is_in_the_ledger_scored_marked_and_audited(people):
    row = add(people, kind="opinion_submitted", quantity="2")
    fact = DutyFact.objects.get(member=people.member)
    assert fact.kind == "members.manual.opinion_submitted" and fact.note == "参加省政协专题调研"
    assert fact.quantity == 2 and fact.object_id == row.pk
    duty = selectors.member_duty(people.staff, people.member.pk, 2026)
    assert duty.result.total == 2  # one fact: 1 item × 2 points (its quantity is not the item count)
    assert Event.objects.filter(action="duty_fact.add", object_id=str(row.pk)).count() == 1


def test_hand_fact_refusals(people):
    for user in (people.leader, people.member_user, people.unit):
        with pytest.raises(Forbidden):
            add(people, actor=user)
    with pytest.raises(NotFound):
        add(people, member=_stranger(people).pk)
    with pytest.raises(Invalid) as exc:
        add(people, kind="bribe", quantity="-1", occurred_on="2026-13-01", note="  ")
    assert set(exc.value.field_errors) == {"kind", "quantity", "date", "note"}
    with pytest.raises(Invalid) as exc:
        add(people, quantity="1.005")
    assert "quantity" in exc.value.field_errors
    assert not ManualFact.objects.exists() and not DutyFact.objects.exists()


def test_hand_fact_with_attachment_and_bad_attachment(people):
    good = SimpleUploadedFile("证书.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    row = add(people, attachment=good)
    from xieshang.core.attachments import attachments_of

    assert attachments_of(row).count() == 1
    bad = SimpleUploadedFile("x.exe", b"MZ\x90\x00", content_type="application/octet-stream")
    with pytest.raises(Invalid) as exc:
        add(people, attachment=bad)
    assert "attachment" in exc.value.field_errors and ManualFact.objects.count() == 1


def test_query_only_own_fact_is_recorded_audited_and_tells_the_office(people, django_capture_on_commit_callbacks):
    record(people.member, "opinion.submitted")
    record(people.other, "opinion.submitted")
    mine = DutyFact.objects.get(member=people.member)
    theirs = DutyFact.objects.get(member=people.other)
    with pytest.raises(NotFound):
        services.fact_query_add(actor=people.member_user, committee=people.committee, fact_id=theirs.pk, note="x")
    with pytest.raises(NotFound):
        services.fact_query_add(actor=people.staff, committee=people.committee, fact_id=mine.pk, note="x")
    with pytest.raises(Invalid):
        services.fact_query_add(actor=people.member_user, committee=people.committee, fact_id=mine.pk, note=" ")
    with django_capture_on_commit_callbacks(execute=True):
        row = services.fact_query_add(actor=people.member_user, committee=people.committee, fact_id=mine.pk,
                                      note="这条信息是与他人联名的")
    assert row.member == people.member and row.fact == mine
    assert Event.objects.filter(action="duty_fact.query").count() == 1
    assert Notification.objects.filter(recipient=people.staff, kind="duty.query").count() == 1


def test_adjustment_leaders_only_added_to_the_total(people):
    record(people.member, "opinion.submitted", 2)  # 4
    for user in (people.staff, people.admin, people.member_user):
        with pytest.raises(Forbidden):
            services.score_adjust(actor=user, committee=people.committee, member=people.member.pk, year=2026,
                                  points="3", reason="x")
    with pytest.raises(NotFound):
        services.score_adjust(actor=people.leader, committee=people.committee, member=_stranger(people).pk,
                              year=2026, points="3", reason="x")
    with pytest.raises(Invalid) as exc:
        services.score_adjust(actor=people.leader, committee=people.committee, member=people.member.pk,
                              year=2026, points="0", reason="")
    assert set(exc.value.field_errors) == {"points", "reason"}
    services.score_adjust(actor=people.leader, committee=people.committee, member=people.member.pk, year=2026,
                          points="-1.5", reason="无故缺席专题协商会")
    duty = selectors.member_duty(people.member_user, people.member.pk, 2026)
    assert duty.result.total == 4 and duty.score.total == 2.5 and duty.score.adjustment == -1.5
    assert [a.reason for a in duty.adjustments] == ["无故缺席专题协商会"]
    assert Event.objects.filter(action="duty_score.adjust").count() == 1


# --- API -------------------------------------------------------------------------------------------------


def post_record(user, body):
    api = ApiClient(issue_token(user), lang="en")
    return api.client.post("/api/v1/duty/records", json.dumps(body), content_type="application/json",
                           headers=api.headers({}))


def test_api_records(people):
    body = {"member": people.member.pk, "kind": "commendation", "quantity": 1, "date": "2026-06-01",
            "note": "获评优秀政协委员"}
    answer = post_record(people.staff, body)
    assert answer.status_code == 201, answer.json()
    assert answer.json()["ledger_kind"] == "members.manual.commendation"
    assert post_record(people.member_user, body).status_code == 403
    assert post_record(people.staff, {**body, "member": _stranger(people).pk}).status_code == 404
    bad = post_record(people.staff, {**body, "kind": "nonsense", "note": ""})
    assert bad.status_code == 422 and "kind" in json.dumps(bad.json())
    assert ManualFact.objects.count() == 1


def test_api_scores(people):
    record(people.member, "opinion.submitted", 3)
    api = ApiClient(issue_token(people.leader), lang="en")
    answer = api.get("duty/scores?year=2026")
    assert answer.status_code == 200
    first = answer.json()["members"][0]
    assert first["member"] == people.member.pk and first["total"] == 6 and first["rank"] == 1
    assert ApiClient(issue_token(people.member_user), lang="en").get("duty/scores?year=2026").status_code == 404


# --- The member's page ----------------------------------------------------------------------------------


def test_page_forms_per_role(people):
    url = reverse("members:member_duty", args=[people.member.pk]) + "?year=2026"
    staff = browser(people.staff).get(url).content.decode()
    assert 'data-testid="fact-add-form"' in staff and 'data-testid="adjust-form"' not in staff
    leader = browser(people.leader).get(url).content.decode()
    assert 'data-testid="adjust-form"' in leader and 'data-testid="fact-add-form"' not in leader
    record(people.member, "opinion.submitted")
    mine = browser(people.member_user).get(reverse("members:my_duty") + "?year=2026").content.decode()
    assert 'data-testid="fact-query-form"' in mine and 'data-testid="fact-add-form"' not in mine
    assert 'data-testid="fact-query-form"' not in browser(people.staff).get(url).content.decode()


def test_page_add_fact_marks_it_and_bad_input_keeps_what_was_typed(people):
    client = browser(people.staff)
    url = reverse("members:fact_add", args=[people.member.pk])
    bad = client.post(url, {"year": "2026", "kind": "research", "quantity": "abc", "date": "2026-05-04",
                            "note": "专题调研：<b>河道</b>"})
    assert bad.status_code == 422
    html = bad.content.decode()
    assert "abc" in html and "专题调研：&lt;b&gt;河道&lt;/b&gt;" in html and 'value="research" selected' in html
    ok = client.post(url, {"year": "2026", "kind": "research", "quantity": "1", "date": "2026-05-04",
                           "note": "专题调研：<b>河道</b>"})
    assert ok.status_code == 302
    page = client.get(ok["Location"]).content.decode()
    assert 'data-testid="by-hand"' in page and "<b>河道</b>" not in page
    assert browser(people.leader).post(url, {"kind": "research", "quantity": "1", "date": "2026-05-04",
                                             "note": "x"}).status_code == 403
    assert ManualFact.objects.count() == 1


def test_page_adjust_and_query(people):
    record(people.member, "opinion.submitted", 2)
    leader = browser(people.leader)
    url = reverse("members:adjust", args=[people.member.pk])
    bad = leader.post(url, {"year": "2026", "points": "7", "reason": ""})
    assert bad.status_code == 422 and 'value="7"' in bad.content.decode()
    assert leader.post(url, {"year": "2026", "points": "7", "reason": "<i>重点提案</i>"}).status_code == 302
    page = leader.get(reverse("members:member_duty", args=[people.member.pk]) + "?year=2026").content.decode()
    assert 'data-testid="duty-adjusted-total">11.00<' in page and "&lt;i&gt;重点提案&lt;/i&gt;" in page
    assert browser(people.staff).post(url, {"year": "2026", "points": "7", "reason": "x"}).status_code == 403
    assert ScoreAdjustment.objects.count() == 1
    fact = DutyFact.objects.filter(member=people.member).first()
    me = browser(people.member_user)
    query = reverse("members:fact_query", args=[fact.pk])
    bad = me.post(query, {"year": "2026", "note": ""})
    assert bad.status_code == 422
    assert me.post(query, {"year": "2026", "note": "<script>x</script>这条重复了"}).status_code == 302
    page = me.get(reverse("members:my_duty") + "?year=2026").content.decode()
    assert 'data-testid="duty-query"' in page and "<script>x</script>" not in page
    record(people.other, "opinion.submitted")
    other_fact = DutyFact.objects.get(member=people.other)
    assert me.post(reverse("members:fact_query", args=[other_fact.pk]), {"note": "x"}).status_code == 404
    assert FactQuery.objects.count() == 1


def test_attachment_of_a_hand_fact_linked_and_downloaded_by_who_may_see(people):
    good = SimpleUploadedFile("证书.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    add(people, attachment=good)
    page = browser(people.member_user).get(reverse("members:my_duty") + "?year=2026").content.decode()
    assert 'data-testid="fact-file"' in page and "证书.pdf" in page
    row = ManualFact.objects.get()
    from xieshang.core.attachments import attachments_of

    url = reverse("members:fact_attachment", args=[row.pk, attachments_of(row).get().pk])
    for user in (people.member_user, people.staff, people.leader):
        assert browser(user).get(url).status_code == 200
    for user in (people.other_user, people.unit):
        assert browser(user).get(url).status_code == 404


def test_procedure_steps_shown_to_readers_not_to_the_member(people):
    services.procedure_record(actor=people.staff, committee=people.committee, member=people.member.pk, year=2026,
                              step="talk", taken_on="2026-11-02", note="秘书长谈话提醒")
    staff = browser(people.staff).get(reverse("members:member_duty", args=[people.member.pk]) + "?year=2026")
    assert 'data-testid="duty-steps"' in staff.content.decode()
    mine = browser(people.member_user).get(reverse("members:my_duty") + "?year=2026")
    assert 'data-testid="duty-steps"' not in mine.content.decode()


def test_withdraw_a_hand_fact(people):
    row = add(people)
    with pytest.raises(Forbidden):
        services.manual_fact_remove(actor=people.leader, committee=people.committee, manual_fact=row.pk, reason="x")
    with pytest.raises(Invalid):
        services.manual_fact_remove(actor=people.staff, committee=people.committee, manual_fact=row.pk, reason=" ")
    url = reverse("members:fact_remove", args=[row.pk])
    page = browser(people.staff).get(reverse("members:member_duty", args=[people.member.pk]) + "?year=2026")
    assert 'data-testid="fact-remove-form"' in page.content.decode()
    assert browser(people.member_user).post(url, {"reason": "x"}).status_code == 403
    assert browser(people.staff).post(url, {"reason": "录入错误，重复补录"}).status_code == 302
    assert not ManualFact.objects.exists() and not DutyFact.objects.exists()
    assert Event.objects.get(action="duty_fact.remove").payload["reason"] == "录入错误，重复补录"


def test_api_member_duty_has_adjustments_and_standing(people):
    record(people.member, "opinion.submitted", 2)
    services.score_adjust(actor=people.leader, committee=people.committee, member=people.member.pk, year=2026,
                          points="-1", reason="缺席专题协商会")
    api = ApiClient(issue_token(people.member_user), lang="en")
    body = api.get(f"members/{people.member.pk}/duty?year=2026").json()
    assert body["total"] == 4 and body["standing"]["total"] == 3 and body["standing"]["rank"] == 1
    assert body["adjustments"][0]["reason"] == "缺席专题协商会"


# --- The office answers a query ---------------------------------------------------------------------------


def _query(people, note="这条信息是与他人联名的"):
    record(people.member, "opinion.submitted")
    fact = DutyFact.objects.get(member=people.member)
    return services.fact_query_add(actor=people.member_user, committee=people.committee, fact_id=fact.pk, note=note)


def test_answer_office_only_audited_and_tells_the_member(people, django_capture_on_commit_callbacks):
    row = _query(people)
    for user in (people.member_user, people.leader):
        with pytest.raises(Forbidden):
            services.fact_query_answer(actor=user, committee=people.committee, query_id=row.pk, answer="x")
    with pytest.raises(Invalid):
        services.fact_query_answer(actor=people.staff, committee=people.committee, query_id=row.pk, answer=" ")
    stranger = CommitteeFactory()
    grant(people.staff, stranger, "staff")
    with pytest.raises(NotFound):  # staff of another committee: the query is not theirs to see
        services.fact_query_answer(actor=people.staff, committee=stranger, query_id=row.pk, answer="x")
    with django_capture_on_commit_callbacks(execute=True):
        services.fact_query_answer(actor=people.staff, committee=people.committee, query_id=row.pk,
                                   answer="已核实,按第一提交人计分")
    row.refresh_from_db()
    assert row.answer == "已核实,按第一提交人计分" and row.answered_by == people.staff and row.answered_at
    assert Event.objects.filter(action="duty_fact.answer", object_id=str(row.pk)).count() == 1
    told = Notification.objects.filter(recipient=people.member_user, kind="duty.query")
    assert told.count() == 1 and "已核实" in told.get().body
    services.fact_query_answer(actor=people.admin, committee=people.committee, query_id=row.pk, answer="更正:计2分")
    row.refresh_from_db()
    assert row.answer == "更正:计2分" and row.answered_by == people.admin
    second = Event.objects.filter(action="duty_fact.answer").order_by("-id").first()
    assert second.payload["before"] == "已核实,按第一提交人计分" and second.payload["answer"] == "更正:计2分"


def test_answer_desk_lists_open_queries_keeps_bad_input_and_shows_the_answer_to_the_member(people):
    from django.utils.module_loading import import_string

    from xieshang.core.registry import todo_providers

    row = _query(people, note="<b>重复</b>")
    staff = browser(people.staff)
    todo_lines = [t for path in todo_providers() for t in import_string(path)(people.staff, people.committee)]
    assert any(t["count"] == 1 and t["url"] == reverse("members:queries") for t in todo_lines)
    page = staff.get(reverse("members:queries")).content.decode()
    assert page.count('data-testid="query"') == 1 and "&lt;b&gt;重复&lt;/b&gt;" in page
    bad = staff.post(reverse("members:queries"), {"query": row.pk, "answer": "x" * 501})
    assert bad.status_code == 422 and "x" * 500 in bad.content.decode()
    assert staff.post(reverse("members:queries"), {"query": row.pk, "answer": "<i>已更正</i>"}).status_code == 302
    assert 'data-testid="queries-empty"' in staff.get(reverse("members:queries")).content.decode()
    answered = staff.get(reverse("members:queries") + "?state=answered").content.decode()
    assert 'data-testid="query-answer"' in answered and "&lt;i&gt;已更正&lt;/i&gt;" in answered
    mine = browser(people.member_user).get(reverse("members:my_duty") + "?year=2026").content.decode()
    assert 'data-testid="duty-query-answer"' in mine and "&lt;i&gt;已更正&lt;/i&gt;" in mine
    assert browser(people.member_user).post(reverse("members:queries"), {"query": row.pk, "answer": "x"}).status_code == 404
    assert browser(people.leader).get(reverse("members:queries")).status_code == 404


def test_answer_through_the_api(people):
    row = _query(people)
    staff = ApiClient(issue_token(people.staff))
    listed = staff.get("/api/v1/duty/queries").json()
    assert listed["count"] == 1 and listed["items"][0]["id"] == row.pk and listed["items"][0]["answer"] == ""
    assert staff.post(f"/api/v1/duty/queries/{row.pk}/answer", {"answer": " "}).status_code == 422
    done = staff.post(f"/api/v1/duty/queries/{row.pk}/answer", {"answer": "已核实"})
    assert done.status_code == 200 and done.json()["answer"] == "已核实" and done.json()["answered_at"]
    assert staff.get("/api/v1/duty/queries").json()["count"] == 0
    assert staff.get("/api/v1/duty/queries?state=answered").json()["count"] == 1
    assert staff.get("/api/v1/duty/queries?state=nonsense").status_code == 422
    assert staff.post("/api/v1/duty/queries/999999/answer", {"answer": "x"}).status_code == 404
    member = ApiClient(issue_token(people.member_user))
    assert member.get("/api/v1/duty/queries").status_code == 404
    assert member.post(f"/api/v1/duty/queries/{row.pk}/answer", {"answer": "x"}).status_code == 403
