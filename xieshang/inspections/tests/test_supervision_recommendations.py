"""Recommendations (意见建议) of democratic supervision items, the same Recommendation as an inspection's: added while
under way and numbered, one `inspections.answer` deadline each opened when the report goes out and met by the
answer, the answer dated between the report and today, close refused while one waits; through the services, the
desk and the API."""

from __future__ import annotations

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation

from xieshang.api.tests.conftest import ApiClient, issue_token
from xieshang.consultation.tests.test_views import client
from xieshang.core import clock
from xieshang.core.errors import Forbidden, IllegalTransition, Invalid, NotFound
from xieshang.core.models import Deadline
from xieshang.inspections import selectors, services
from xieshang.inspections.models import Recommendation
from xieshang.inspections.stats import figures
from xieshang.inspections.tests.factories import make_world, walk_supervision_to, walk_to

pytestmark = pytest.mark.django_db

REC = {"text": "建议州卫生健康委加快普惠托位建设。", "recipient": "州卫生健康委"}


@pytest.fixture
def w():
    return make_world()


def sact(w, item, action, data=None, actor=None):
    return services.supervision_act(actor=actor or w.staff, item=item, action=action, data=data or {})


def answer_data(rec, **fields) -> dict:
    return {"recommendation": rec.pk, "answer": "已采纳，正在落实。", "adopted": True, **fields}


def deadline_of(rec) -> Deadline:
    return Deadline.objects.get(kind="inspections.answer", object_id=rec.pk)


# --- Services ------------------------------------------------------------------------------------------------


def test_recommendations_are_numbered_per_item_and_answered_with_their_deadlines(w):
    s = walk_supervision_to("under_way", w)
    other = walk_supervision_to("under_way", w)
    sact(w, s, "add_recommendation", REC)
    sact(w, other, "add_recommendation", REC)
    s = sact(w, s, "add_recommendation", {"text": "建议建立托育服务质量评估制度。"})
    assert [(r.number, r.recipient) for r in selectors.recommendations_of(s)] == [(1, "州卫生健康委"), (2, "州政府")]
    assert [r.number for r in selectors.recommendations_of(other)] == [1]
    assert all(r.inspection_id is None and r.supervision_id == s.pk for r in s.recommendations.all())
    first, second = selectors.recommendations_of(s)
    assert not Deadline.objects.filter(kind="inspections.answer", object_id__in=[first.pk, second.pk]).exists()

    s = sact(w, s, "report", {"report_text": "监督报告。"})
    assert s.state == "reported"
    for rec in (first, second):
        d = deadline_of(rec)
        assert d.state == Deadline.State.OPEN and d.due_on == datetime.date(2026, 6, 2)
    assert selectors.deadline_url(deadline_of(first)) == reverse("inspections:supervision_item", args=[s.pk])
    with pytest.raises(IllegalTransition):  # under way only
        sact(w, s, "add_recommendation", REC)

    with translation.override("en"), pytest.raises(Invalid) as exc:
        sact(w, s, "close", {"follow_up": "已整改。"})
    assert exc.value.detail == "unanswered" and "2 recommendation(s) still wait for an answer." in str(exc.value.message)
    assert "close" not in {t.action for t in selectors.supervision_actions(w.staff, s)}

    s = sact(w, s, "answer", answer_data(first, adopted=False))
    first.refresh_from_db()
    assert first.answer == "已采纳，正在落实。" and first.adopted is False and first.answered_on == clock.today()
    assert deadline_of(first).state == Deadline.State.MET and deadline_of(second).state == Deadline.State.OPEN
    with translation.override("en"), pytest.raises(Invalid) as exc:
        sact(w, s, "close", {"follow_up": "已整改。"})
    assert "1 recommendation(s) still wait for an answer." in str(exc.value.message)
    s = sact(w, s, "answer", answer_data(second))
    s = sact(w, s, "close", {"follow_up": "已整改。"})
    assert s.state == "closed" and s.follow_up == "已整改。"
    with pytest.raises(IllegalTransition):
        sact(w, s, "answer", answer_data(first))


def test_an_item_without_recommendations_still_closes_and_offers_no_answer(w):
    s = walk_supervision_to("reported", w)
    assert not s.recommendations.exists()
    assert {t.action for t in selectors.supervision_actions(w.staff, s)} == {"close"}
    with pytest.raises(Invalid) as exc:
        sact(w, s, "answer", {"recommendation": 1, "answer": "x", "adopted": True})
    assert exc.value.detail == "no_recommendation"
    assert sact(w, s, "close", {"follow_up": "已整改。"}).state == "closed"


