"""The permission matrix: every action × every role → allowed, Forbidden (sees it, may not) or NotFound.

The table ALLOWED is written out by hand from DESIGN.md (who does what); a test checks that it says
the same as workflow.TRANSITIONS, and the matrix checks that the services enforce it.
"""

import datetime

import pytest
from django.utils import timezone

from xieshang.core.errors import Forbidden, NotFound
from xieshang.core.models import Event
from xieshang.proposals import services, workflow
from xieshang.proposals.models import ExtensionRequest, Proposal, Reply
from xieshang.proposals.tests.factories import make_actors, make_member, make_role_user, make_unit, walk_to

pytestmark = pytest.mark.django_db
act = services.proposal_act

ROLES = ["proposer", "cosigner", "other_member", "staff", "admin", "leader", "unit", "other_unit"]
# the relation each role has to the proposal (None: none at all)
RELATION = {"proposer": "proposer", "cosigner": "cosigner", "other_member": None, "staff": "staff",
            "admin": "staff", "leader": "leader", "unit": "unit", "other_unit": None}

ALLOWED = {
    "update": {"proposer"}, "invite_cosigners": {"proposer"}, "submit": {"proposer"},
    "cosign": {"cosigner"}, "decline_cosign": {"cosigner"}, "close_cosigning": {"proposer", "staff", "system"},
    "withdraw": {"proposer"}, "return_for_revision": {"staff"}, "resubmit": {"proposer"}, "register": {"staff"},
    "merge": {"staff"}, "convert": {"staff"}, "reject": {"staff"}, "assign": {"staff"}, "reassign": {"staff"},
    "acknowledge": {"unit"}, "object": {"unit"}, "consult": {"unit"}, "send_views": {"unit"},
    "request_extension": {"unit"}, "approve_extension": {"staff"}, "refuse_extension": {"staff"}, "reply": {"unit"},
    "evaluate": {"proposer"}, "correct_evaluation": {"proposer"}, "rehandle": {"staff"}, "close": {"staff"}, "archive": {"staff"},
    "urge": {"staff", "leader"}, "mark_key": {"staff"}, "supervise": {"leader"}, "mark_excellent": {"staff"},
    "set_public": {"staff"},
}


def _today():
    return timezone.localdate().isoformat()


def _evaluate(verdict):
    def prep(p, a):
        return act(actor=a.proposer, proposal=p, action="evaluate", data={"verdict": verdict, "comment": "办理不到位"})
    return prep


def _object(p, a):
    return act(actor=a.unit_users[0], proposal=p, action="object", data={"reason": "职责不符"})


def _pending_extension(p, a):
    due = p.assignments.get().due_date
    return act(actor=a.unit_users[0], proposal=p, action="request_extension",
               data={"until": due + datetime.timedelta(days=10), "reason": "x"})


def _evaluation_over(p, a):
    Proposal.objects.filter(pk=p.pk).update(evaluation_due=datetime.date(2020, 1, 1))
    p.refresh_from_db()
    return p


