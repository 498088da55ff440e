"""The permission matrix of inspections, supervision and special supervisors: role × action, through the services
AND through the API.

Every cell is written by hand from issue #14 and the workflow's documentation (xieshang/inspections/workflow.py),
not computed from the code under test. Roles (consultation's tests/factories.make_world):

  anonymous  nobody signed in (the API: 401 before anything else)
  member     a member on the team (w.member leads it)
  outsider   a member of the committee not on the team
  unit       a handling unit's user
  staff      office staff;  admin  an administrator (the office too)
  leader     a leader of the committee, the inspection's lead leader (reads everything, acts on none)

OK: the action goes through; 403: the role sees the item but the action is not theirs; 404: the role may not see
it. A refused action changes nothing.
"""

from __future__ import annotations

import pytest

from xieshang.core.models import Event
from xieshang.core.tests.permission_matrix import OK, client_of, user_of
from xieshang.core.tests.permission_matrix import api_outcome as _api, service_outcome as _outcome
from xieshang.inspections import selectors, services
from xieshang.inspections.models import Inspection, SupervisionItem
from xieshang.inspections.tests.factories import (
    action_data, appoint, make_world, plan_data, supervision_action_data, supervision_data, supervisor_data,
    walk_supervision_to, walk_to,
)

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "member", "outsider", "unit", "staff", "admin", "leader")
TEAM_READS = (404, 403, 404, 404, OK, OK, 403)  # a team member sees it; only the office acts

# inspection action: the state it is tried in (each through the services and POST …/actions/{action})
INSPECTION_MATRIX = {
    "update": "planned_with_team", "set_team": "under_way", "add_visit": "under_way", "start": "planned_with_team",
    "record_findings": "under_way", "add_recommendation": "under_way", "draft_report": "with_visit",
    "send_report": "report_drafted", "answer": "report_sent", "close": "answered", "cancel": "under_way",
}
SUPERVISION_MATRIX = {
    "update": "under_way", "set_team": "under_way", "start": "planned_with_team", "record_findings": "under_way",
    "add_recommendation": "under_way", "report": "under_way", "answer": "reported_with_recommendation",
    "close": "reported", "cancel": "under_way",
}
#                  anon member outsider unit staff admin leader
VIEW_TEAM_ITEM = (404, OK, 404, 404, OK, OK, OK)
CREATE = (403, 403, 403, 403, OK, OK, 403)
SUPERVISOR_VIEW = (404, OK, 404, 404, OK, OK, OK)  # the member is the supervisor
SUPERVISOR_REPORT = (404, OK, 404, 404, OK, OK, 403)
SUPERVISOR_UPDATE = (404, 403, 404, 404, OK, OK, 403)


@pytest.fixture
def w():
    return make_world()


def inspection_in(state, w) -> Inspection:
    from xieshang.inspections.tests.factories import plan

    if state == "planned_with_team":
        i = plan(w)
        services.inspection_act(actor=w.staff, inspection=i, action="set_team", data=action_data("set_team", w))
    elif state == "with_visit":
        i = walk_to("under_way", w)
        services.inspection_act(actor=w.staff, inspection=i, action="add_visit", data=action_data("add_visit", w))
    elif state == "answered":
        i = walk_to("report_sent", w)
        services.inspection_act(actor=w.staff, inspection=i, action="answer", data=action_data("answer", w, i))
    else:
        return walk_to(state, w)
    i.refresh_from_db()
    return i


def supervision_in(state, w) -> SupervisionItem:
    if state == "planned_with_team":
        s = walk_supervision_to("planned", w)
        services.supervision_act(actor=w.staff, item=s, action="set_team", data=supervision_action_data("set_team", w))
        s.refresh_from_db()
        return s
    if state == "reported_with_recommendation":
        s = walk_supervision_to("under_way", w)
        for action in ("add_recommendation", "report"):
            services.supervision_act(actor=w.staff, item=s, action=action, data=supervision_action_data(action, w))
        s.refresh_from_db()
        return s
    return walk_supervision_to(state, w)


def _footprint(model, obj):
    row = model.objects.get(pk=obj.pk)
    prefix = "inspection." if model is Inspection else "supervision."
    return row.version, row.state, Event.objects.filter(object_id=str(obj.pk), action__startswith=prefix).count()


