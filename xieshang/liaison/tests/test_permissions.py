"""The permission matrix of the liaison app: role × action, through the services AND through the API.

The expected outcome of every cell is written by hand from issue #14 and workflow.py, not computed from the
code under test. Roles (factories.make_world):

  anonymous  nobody signed in (the API: 401 before anything else)
  member     a member of the committee;  unit  a handling-unit user  — neither sees anything here (404)
  staff      office staff;  admin  administrator  — the office: drafts, sends, records
  leader     a leader (also a member), who made the visit;  leader2  another leader (no member record)
  sc_staff   office staff bound to the special committee that owns the task

OK: the action goes through; 403: the role sees the object but the action is not theirs; 404: the role may
not see it (the same answer as a missing one); 422: the input names something that is not the role's. A
refused action changes nothing (the version stays), and the buttons agree with the matrix.
"""

from __future__ import annotations

import pytest

from xieshang.core.tests.permission_matrix import OK, client_of, user_of
from xieshang.core.tests.permission_matrix import api_outcome as _api, service_outcome as _outcome
from xieshang.liaison import selectors, services
from xieshang.liaison.models import AssignedTask, PartyReport, Suggestion

from .factories import REPORT, TASK, VISIT, action_data, make_world, new_task, new_visit, walk_report

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "member", "unit", "staff", "admin", "leader", "leader2", "sc_staff")
#                 anon member unit staff admin leader leader2 sc_staff
OFFICE_ACTS = (404, 404, 404, OK, OK, 403, 403, OK)
LEADER_ACTS = (404, 404, 404, 403, 403, OK, OK, 403)
VISITOR_ACTS = (404, 404, 404, OK, OK, OK, 403, OK)

REPORT_MATRIX = {
    "update": ("draft", OFFICE_ACTS), "submit": ("draft", OFFICE_ACTS), "withdraw": ("draft", OFFICE_ACTS),
    "approve": ("submitted", LEADER_ACTS), "return": ("submitted", LEADER_ACTS),
    "send": ("approved", OFFICE_ACTS), "record_instruction": ("sent", OFFICE_ACTS),
}
TASK_MATRIX = {"note": OFFICE_ACTS, "complete": OFFICE_ACTS, "extend": OFFICE_ACTS, "cancel": OFFICE_ACTS}
SUGGESTION_MATRIX = {"convert": VISITOR_ACTS, "note": VISITOR_ACTS}
#                 anon member unit staff admin leader leader2 sc_staff
VIEW = (404, 404, 404, OK, OK, OK, OK, OK)
CREATE_OFFICE = (403, 404, 404, OK, OK, 403, 403, OK)  # reports, tasks, rules
CREATE_VISIT = (403, 404, 404, 422, 422, OK, OK, 422)  # a leader's own visit; the office must name the leader


@pytest.fixture
def w():
    return make_world()


def _report_data(action):
    return {"update": {**REPORT, "title": "修改后的标题"}, "withdraw": {"reason": "不再报送"},
            "return": {"reason": "请修改"}, "send": action_data("send"),
            "record_instruction": action_data("instruction")}.get(action, {})


def _check(w, model, make, run, api_path, expected, data, action, offered):
    refused = make()
    for role, outcome in zip(ROLES, expected, strict=True):
        for channel in ("services", "api"):
            obj = refused if outcome != OK else make()
            before = model.objects.get(pk=obj.pk).version
            if channel == "services":
                got, want = _outcome(lambda o=obj: run(user_of(w, role), o)), outcome
            else:
                got = _api(client_of(w, role).post(api_path(obj), data))
                want = 401 if role == "anonymous" else outcome
            assert got == want, (action, role, channel, got, want)
            if got != OK:
                assert model.objects.get(pk=obj.pk).version == before, (action, role, channel)
        if outcome in (OK, 403):
            names = {t.action for t in offered(user_of(w, role), refused)}
            assert (action in names) == (outcome == OK), (action, role, names)