# action: (state to walk to, prep(p, actors) -> p, data(p, actors, extra) -> dict, walk options)
SETUP = {
    "update": ("draft", None, lambda p, a, x: {"title": "改过的标题"}, {}),
    "invite_cosigners": ("draft", None, lambda p, a, x: {"members": [x["spare"].memberships.get().pk]}, {}),
    "submit": ("draft", None, lambda p, a, x: {}, {}),
    "cosign": ("cosigning", None, lambda p, a, x: {}, {}),
    "decline_cosign": ("cosigning", None, lambda p, a, x: {}, {}),
    "close_cosigning": ("cosigning", None, lambda p, a, x: {}, {}),
    "withdraw": ("submitted", None, lambda p, a, x: {}, {}),
    "return_for_revision": ("submitted", None, lambda p, a, x: {"reason": "补充"}, {}),
    "resubmit": ("returned", None, lambda p, a, x: {}, {}),
    "register": ("submitted", None, lambda p, a, x: {}, {}),
    "merge": ("submitted", None, lambda p, a, x: {"into": x["other"].pk}, {}),
    "convert": ("submitted", None, lambda p, a, x: {"to": "suggestion"}, {}),
    "reject": ("submitted", None, lambda p, a, x: {"reason_code": "other"}, {}),
    "assign": ("registered", None, lambda p, a, x: {"units": [{"unit": a.units[0].pk, "role": "sole"}]}, {}),
    "reassign": ("assigned", _object, lambda p, a, x: {"assignment": p.assignments.get().pk, "unit": x["spare_unit"].pk}, {}),
    "acknowledge": ("assigned", None, lambda p, a, x: {}, {}),
    "object": ("assigned", None, lambda p, a, x: {"reason": "职责不符"}, {}),
    "consult": ("handling", None, lambda p, a, x: {"date": _today(), "form": "phone", "summary": "电话沟通"}, {}),
    "send_views": ("handling", None, lambda p, a, x: {"text": "协办意见"}, {"acting_unit": 1}),
    "request_extension": ("handling", None, lambda p, a, x: {
        "until": p.assignments.get().due_date + datetime.timedelta(days=10), "reason": "x"}, {}),
    "approve_extension": ("handling", _pending_extension,
                          lambda p, a, x: {"request": ExtensionRequest.objects.get(assignment__proposal=p).pk}, {}),
    "refuse_extension": ("handling", _pending_extension,
                         lambda p, a, x: {"request": ExtensionRequest.objects.get(assignment__proposal=p).pk}, {}),
    "reply": ("handling", None, lambda p, a, x: {"outcome": "adopted", "text": "答复"}, {}),
    "evaluate": ("replied", None, lambda p, a, x: {"verdict": "satisfied"}, {}),
    "correct_evaluation": ("replied", _evaluate("dissatisfied"),
                           lambda p, a, x: {"verdict": "basically_satisfied", "comment": "已有改进"}, {}),
    "rehandle": ("replied", _evaluate("dissatisfied"), lambda p, a, x: {"instructions": "请重新办理"}, {}),
    "close": ("replied", _evaluation_over, lambda p, a, x: {}, {}),
    "archive": ("closed", None, lambda p, a, x: {}, {}),
    "urge": ("handling", None, lambda p, a, x: {}, {}),
    "mark_key": ("registered", None, lambda p, a, x: {"is_key": True}, {}),
    "supervise": ("handling", None, lambda p, a, x: {"text": "加快办理"}, {}),
    "mark_excellent": ("closed", None, lambda p, a, x: {"value": True}, {}),
    "set_public": ("registered", None, lambda p, a, x: {"value": True}, {}),
}


def test_the_table_matches_the_workflow():
    assert set(ALLOWED) == set(SETUP) == set(workflow.TRANSITIONS)
    for action, t in workflow.TRANSITIONS.items():
        assert set(t.actors) == ALLOWED[action], action


def _visible(role: str, state: str) -> bool:
    if role in ("other_member", "other_unit"):
        return False
    if state == "draft":
        return role == "proposer"
    if role == "unit":
        return state in ("assigned", "handling", "replied", "closed", "archived")
    return True


def _user(role, actors, extra, acting_unit):
    return {
        "proposer": actors.proposer, "cosigner": actors.cosigner, "other_member": extra["spare"],
        "staff": actors.staff, "admin": extra["admin"], "leader": actors.leader,
        "unit": actors.unit_users[acting_unit], "other_unit": extra["other_unit_user"],
    }[role]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", sorted(SETUP))