def _check(w, row, make, model, service_call, api_path, data_of, available):
    refused = make()
    for role, outcome in zip(ROLES, TEAM_READS, strict=True):
        for channel in ("services", "api"):
            obj = refused if outcome != OK else make()
            data = data_of(obj)
            before = _footprint(model, obj)
            if channel == "services":
                got, want = _outcome(lambda o=obj, d=data: service_call(user_of(w, role), o, d)), outcome
            else:
                got = _api(client_of(w, role).post(api_path(obj), data))
                want = 401 if role == "anonymous" else outcome
            assert got == want, (row, role, channel, got, want)
            if got != OK:
                assert _footprint(model, obj) == before, (row, role, channel)
        if outcome in (OK, 403):
            offered = {t.action for t in available(user_of(w, role), refused)}
            assert (row in offered) == (outcome == OK), (row, role, offered)


@pytest.mark.parametrize("row", sorted(INSPECTION_MATRIX))
def test_inspection_matrix_through_services_and_api(w, row):
    _check(w, row, lambda: inspection_in(INSPECTION_MATRIX[row], w), Inspection,
           lambda user, o, d: services.inspection_act(actor=user, inspection=o.pk, action=row, data=d),
           lambda o: f"consultation/inspections/{o.pk}/actions/{row}", lambda o: action_data(row, w, o),
           selectors.inspection_actions)


@pytest.mark.parametrize("row", sorted(SUPERVISION_MATRIX))
def test_supervision_matrix_through_services_and_api(w, row):
    _check(w, row, lambda: supervision_in(SUPERVISION_MATRIX[row], w), SupervisionItem,
           lambda user, o, d: services.supervision_act(actor=user, item=o.pk, action=row, data=d),
           lambda o: f"consultation/supervision/{o.pk}/actions/{row}", lambda o: supervision_action_data(row, w, o),
           selectors.supervision_actions)


def test_view_and_create(w):
    i = walk_to("under_way", w)
    s = walk_supervision_to("under_way", w)
    for n, role in enumerate(ROLES):
        user, client = user_of(w, role), client_of(w, role)
        for get, path in ((lambda u: selectors.inspection_get(u, w.committee, i.pk), f"consultation/inspections/{i.pk}"),
                          (lambda u: selectors.supervision_get(u, w.committee, s.pk), f"consultation/supervision/{s.pk}")):
            assert _outcome(lambda g=get: g(user)) == VIEW_TEAM_ITEM[n], ("view", role, path)
            assert _api(client.get(path)) == (401 if role == "anonymous" else VIEW_TEAM_ITEM[n]), ("view api", role, path)
        got = _outcome(lambda u=user: services.inspection_create(actor=u, committee=w.committee, data=plan_data(w)))
        assert got == CREATE[n], ("create", role)
        assert _api(client.post("consultation/inspections", plan_data(w))) == (401 if role == "anonymous" else CREATE[n])
        got = _outcome(lambda u=user: services.supervision_create(actor=u, committee=w.committee, data=supervision_data(w)))
        assert got == CREATE[n], ("create supervision", role)
        assert _api(client.post("consultation/supervision", supervision_data(w))) == (401 if role == "anonymous" else CREATE[n])
        got = _outcome(lambda u=user: services.supervisor_appoint(actor=u, committee=w.committee, data=supervisor_data(w)))
        assert got == CREATE[n], ("appoint", role)


def test_special_supervisor_matrix(w):
    row = appoint(w)
    for n, role in enumerate(ROLES):
        user, client = user_of(w, role), client_of(w, role)
        anon = role == "anonymous"
        assert _outcome(lambda u=user: selectors.supervisor_get(u, w.committee, row.pk)) == SUPERVISOR_VIEW[n], role
        assert _api(client.get(f"consultation/special-supervisors/{row.pk}")) == (401 if anon else SUPERVISOR_VIEW[n])
        data = {"title": "监督报告", "text": "正文"}
        assert _outcome(lambda u=user: services.supervisor_report_add(actor=u, supervisor=row.pk, data=data)) == SUPERVISOR_REPORT[n], role
        assert _api(client.post(f"consultation/special-supervisors/{row.pk}/reports", data)) == (401 if anon else SUPERVISOR_REPORT[n])
        update = {**supervisor_data(w), "member": row.member_id}
        assert _outcome(lambda u=user: services.supervisor_update(actor=u, supervisor=row.pk, data=update)) == SUPERVISOR_UPDATE[n], role
        assert _api(client.post(f"consultation/special-supervisors/{row.pk}/update", update)) == (401 if anon else SUPERVISOR_UPDATE[n])


def test_lists_show_each_role_its_own(w):
    walk_to("under_way", w)
    from xieshang.inspections.tests.factories import plan

    plan(w, title="别的调研")
    assert client_of(w, "member").get("consultation/inspections").json()["count"] == 1
    assert client_of(w, "outsider").get("consultation/inspections").json()["count"] == 0
    assert client_of(w, "leader").get("consultation/inspections").json()["count"] == 2