@pytest.mark.parametrize("action", sorted(REPORT_MATRIX))
def test_report_matrix(w, action):
    state, expected = REPORT_MATRIX[action]
    data = _report_data(action)
    _check(w, PartyReport, lambda: walk_report(state, w),
           lambda user, r: services.report_act(actor=user, report=r.pk, action=action, data=data),
           lambda r: f"liaison/reports/{r.pk}/actions/{action}", expected, data, action, selectors.report_actions)


@pytest.mark.parametrize("action", sorted(TASK_MATRIX))
def test_task_matrix(w, action):
    import datetime

    from xieshang.core import clock

    data = {"note": {"text": "进展"}, "complete": {"result": "完成"}, "cancel": {"reason": "撤销"},
            "extend": {"due_on": (clock.today() + datetime.timedelta(days=60)).isoformat()}}[action]
    _check(w, AssignedTask, lambda: new_task(w, owner_kind="special_committee", special_committee=w.special.pk),
           lambda user, t: services.task_act(actor=user, task=t.pk, action=action, data=data),
           lambda t: f"liaison/tasks/{t.pk}/actions/{action}", TASK_MATRIX[action], data, action,
           selectors.task_actions)


@pytest.mark.parametrize("action", sorted(SUGGESTION_MATRIX))
def test_suggestion_matrix(w, action):
    data = {"convert": {"to": "task"}, "note": {"note": "供参考"}}[action]
    _check(w, Suggestion, lambda: new_visit(w).suggestions.get(),
           lambda user, s: services.suggestion_act(actor=user, suggestion=s.pk, action=action, data=data),
           lambda s: f"liaison/suggestions/{s.pk}/actions/{action}", SUGGESTION_MATRIX[action], data, action,
           selectors.suggestion_actions)


def test_view_and_create(w):
    report, task, visit = walk_report("draft", w), new_task(w), new_visit(w)
    suggestion = visit.suggestions.get()
    getters = {
        "reports": lambda u: selectors.report_get(u, w.committee, report.pk),
        "tasks": lambda u: selectors.task_get(u, w.committee, task.pk),
        "visits": lambda u: selectors.visit_get(u, w.committee, visit.pk),
        "suggestions": lambda u: selectors.suggestion_get(u, w.committee, suggestion.pk),
    }
    ids = {"reports": report.pk, "tasks": task.pk, "visits": visit.pk, "suggestions": suggestion.pk}
    creates = {
        "reports": (CREATE_OFFICE, REPORT, lambda u, d: services.report_create(actor=u, committee=w.committee, data=d)),
        "tasks": (CREATE_OFFICE, TASK, lambda u, d: services.task_create(actor=u, committee=w.committee, data=d)),
        "visits": (CREATE_VISIT, {**VISIT, "date": visit.date.isoformat(), "people": [{"kind": "expert", "name": "甲"}]},
                   lambda u, d: services.visit_create(actor=u, committee=w.committee, data=d)),
    }
    for i, role in enumerate(ROLES):
        user = user_of(w, role)
        for kind, get in getters.items():
            assert _outcome(lambda g=get: g(user)) == VIEW[i], (kind, role, "services")
            got = _api(client_of(w, role).get(f"liaison/{kind}/{ids[kind]}"))
            assert got == (401 if role == "anonymous" else VIEW[i]), (kind, role, "api", got)
        for kind, (expected, data, create) in creates.items():
            assert _outcome(lambda c=create, d=data: c(user, d)) == expected[i], (kind, role, "create")
            got = _api(client_of(w, role).post(f"liaison/{kind}", data))
            assert got == (401 if role == "anonymous" else expected[i]), (kind, role, "create api", got)
        rule = {"title": f"制度{i}", "meeting": "主席会议", "adopted_on": visit.date.isoformat()}
        assert _outcome(lambda: services.rule_create(actor=user, committee=w.committee, data=rule)) == CREATE_OFFICE[i]
        rule["title"] += "（接口）"
        got = _api(client_of(w, role).post("liaison/rules", rule))
        assert got == (401 if role == "anonymous" else CREATE_OFFICE[i]), ("rule", role, got)