def test_matrix(committee, action, role):
    state, prep, data, options = SETUP[action]
    acting_unit = options.get("acting_unit", 0)
    actors = make_actors(committee, units=2 if acting_unit else 1)
    p, _ = walk_to(state, actors=actors)
    extra = {
        "spare": make_member(committee),
        "admin": make_role_user(committee, "admin"),
        "other_unit_user": make_unit(committee)[1],
        "spare_unit": make_unit(committee)[0],
    }
    if action == "merge":
        extra["other"], _ = walk_to("submitted", actors=actors, cosign=False, title="另一件")
    if prep is not None:
        p = prep(p, actors)
    user = _user(role, actors, extra, acting_unit)
    before = (p.state, p.version, Event.objects.count())
    relation = RELATION[role]
    if relation in ALLOWED[action]:
        result = act(actor=user, proposal=p.pk, action=action, data=data(p, actors, extra))
        assert result.version == before[1] + 1
        assert Event.objects.filter(action=f"proposal.{action}").exists()
        return
    expected = Forbidden if _visible(role, state) else NotFound
    with pytest.raises(expected):
        act(actor=user, proposal=p.pk, action=action, data=data(p, actors, extra))
    p.refresh_from_db()
    assert (p.state, p.version, Event.objects.count()) == before


@pytest.mark.parametrize("action", sorted(SETUP))
def test_the_scheduler_may_only_end_cosigning(committee, action):
    state, prep, data, options = SETUP[action]
    actors = make_actors(committee, units=2 if options.get("acting_unit") else 1)
    p, _ = walk_to(state, actors=actors)
    if prep is not None:
        p = prep(p, actors)
    extra = {"spare": make_member(committee), "spare_unit": make_unit(committee)[0]}
    if action == "merge":
        extra["other"], _ = walk_to("submitted", actors=actors, cosign=False, title="另一件")
    if action == "close_cosigning":
        assert act(actor=None, proposal=p.pk, action=action).state == "submitted"
    else:
        with pytest.raises(Forbidden):
            act(actor=None, proposal=p.pk, action=action, data=data(p, actors, extra))


def test_a_unit_user_gets_not_found_for_proposals_of_other_units(committee):
    p, actors = walk_to("handling", committee=committee)
    _unit, outsider = make_unit(committee)
    for action in ("acknowledge", "reply", "consult", "request_extension", "object"):
        with pytest.raises(NotFound):
            act(actor=outsider, proposal=p, action=action, data={"outcome": "adopted", "text": "x"})
    assert not Reply.objects.exists()


@pytest.mark.parametrize("action", sorted(SETUP))
def test_matrix_through_the_api(committee, action):
    """The same matrix through POST /api/v1/proposals/{id}/actions/{action}: every role that may not act
    gets 403 (sees the proposal) or 404 (does not), changing nothing; then the allowed one gets 200."""
    import json

    from xieshang.api.tests.conftest import ApiClient, issue_token

    state, prep, data, options = SETUP[action]
    acting_unit = options.get("acting_unit", 0)
    actors = make_actors(committee, units=2 if acting_unit else 1)
    p, _ = walk_to(state, actors=actors)
    extra = {
        "spare": make_member(committee),
        "admin": make_role_user(committee, "admin"),
        "other_unit_user": make_unit(committee)[1],
        "spare_unit": make_unit(committee)[0],
    }
    if action == "merge":
        extra["other"], _ = walk_to("submitted", actors=actors, cosign=False, title="另一件")
    if prep is not None:
        p = prep(p, actors)
    body = json.loads(json.dumps(data(p, actors, extra), default=str))
    proposal_events = Event.objects.filter(action__startswith="proposal.")  # signing in for a token records others
    before = (p.state, p.version, proposal_events.count())
    allowed = [role for role in ROLES if RELATION[role] in ALLOWED[action]]
    for role in [r for r in ROLES if r not in allowed]:
        client = ApiClient(issue_token(_user(role, actors, extra, acting_unit)))
        response = client.act(p.pk, action, body)
        expected = 403 if _visible(role, state) else 404
        assert response.status_code == expected, (role, response.status_code, response.content[:200])
        assert response.json()["code"] == ("forbidden" if expected == 403 else "not_found")
        p.refresh_from_db()
        assert (p.state, p.version, proposal_events.count()) == before
    role = allowed[0]
    response = ApiClient(issue_token(_user(role, actors, extra, acting_unit))).act(p.pk, action, body)
    assert response.status_code == 200, (role, response.content[:300])
    assert response.json()["version"] == before[1] + 1
