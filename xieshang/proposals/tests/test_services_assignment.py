"""Assignment (交办): assign with role combinations, deadlines, acknowledge, object (within the window), re-assign."""

import datetime

import pytest

from xieshang.core.errors import Forbidden, IllegalTransition, Invalid, NotFound
from xieshang.core.models import Event, Notification
from xieshang.core.tests.factories import HandlingUnitFactory
from xieshang.proposals import services
from xieshang.proposals.models import Assignment, ProposalState
from xieshang.proposals.tests.factories import make_actors, make_unit, set_today, walk_to

pytestmark = pytest.mark.django_db
act = services.proposal_act


@pytest.fixture
def actors(committee):
    return make_actors(committee, units=3)


def _assign(actors, p, roles, today=None):
    units = [{"unit": u.pk, "role": r} for u, r in zip(actors.units, roles)]
    return act(actor=actors.staff, proposal=p, action="assign", data={"units": units})


@pytest.mark.parametrize("roles", [["sole"], ["lead", "co"], ["lead", "co", "co"], ["split", "split"], ["split"] * 3])
def test_valid_role_combinations(actors, roles):
    p, _ = walk_to("registered", actors=actors)
    p = _assign(actors, p, roles)
    assert p.state == ProposalState.ASSIGNED and p.assigned_at
    assert sorted(p.assignments.values_list("role", flat=True)) == sorted(roles)
    assert Notification.objects.filter(kind="proposal.assigned").count() == len(roles)


@pytest.mark.parametrize("roles", [[], ["sole", "sole"], ["sole", "co"], ["lead"], ["co"], ["lead", "lead"],
                                   ["split"], ["lead", "co", "split"], ["lead", "split"], ["boss"]])
def test_invalid_role_combinations(actors, roles):
    p, _ = walk_to("registered", actors=actors)
    with pytest.raises(Invalid) as err:
        _assign(actors, p, roles)
    assert "units" in err.value.field_errors
    p.refresh_from_db()
    assert p.state == "registered" and not p.assignments.exists()


def test_a_unit_cannot_be_named_twice(actors):
    p, _ = walk_to("registered", actors=actors)
    unit = actors.units[0]
    with pytest.raises(Invalid):
        act(actor=actors.staff, proposal=p, action="assign",
            data={"units": [{"unit": unit.pk, "role": "split"}, {"unit": unit.pk, "role": "split"}]})


def test_units_of_other_committees_and_inactive_units_are_refused(actors):
    p, _ = walk_to("registered", actors=actors)
    foreign = HandlingUnitFactory()
    inactive = HandlingUnitFactory(committee=actors.committee, is_active=False)
    for unit in (foreign, inactive):
        with pytest.raises(Invalid):
            act(actor=actors.staff, proposal=p, action="assign", data={"units": [{"unit": unit.pk, "role": "sole"}]})


def test_assign_before_registration_is_illegal(actors):
    p, _ = walk_to("submitted", actors=actors)
    with pytest.raises(IllegalTransition):
        _assign(actors, p, ["sole"])


def test_assignment_deadlines_across_national_day_2025(actors, monkeypatch):
    """Assigned on Fri 2025-09-26. Sun 28 Sep and Sat 11 Oct are make-up working days; 1–8 Oct are off."""
    set_today(monkeypatch, datetime.date(2025, 9, 26))
    p, _ = walk_to("registered", actors=actors)
    p = _assign(actors, p, ["lead", "co"])
    lead = p.assignments.get(role="lead")
    co = p.assignments.get(role="co")
    # 5 working days: 28, 29, 30 Sep, 9, 10 Oct
    assert lead.objection_due == datetime.date(2025, 10, 10)
    # 15 working days: … 10 Oct (5), 11 Oct Sat (6), 13–17 Oct (11), 20–23 Oct (15)
    assert lead.first_contact_due == datetime.date(2025, 10, 23)
    # 3 months: 26 Dec 2025, a Friday
    assert lead.due_date == lead.original_due_date == datetime.date(2025, 12, 26)
    assert lead.views_due is None
    # the co unit's views: 1 month → Sun 26 Oct → Mon 27 Oct
    assert co.views_due == datetime.date(2025, 10, 27)


def test_objection_on_the_last_day_is_accepted_and_the_next_day_refused(actors, monkeypatch):
    set_today(monkeypatch, datetime.date(2025, 9, 26))
    p, _ = walk_to("registered", actors=actors)
    p = _assign(actors, p, ["split", "split"])
    set_today(monkeypatch, datetime.date(2025, 10, 11))  # Sat, a working day, after the 10th
    with pytest.raises(IllegalTransition) as err:
        act(actor=actors.unit_users[0], proposal=p, action="object", data={"reason": "不属于我单位职责"})
    assert err.value.detail == "objection_window_closed"
    assert "2025-10-10" in str(err.value.message)
    set_today(monkeypatch, datetime.date(2025, 10, 10))
    p = act(actor=actors.unit_users[1], proposal=p, action="object", data={"reason": "不属于我单位职责"})
    assert p.assignments.get(unit=actors.units[1]).state == "objected"


