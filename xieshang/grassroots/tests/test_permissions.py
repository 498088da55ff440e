"""The permission matrix of demands and activities: role × action, through the services AND through the API.

The expected outcome of every cell is written below by hand, from issue #13 and the workflow's documentation
(xieshang/grassroots/workflow.py), not computed from the code under test. Roles (tests/factories.make_world):

  anonymous     nobody signed in (the API: 401 before anything else)
  member        a member of the committee (invited to the activity; did not record the demand)
  other_member  another member (not invited)
  keeper        the keeper of the demand's / activity's place
  other_keeper  the keeper of another place of the committee
  unit          a user of the handling unit the demand is referred to (in the states where it is referred)
  other_unit    a user of another handling unit
  staff         office staff of the committee
  leader        a leader of the committee (reads everything, acts on nothing here)

OK: the action goes through; 403: the role sees the object but the action is not theirs; 404: the role may not
see the object (the same answer as a missing one); 422: the input names something that is not the role's.
A refused action changes nothing (the version stays).
"""

from __future__ import annotations

import datetime

import pytest

from xieshang.core import clock
from xieshang.core.tests.permission_matrix import OK, client_of, user_of
from xieshang.core.tests.permission_matrix import api_outcome as _api_outcome
from xieshang.core.tests.permission_matrix import service_outcome as _outcome
from xieshang.grassroots import selectors, services
from xieshang.grassroots.models import Activity, Demand
from xieshang.grassroots.tests.factories import ANSWER, TEXT, make_world, walk_to

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 3, 2)
ROLES = ("anonymous", "member", "other_member", "keeper", "other_keeper", "unit", "other_unit", "staff", "leader")

# action: (the state it is tried in, the outcome per role in ROLES order)
#                                        anon member other_m keeper other_k unit other_u staff leader
DEMAND_MATRIX = {
    "accept":            ("received",  (404, 404, 404, OK,  404, 404, 404, OK, 403)),
    "decline":           ("received",  (404, 404, 404, OK,  404, 404, 404, OK, 403)),
    "classify":          ("received",  (404, 404, 404, OK,  404, 404, 404, OK, 403)),
    "refer":             ("accepted",  (404, 404, 404, OK,  404, 404, 404, OK, 403)),
    "convert":           ("accepted",  (404, 404, 404, OK,  404, 404, 404, OK, 403)),
    "answer_on_the_spot": ("accepted", (404, 404, 404, OK,  404, 404, 404, OK, 403)),
    "return":            ("referred",  (404, 404, 404, 403, 404, OK,  404, OK, 403)),
    "answer":            ("referred",  (404, 404, 404, 403, 404, OK,  404, OK, 403)),  # the unit answers
    "confirm":           ("answered",  (404, 404, 404, OK,  404, 403, 404, OK, 403)),
    "close":             ("answered",  (404, 404, 404, OK,  404, 403, 404, OK, 403)),  # after the quiet period
    "publish":           ("answered",  (404, 404, 404, OK,  404, 403, 404, OK, 403)),
    "unpublish":         ("published", (404, 404, 404, OK,  404, 403, 404, OK, 403)),
}
#                                        anon member other_m keeper other_k unit other_u staff leader
ACTIVITY_MATRIX = {
    "update":            ("planned",   (404, 403, 404, OK,  404, 404, 404, OK, 403)),
    "publish":           ("planned",   (404, 403, 404, OK,  404, 404, 404, OK, 403)),
    "cancel":            ("planned",   (404, 403, 404, OK,  404, 404, 404, OK, 403)),
    "hold":              ("published", (404, 403, 403, OK,  403, 403, 403, OK, 403)),
    "record":            ("held",      (404, 403, 403, OK,  403, 403, 403, OK, 403)),
    "close":             ("held",      (404, 403, 403, OK,  403, 403, 403, OK, 403)),
    "outcome_add":       ("held",      (404, 403, 403, OK,  403, 403, 403, OK, 403)),
    "outcome_done":      ("held",      (404, 403, 403, OK,  403, 403, 403, OK, 403)),
}
#                                        anon member other_m keeper other_k unit other_u staff leader
DEMAND_VIEW = {
    "received":                         (404, 404, 404, OK,  404, 404, 404, OK, OK),
    "referred":                         (404, 404, 404, OK,  404, OK,  404, OK, OK),
}
ACTIVITY_VIEW = {
    "planned":                          (404, OK,  404, OK,  404, 404, 404, OK, OK),
    "published":                        (404, OK,  OK,  OK,  OK,  OK,  OK,  OK, OK),
}
# Recording a demand at the keeper's place ({"text", "place"}) and planning an activity there.
DEMAND_CREATE = (403, OK, OK, OK, 422, 403, 403, OK, 403)
ACTIVITY_CREATE = (403, 403, 403, OK, 422, 403, 403, OK, 403)