def test_the_answer_lies_between_the_report_and_today(w):
    s = walk_supervision_to("under_way", w)  # started 2026-03-02
    sact(w, s, "add_recommendation", REC)
    clock.set_to(datetime.date(2026, 3, 20))
    s = sact(w, s, "report", {"report_text": "监督报告。", "reported_on": "2026-03-10"})
    rec = s.recommendations.get()
    assert deadline_of(rec).due_on == datetime.date(2026, 6, 10)  # counted from the report's day
    for day in ("2026-03-09", "2026-03-21"):
        with pytest.raises(Invalid) as exc:
            sact(w, s, "answer", answer_data(rec, answered_on=day))
        assert "answered_on" in exc.value.field_errors, day
    rec.refresh_from_db()
    assert rec.answered_on is None and deadline_of(rec).state == Deadline.State.OPEN
    sact(w, s, "answer", answer_data(rec, answered_on="2026-03-10"))
    rec.refresh_from_db()
    assert rec.answered_on == datetime.date(2026, 3, 10) and deadline_of(rec).met_on == datetime.date(2026, 3, 10)


def test_bad_input_and_another_items_recommendation_are_refused(w):
    s = walk_supervision_to("under_way", w)
    with pytest.raises(Invalid) as exc:
        sact(w, s, "add_recommendation", {"text": "   "})
    assert "text" in exc.value.field_errors
    sact(w, s, "add_recommendation", REC)
    sact(w, s, "report", {"report_text": "监督报告。"})
    inspection = walk_to("report_sent", w)
    foreign = inspection.recommendations.get()
    with pytest.raises(Invalid) as exc:
        sact(w, s, "answer", answer_data(foreign))
    assert "recommendation" in exc.value.field_errors
    foreign.refresh_from_db()
    assert foreign.answered_on is None


def test_only_the_office_acts_others_are_forbidden_or_do_not_see_it(w):
    s = walk_supervision_to("under_way", w)  # w.member and w.other_member on the team
    for user, error in ((w.leader, Forbidden), (w.member, Forbidden), (w.outsider, NotFound), (w.unit, NotFound)):
        with pytest.raises(error):
            sact(w, s, "add_recommendation", REC, actor=user)
    assert not s.recommendations.exists()
    sact(w, s, "add_recommendation", REC, actor=w.admin)
    s = sact(w, s, "report", {"report_text": "监督报告。"})
    rec = s.recommendations.get()
    for user, error in ((w.leader, Forbidden), (w.member, Forbidden), (w.outsider, NotFound), (w.unit, NotFound)):
        with pytest.raises(error):
            sact(w, s, "answer", answer_data(rec), actor=user)
    rec.refresh_from_db()
    assert rec.answered_on is None


def test_the_database_wants_exactly_one_parent_and_numbers_unique_per_item(w):
    s = walk_supervision_to("under_way", w)
    i = walk_to("under_way", w)
    sact(w, s, "add_recommendation", REC)
    for fields in ({}, {"inspection": i, "supervision": s}, {"supervision": s, "number": 1}):
        with pytest.raises(IntegrityError), transaction.atomic():
            Recommendation.objects.create(committee=w.committee, number=fields.pop("number", 9), text="x",
                                          recipient="y", **fields)
    Recommendation.objects.create(committee=w.committee, inspection=i, number=1, text="x", recipient="y")


def test_figures_search_and_todo_count_supervision_recommendations(w):
    walk_to("closed", w)  # one inspection recommendation, answered and adopted
    s = walk_supervision_to("under_way", w)
    for text in ("建议扩大托育补贴覆盖面。", "建议完善托育机构监管。", "建议培养托育专业人才。"):
        sact(w, s, "add_recommendation", {"text": text})
    s = sact(w, s, "report", {"report_text": "监督报告。"})
    first, second, _third = selectors.recommendations_of(s)
    sact(w, s, "answer", answer_data(first))
    sact(w, s, "answer", answer_data(second, adopted=False))
    under_way = walk_supervision_to("under_way", w)
    sact(w, under_way, "add_recommendation", REC)  # not reported: not counted
    got = figures(w.committee, 2026)
    assert (got["recommendations"], got["recommendations_answered"], got["recommendations_adopted"]) == (1, 1, 1)
    assert (got["supervision_recommendations"], got["supervision_recommendations_answered"],
            got["supervision_recommendations_adopted"]) == (3, 2, 1)

    from xieshang.core import search

    qs = selectors.supervision_visible_to(w.staff, w.committee)
    assert list(search.filter_by_text(qs, "supervision", "托育专业人才").values_list("pk", flat=True)) == [s.pk]

    clock.set_to(datetime.date(2026, 7, 1))  # the third's deadline (2026-06-02) has passed
    with translation.override("en"):
        todos = {t["label"]: t for t in selectors.todos_for(w.staff, w.committee)}
    line = todos["Supervision recommendations overdue for an answer"]
    assert line["count"] == 1 and line["url"].endswith("?state=reported")
    assert "Recommendations overdue for an answer" not in todos  # the inspection's is answered


# --- The desk -------------------------------------------------------------------------------------------------