def test_acknowledge_moves_the_proposal_to_handling_on_the_first_unit(actors):
    p, _ = walk_to("registered", actors=actors)
    p = _assign(actors, p, ["lead", "co"])
    p = act(actor=actors.unit_users[1], proposal=p, action="acknowledge")
    assert p.state == ProposalState.HANDLING
    assert p.assignments.get(unit=actors.units[1]).state == "handling"
    assert p.assignments.get(unit=actors.units[0]).state == "assigned"
    p = act(actor=actors.unit_users[0], proposal=p, action="acknowledge")
    assert p.state == ProposalState.HANDLING
    with pytest.raises(IllegalTransition):  # already acknowledged
        act(actor=actors.unit_users[0], proposal=p, action="acknowledge")


def test_unit_not_assigned_gets_not_found(actors):
    p, _ = walk_to("registered", actors=actors)
    p = _assign(actors, p, ["sole"])
    with pytest.raises(NotFound):
        act(actor=actors.unit_users[2], proposal=p, action="acknowledge")


def test_acknowledging_another_units_assignment_is_forbidden(actors):
    p, _ = walk_to("registered", actors=actors)
    p = _assign(actors, p, ["lead", "co"])
    other = p.assignments.get(unit=actors.units[0])
    with pytest.raises(Forbidden):
        act(actor=actors.unit_users[1], proposal=p, action="acknowledge", data={"assignment": other.pk})


def test_object_and_reassign(actors):
    p, _ = walk_to("registered", actors=actors)
    p = _assign(actors, p, ["lead", "co"])
    with pytest.raises(Invalid):
        act(actor=actors.unit_users[1], proposal=p, action="object", data={})
    p = act(actor=actors.unit_users[1], proposal=p, action="object", data={"reason": "职责不符"})
    objected = p.assignments.get(unit=actors.units[1])
    assert objected.state == "objected" and objected.objection_reason == "职责不符" and objected.objected_at
    assert Notification.objects.filter(kind="proposal.objected", recipient=actors.staff).exists()
    # the objecting unit cannot acknowledge any more
    with pytest.raises(IllegalTransition):
        act(actor=actors.unit_users[1], proposal=p, action="acknowledge")
    # re-assign: not to a unit that has it, not an assignment that was not objected
    lead = p.assignments.get(role="lead")
    with pytest.raises(IllegalTransition):
        act(actor=actors.staff, proposal=p, action="reassign", data={"assignment": lead.pk, "unit": actors.units[2].pk})
    with pytest.raises(Invalid):
        act(actor=actors.staff, proposal=p, action="reassign", data={"assignment": objected.pk, "unit": actors.units[0].pk})
    p = act(actor=actors.staff, proposal=p, action="reassign", data={"assignment": objected.pk, "unit": actors.units[2].pk})
    objected.refresh_from_db()
    new = p.assignments.get(unit=actors.units[2])
    assert objected.state == "cancelled"
    assert (new.role, new.state, new.replaces_id) == ("co", "assigned", objected.pk)
    # the unit that objected no longer sees the proposal
    with pytest.raises(NotFound):
        act(actor=actors.unit_users[1], proposal=p, action="acknowledge")
    p = act(actor=actors.unit_users[2], proposal=p, action="acknowledge")
    assert p.state == "handling"


def test_reassign_by_a_unit_is_forbidden(actors):
    p, _ = walk_to("registered", actors=actors)
    p = _assign(actors, p, ["sole"])
    p = act(actor=actors.unit_users[0], proposal=p, action="object", data={"reason": "x"})
    with pytest.raises(Forbidden):
        act(actor=actors.unit_users[0], proposal=p, action="reassign",
            data={"assignment": p.assignments.get().pk, "unit": actors.units[1].pk})


def test_two_assignments_at_once_second_one_loses(actors):
    p, _ = walk_to("registered", actors=actors)
    version = p.version
    _assign(actors, p, ["sole"])
    other_staff = services.proposal_act  # same service, second click with the version it saw
    from xieshang.core.errors import Conflict

    with pytest.raises(Conflict):
        other_staff(actor=actors.staff, proposal=p.pk, action="assign", expected_version=version,
                    data={"units": [{"unit": actors.units[1].pk, "role": "sole"}]})
    with pytest.raises(IllegalTransition):
        other_staff(actor=actors.staff, proposal=p.pk, action="assign",
                    data={"units": [{"unit": actors.units[1].pk, "role": "sole"}]})
    assert Assignment.objects.filter(proposal=p).count() == 1
    assert Event.objects.for_object(p).filter(action="proposal.assign").count() == 1


def test_batch_assignment_reports_each(actors):
    a, _ = walk_to("registered", actors=actors)
    b, _ = walk_to("submitted", actors=actors)
    unit, _user = make_unit(actors.committee)
    results = services.proposals_assign_batch(actor=actors.staff, items=[
        (a, [{"unit": unit.pk, "role": "sole"}]),
        (b, [{"unit": unit.pk, "role": "sole"}]),
    ])
    assert [r["ok"] for r in results] == [True, False]
    assert results[1]["code"] == "illegal_transition"
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.state, b.state) == ("assigned", "submitted")