@pytest.fixture
def w():
    clock.set_to(TODAY)
    return make_world()


# --- Demands ---------------------------------------------------------------------------------------------


def demand_in(state: str, w, action: str) -> Demand:
    clock.set_to(TODAY)
    demand = walk_to("answered" if state == "published" else state, w)
    if state == "published":
        services.demand_publish(actor=w.keeper, demand=demand, summary="小区路灯维修")
        demand.refresh_from_db()
    if action == "close":
        clock.set_to(TODAY + datetime.timedelta(days=30))  # past the quiet period
    return demand


def demand_data(action: str, w) -> tuple[str, dict]:
    """(the machine's action, valid data) for a row of DEMAND_MATRIX."""
    return {
        "decline": ("decline", {"reason": "不属于受理范围"}),
        "return": ("return", {"reason": "不属于本单位职责"}),
        "refer": ("refer", {"unit": w.unit_row.pk}),
        "convert": ("convert", {"to": "proposal", "member": w.member_row().pk}),
        "answer": ("answer", {"text": ANSWER}),
        "answer_on_the_spot": ("answer", {"text": ANSWER}),
        "confirm": ("confirm", {"satisfied": True}),
        "classify": ("classify", {"category": "ecology"}),
        "publish": ("publish", {"summary": "小区路灯维修"}),
    }.get(action, (action, {}))


@pytest.mark.parametrize("row", sorted(DEMAND_MATRIX))
def test_demand_matrix_through_services_and_api(w, row):
    state, expected = DEMAND_MATRIX[row]
    action, data = demand_data(row, w)
    refused = demand_in(state, w, row)  # refusals change nothing: one demand for all of them
    for role, outcome in zip(ROLES, expected, strict=True):
        for channel in ("services", "api"):
            demand = refused if outcome != OK else demand_in(state, w, row)
            before = Demand.objects.get(pk=demand.pk).version
            if channel == "services":
                got = _outcome(lambda d=demand: services.demand_act(actor=user_of(w, role), demand=d.pk,
                                                                      action=action, data=data))
                want = outcome
            else:
                got = _api_outcome(client_of(w, role).post(f"demands/{demand.pk}/actions/{action}", data))
                want = 401 if role == "anonymous" else outcome
            assert got == want, (row, role, channel, got, want)
            if got != OK:
                assert Demand.objects.get(pk=demand.pk).version == before, (row, role, channel)
        # the buttons agree with the matrix: offered exactly where the action goes through
        if outcome in (OK, 403):
            offered = {t.action for t in selectors.demand_actions(user_of(w, role), refused)}
            assert (action in offered) == (outcome == OK), (row, role, offered)


def test_demand_view_and_create(w):
    demands = {"received": demand_in("received", w, ""), "referred": demand_in("referred", w, "")}
    for i, role in enumerate(ROLES):
        user = user_of(w, role)
        for state, expected in DEMAND_VIEW.items():
            got = _outcome(lambda s=state: selectors.demand_get(user, w.committee, demands[s].pk))
            assert got == expected[i], ("view", state, role, "services", got)
            got = _api_outcome(client_of(w, role).get(f"demands/{demands[state].pk}"))
            assert got == (401 if role == "anonymous" else expected[i]), ("view", state, role, "api", got)
        data = {"text": TEXT, "place": w.place.pk}
        got = _outcome(lambda u=user: services.demand_create(actor=u, committee=w.committee, data=data))
        assert got == DEMAND_CREATE[i], ("create", role, "services", got)
        got = _api_outcome(client_of(w, role).post("demands", data))
        assert got == (401 if role == "anonymous" else DEMAND_CREATE[i]), ("create", role, "api", got)


def test_the_member_who_recorded_a_demand_reads_it_and_does_nothing_else(w):
    demand = services.demand_create(actor=w.member, committee=w.committee, data={"text": TEXT, "place": w.place.pk})
    assert selectors.demand_actions(w.member, demand) == []
    for action, data in (("accept", {}), ("decline", {"reason": "x"}), ("answer", {"text": "x"})):
        assert _outcome(lambda a=action, d=data: services.demand_act(actor=w.member, demand=demand.pk, action=a,
                                                                   data=d)) == 403
        assert client_of(w, "member").post(f"demands/{demand.pk}/actions/{action}", data).status_code == 403
    assert client_of(w, "member").get(f"demands/{demand.pk}").json()["phone"] is None
    assert client_of(w, "other_member").get(f"demands/{demand.pk}").status_code == 404


