"""The services of inspections, supervision and special supervisors: every transition, the guards, bad input,
dates, deadlines and duty facts."""

from __future__ import annotations

import datetime

import pytest

from xieshang.core import clock
from xieshang.core.errors import IllegalTransition, Invalid
from xieshang.core.models import Deadline, DutyFact
from xieshang.inspections import selectors, services
from xieshang.inspections.models import Recommendation
from xieshang.inspections.stats import figures
from xieshang.inspections.tests.factories import (
    action_data, appoint, make_world, plan, supervisor_data, walk_supervision_to, walk_to,
)
from xieshang.members.rules import LEDGER_MAP

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return make_world()


def act(w, obj, action, data=None):
    return services.inspection_act(actor=w.staff, inspection=obj, action=action,
                                   data=action_data(action, w, obj) if data is None else data)


def test_an_inspection_from_plan_to_answered_recommendations(w):
    i = walk_to("report_sent", w)
    assert i.state == "report_sent" and i.report_sent_on == clock.today() and i.recipients == "州委、州政府"
    rec = i.recommendations.get()
    deadline = Deadline.objects.get(object_id=rec.pk, kind="inspections.answer")
    assert deadline.state == Deadline.State.OPEN and deadline.due_on == datetime.date(2026, 6, 2)
    with pytest.raises(Invalid) as exc:
        act(w, i, "close")
    assert exc.value.detail == "unanswered"
    assert "close" not in {t.action for t in selectors.inspection_actions(w.staff, i)}
    act(w, i, "answer")
    rec.refresh_from_db()
    assert rec.adopted is True and rec.answered_on == clock.today()
    deadline.refresh_from_db()
    assert deadline.state == Deadline.State.MET
    assert "close" in {t.action for t in selectors.inspection_actions(w.staff, i)}
    i = act(w, i, "close")
    assert i.state == "closed" and i.closed_on == clock.today()


def test_guards_start_needs_a_team_draft_a_visit_send_a_recommendation(w):
    i = plan(w)
    with pytest.raises(Invalid) as exc:
        act(w, i, "start")
    assert exc.value.detail == "no_team"
    i = walk_to("under_way", w)
    with pytest.raises(Invalid) as exc:
        act(w, i, "draft_report")
    assert exc.value.detail == "no_visit"
    act(w, i, "add_visit")
    act(w, i, "draft_report")
    with pytest.raises(Invalid) as exc:
        act(w, i, "send_report")
    assert exc.value.detail == "no_recommendation"


def test_duty_facts_for_the_team_and_the_author(w):
    i = walk_to("under_way", w)
    facts = DutyFact.objects.filter(object_id=i.pk, kind="inspections.team.research")
    assert facts.count() == 2 and {f.lead for f in facts} == {True, False}
    act(w, i, "add_visit")
    act(w, i, "draft_report")
    assert DutyFact.objects.filter(object_id=i.pk, kind="inspections.report.research", member=w.member_row()).exists()
    for kind in services.TEAM_KINDS + services.REPORT_KINDS + (services.SUPERVISION_TEAM_KIND, services.SUPERVISOR_REPORT_KIND):
        assert kind in LEDGER_MAP


def test_a_planned_inspection_has_no_facts_and_cancelling_removes_them(w):
    i = plan(w)
    act(w, i, "set_team")
    assert not DutyFact.objects.filter(object_id=i.pk, kind__startswith="inspections.").exists()
    act(w, i, "start")
    assert DutyFact.objects.filter(object_id=i.pk, kind__startswith="inspections.").count() == 2
    act(w, i, "cancel")
    assert not DutyFact.objects.filter(object_id=i.pk, kind__startswith="inspections.").exists()


def test_dates_in_the_past_or_future_are_refused(w):
    with pytest.raises(Invalid) as exc:
        plan(w, year=2026, planned_month=2)
    assert "planned_month" in exc.value.field_errors
    i = plan(w)
    with pytest.raises(Invalid) as exc:
        act(w, i, "add_visit", {"date": "2026-03-01", "place": "昌吉市"})
    assert "date" in exc.value.field_errors
    i = walk_to("report_drafted", w)
    with pytest.raises(Invalid) as exc:
        act(w, i, "send_report", {"sent_on": "2026-03-03"})
    assert "sent_on" in exc.value.field_errors
    act(w, i, "send_report")
    rec = i.recommendations.get()
    with pytest.raises(Invalid) as exc:
        act(w, i, "answer", {"recommendation": rec.pk, "answer": "好", "adopted": True, "answered_on": "2026-03-01"})
    assert "answered_on" in exc.value.field_errors