def test_the_desk_adds_shows_and_answers_recommendations_and_keeps_refused_input(w):
    s = walk_supervision_to("under_way", w)
    staff = client(w.staff)
    url = reverse("inspections:supervision_item", args=[s.pk])
    act = lambda a: reverse("inspections:supervision_act", args=[s.pk, a])  # noqa: E731
    page = staff.get(url).content.decode()
    assert 'data-testid="add_recommendation-form"' in page and 'data-testid="recommendations"' in page
    assert 'data-testid="add_recommendation-form"' not in client(w.leader).get(url).content.decode()

    r = staff.post(act("add_recommendation"), {"add_recommendation-text": "",
                                               "add_recommendation-recipient": "州卫生健康委<b>"})
    assert r.status_code == 422 and "州卫生健康委&lt;b&gt;" in r.content.decode()
    assert not s.recommendations.exists()
    r = staff.post(act("add_recommendation"), {"add_recommendation-text": "建议增加普惠托位<供给>",
                                               "add_recommendation-recipient": "州卫生健康委"})
    assert r.status_code == 302
    assert staff.post(act("report"), {"report-report_text": "监督报告。"}).status_code == 302
    rec = s.recommendations.get()
    page = staff.get(url).content.decode()
    assert "建议增加普惠托位&lt;供给&gt;" in page and f'data-testid="answer-form-{rec.number}"' in page
    assert 'data-testid="close-form"' not in page and 'data-testid="close-waits"' in page

    r = staff.post(act("answer"), {"answer-recommendation": rec.pk, "answer-answer": "已采纳，列入整改清单。",
                                   "answer-answered_on": "2026-03-03", "answer-adopted": "1"})
    page = r.content.decode()
    assert r.status_code == 422 and "已采纳，列入整改清单。" in page and "The date cannot be in the future" in page
    rec.refresh_from_db()
    assert rec.answered_on is None
    r = staff.post(act("answer"), {"answer-recommendation": rec.pk, "answer-answer": "已采纳，列入整改清单。",
                                   "answer-adopted": "0"})
    assert r.status_code == 302
    page = client(w.member).get(url).content.decode()  # the team reads it, without forms
    assert 'data-answered="1"' in page and "已采纳，列入整改清单。" in page and "answer-form-" not in page
    assert client(w.leader).post(act("answer"), {"answer-recommendation": rec.pk, "answer-answer": "x",
                                                 "answer-adopted": "1"}).status_code == 403
    assert client(w.outsider).post(act("answer"), {}).status_code == 404
    page = staff.get(url).content.decode()
    assert 'data-testid="close-form"' in page
    assert staff.post(act("close"), {"close-follow_up": "已整改。"}).status_code == 302
    s.refresh_from_db()
    assert s.state == "closed"
    rows = staff.get(reverse("inspections:supervision")).content.decode()
    assert 'data-testid="supervision-recommendations">1/1<' in rows


# --- The API --------------------------------------------------------------------------------------------------


def test_the_api_adds_and_answers_supervision_recommendations(w):
    s = walk_supervision_to("under_way", w)
    staff = ApiClient(issue_token(w.staff))
    base = f"consultation/supervision/{s.pk}"
    body = staff.get(base).json()
    assert body["recommendations"] == [] and "add_recommendation" in {a["action"] for a in body["available_actions"]}
    r = staff.post(f"{base}/actions/add_recommendation", {"text": ""})
    assert r.status_code == 422 and "text" in r.json()["fields"]
    r = staff.post(f"{base}/actions/add_recommendation", REC)
    assert r.status_code == 200
    rec = r.json()["recommendations"][0]
    assert (rec["number"], rec["text"], rec["recipient"], rec["answered_on"], rec["adopted"]) == \
        (1, REC["text"], REC["recipient"], None, None)
    r = staff.post(f"{base}/actions/answer", {"recommendation": rec["id"], "answer": "已采纳", "adopted": True})
    assert r.status_code == 409 and r.json()["code"] == "illegal_transition"
    assert staff.post(f"{base}/actions/report", {"report_text": "监督报告。"}).status_code == 200
    r = staff.post(f"{base}/actions/close", {"follow_up": "已整改。"})
    assert r.status_code == 422 and r.json()["detail"] == "unanswered"
    version = staff.get(base).json()["version"]
    r = staff.post(f"{base}/actions/answer", {"recommendation": rec["id"], "answer": "已采纳", "adopted": True,
                                              "expected_version": version - 1})
    assert r.status_code == 409 and r.json()["code"] == "conflict"
    r = ApiClient(issue_token(w.leader)).post(f"{base}/actions/answer",
                                              {"recommendation": rec["id"], "answer": "已采纳", "adopted": True})
    assert r.status_code == 403
    r = ApiClient(issue_token(w.outsider)).post(f"{base}/actions/answer",
                                                {"recommendation": rec["id"], "answer": "已采纳", "adopted": True})
    assert r.status_code == 404
    r = staff.post(f"{base}/actions/answer", {"recommendation": rec["id"], "answer": "已采纳", "adopted": True})
    assert r.status_code == 200
    got = r.json()["recommendations"][0]
    assert got["answer"] == "已采纳" and got["adopted"] is True and got["answered_on"] == clock.today().isoformat()
    assert deadline_of(Recommendation.objects.get(pk=rec["id"])).state == Deadline.State.MET
    r = staff.post(f"{base}/actions/close", {"follow_up": "已整改。"})
    assert r.status_code == 200 and r.json()["state"] == "closed"
    assert ApiClient(issue_token(w.member)).get(base).json()["recommendations"][0]["answer"] == "已采纳"