# --- Activities ----------------------------------------------------------------------------------------------


def activity_in(state: str, w) -> Activity:
    """An activity of the keeper's place, the member (not the other member) invited, in `state` (once held:
    with one open outcome)."""
    activity = services.activity_create(actor=w.keeper, committee=w.committee, data={
        "topic": "老旧小区加装电梯协商议事会", "date": TODAY.isoformat(), "members": [w.member_row().pk],
        "place": w.place.pk})
    if state in ("published", "held"):
        services.activity_publish(actor=w.keeper, activity=activity)
    if state == "held":
        services.activity_hold(actor=w.keeper, activity=activity, present=[w.member_row()], citizens_count=3)
        services.outcome_add(actor=w.keeper, activity=activity, data={"text": "加装电梯方案", "owner_kind": "committee"})
    activity.refresh_from_db()
    return activity


def activity_data(action: str, w) -> dict:
    return {
        "update": {"topic": "新的议题", "date": TODAY.isoformat(), "members": [w.member_row().pk]},
        "cancel": {"reason": "天气原因"},
        "hold": {"present": [w.member_row().pk], "citizens_count": 5, "minutes": "议定事项"},
        "record": {"present": [w.member_row().pk], "citizens_count": 6, "minutes": "更正"},
        "outcome_add": {"text": "三个月内完成方案", "owner_kind": "committee"},
    }.get(action, {})


def _activity_service(user, activity, action, data):
    if action == "outcome_done":
        return lambda: services.outcome_done(actor=user, outcome=activity.outcomes.get(), note="已完成")
    if action == "outcome_add":
        return lambda: services.outcome_add(actor=user, activity=activity.pk, data=data)
    return lambda: services.activity_act(actor=user, activity=activity.pk, action=action, data=data)


def _activity_api(client, activity, action, data):
    if action == "outcome_done":
        return client.post(f"activities/{activity.pk}/outcomes/{activity.outcomes.get().pk}/done", {"note": "已完成"})
    if action == "outcome_add":
        return client.post(f"activities/{activity.pk}/outcomes", data)
    return client.post(f"activities/{activity.pk}/actions/{action}", data)


@pytest.mark.parametrize("action", sorted(ACTIVITY_MATRIX))
def test_activity_matrix_through_services_and_api(w, action):
    state, expected = ACTIVITY_MATRIX[action]
    data = activity_data(action, w)
    refused = activity_in(state, w)
    for role, outcome in zip(ROLES, expected, strict=True):
        for channel in ("services", "api"):
            activity = refused if outcome != OK else activity_in(state, w)
            before = (Activity.objects.get(pk=activity.pk).version, list(activity.outcomes.values_list("state")))
            if channel == "services":
                got = _outcome(_activity_service(user_of(w, role), activity, action, data))
                want = outcome
            else:
                got = _api_outcome(_activity_api(client_of(w, role), activity, action, data))
                want = 401 if role == "anonymous" else outcome
            assert got == want, (action, role, channel, got, want)
            if got != OK:
                assert (Activity.objects.get(pk=activity.pk).version, list(activity.outcomes.values_list("state"))) == before
        if outcome in (OK, 403) and not action.startswith("outcome_"):
            offered = {t.action for t in selectors.activity_actions(user_of(w, role), refused)}
            assert (action in offered) == (outcome == OK), (action, role, offered)


def test_activity_view_and_create(w):
    activities = {state: activity_in(state, w) for state in ACTIVITY_VIEW}
    for i, role in enumerate(ROLES):
        user = user_of(w, role)
        for state, expected in ACTIVITY_VIEW.items():
            got = _outcome(lambda s=state: selectors.activity_get(user, w.committee, activities[s].pk))
            assert got == expected[i], ("view", state, role, "services", got)
            got = _api_outcome(client_of(w, role).get(f"activities/{activities[state].pk}"))
            assert got == (401 if role == "anonymous" else expected[i]), ("view", state, role, "api", got)
        data = {"topic": "议事会", "date": TODAY.isoformat(), "place": w.place.pk}
        got = _outcome(lambda u=user: services.activity_create(actor=u, committee=w.committee, data=data))
        assert got == ACTIVITY_CREATE[i], ("create", role, "services", got)
        got = _api_outcome(client_of(w, role).post("activities", data))
        assert got == (401 if role == "anonymous" else ACTIVITY_CREATE[i]), ("create", role, "api", got)