def test_bad_input_is_refused_with_the_fields(w):
    i = walk_to("under_way", w)
    with pytest.raises(Invalid) as exc:
        act(w, i, "add_recommendation", {"text": "x" * 2001})
    assert "text" in exc.value.field_errors
    with pytest.raises(Invalid) as exc:
        act(w, i, "set_team", {"leaders": [999999]})
    assert "members" in exc.value.field_errors
    with pytest.raises(Invalid):
        plan(w, planned_month=13)
    with pytest.raises(Invalid) as exc:
        plan(w, lead_leader=w.staff.pk)
    assert "lead_leader" in exc.value.field_errors


def test_illegal_moves_are_409(w):
    i = walk_to("closed", w)
    for action in ("start", "cancel", "answer", "add_visit"):
        with pytest.raises(IllegalTransition):
            act(w, i, action, {})


def test_recommendations_are_numbered(w):
    i = walk_to("under_way", w)
    act(w, i, "add_recommendation")
    act(w, i, "add_recommendation", {"text": "第二条", "recipient": "州委"})
    assert list(Recommendation.objects.filter(inspection=i).values_list("number", flat=True)) == [1, 2]


def test_supervision_workflow_and_facts(w):
    s = walk_supervision_to("closed", w)
    assert s.state == "closed" and s.follow_up and s.reported_on == clock.today()
    assert DutyFact.objects.filter(object_id=s.pk, kind="inspections.supervision.team").count() == 2
    s2 = walk_supervision_to("planned", w)
    with pytest.raises(Invalid):
        services.supervision_act(actor=w.staff, item=s2, action="start")
    with pytest.raises(Invalid):
        services.supervision_create(actor=w.staff, committee=w.committee,
                                    data={"title": "x", "body": "y", "year": 2025})


def test_special_supervisor_terms_and_reports(w):
    with pytest.raises(Invalid) as exc:
        appoint(w, term_start="2026-06-01", term_end="2026-05-01")
    assert "term must end after" in str(exc.value.message) or exc.value.field_errors
    with pytest.raises(Invalid):
        appoint(w, term_start="2026-06-01", term_end="2026-06-01")
    with pytest.raises(Invalid) as exc:
        appoint(w, term_start="2024-01-01", term_end="2025-12-31")
    assert "term_end" in exc.value.field_errors
    row = appoint(w)
    report = services.supervisor_report_add(actor=w.member, supervisor=row, data={"title": "一季度监督报告", "text": "情况良好"})
    assert DutyFact.objects.filter(kind="inspections.supervisor_report", object_id=report.pk).exists()
    with pytest.raises(Invalid) as exc:
        services.supervisor_report_add(actor=w.staff, supervisor=row, data={"title": "t", "text": "x", "date": "2026-12-31"})
    assert "date" in exc.value.field_errors
    row = services.supervisor_update(actor=w.staff, supervisor=row, data=supervisor_data(w, term_end="2028-12-31"))
    assert row.version == 2 and row.term_end == datetime.date(2028, 12, 31)


def test_figures_of_a_small_year_counted_by_hand(w):
    walk_to("closed", w)
    walk_to("under_way", w, plan(w, kind="inspection", title="视察"))
    plan(w, kind="study_visit", title="考察（未开展）")
    walk_to("cancelled", w, plan(w, kind="study_visit", title="取消的考察"))
    walk_supervision_to("reported", w)
    walk_supervision_to("planned", w)
    appoint(w)
    got = figures(w.committee, 2026)
    assert got == {"inspections": {"inspection": 1, "study_visit": 0, "research": 1, "total": 2},
                   "supervision_items": 1, "recommendations": 1, "recommendations_answered": 1,
                   "recommendations_adopted": 1, "supervision_recommendations": 0,
                   "supervision_recommendations_answered": 0, "supervision_recommendations_adopted": 0,
                   "special_supervisors": 1}
    assert figures(w.committee, 2025)["inspections"]["total"] == 0


def test_the_stats_command_prints_the_figures_in_its_table_and_json(w):
    import io
    import json

    from django.core.management import call_command

    walk_to("closed", w)
    out = io.StringIO()
    call_command("stats", "consultation", "--committee", w.committee.code, "--year", "2026", stdout=out)
    assert "inspections.research: 1" in out.getvalue() and "recommendations_answered: 1" in out.getvalue()
    out = io.StringIO()
    call_command("stats", "consultation", "--committee", w.committee.code, "--year", "2026", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["inspections"]["total"] == 1 and "meetings" in data
