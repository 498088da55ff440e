"""批量操作: services.proposals_act_bulk — one action (urge, mark key, publish) on many proposals, each
through proposal_act, with a result per row — and who may take it (role × action)."""

import pytest

from xieshang.core.errors import Forbidden, Invalid
from xieshang.core.models import Event, Notification
from xieshang.proposals import selectors, services
from xieshang.proposals.tests.factories import make_actors, make_committee, make_member, walk_to

pytestmark = pytest.mark.django_db
bulk = services.proposals_act_bulk


@pytest.fixture
def actors(committee):
    return make_actors(committee, units=1)


def _walk(state, actors, title):
    return walk_to(state, actors=actors, cosign=False, title=title)[0]


def test_bulk_urge_acts_on_each_row_and_says_which_were_refused_and_why(actors, committee):
    handling = _walk("assigned", actors, "催办一")
    handling2 = _walk("assigned", actors, "催办二")
    submitted = _walk("submitted", actors, "尚未立案")
    elsewhere = _walk("assigned", make_actors(make_committee()), "别的委员会")
    ids = [handling.pk, submitted.pk, elsewhere.pk, handling2.pk, 987654321]
    results = bulk(actor=actors.staff, committee=committee, ids=ids, action="urge")
    assert [r["id"] for r in results] == ids  # in the order given
    assert [r["ok"] for r in results] == [True, False, False, True, False]
    assert results[1]["code"] == "illegal_transition" and results[1]["error"]
    assert results[2]["code"] == results[4]["code"] == "not_found" and results[2]["proposal"] is None
    assert Notification.objects.filter(kind="proposal.urged").count() == 2  # one unit owes each
    assert Event.objects.filter(action="proposal.urge").count() == 2  # one audit event per urged row


def test_bulk_mark_key_and_publish_leave_rows_that_are_so_already(actors, committee):
    a = _walk("registered", actors, "重点一")
    b = _walk("registered", actors, "重点二")
    services.proposal_act(actor=actors.staff, proposal=b, action="mark_key",
                          data={"is_key": True, "leader": actors.leader.pk})
    results = bulk(actor=actors.staff, committee=committee, ids=[a.pk, b.pk], action="mark_key")
    assert [(r["ok"], r["unchanged"]) for r in results] == [(True, False), (True, True)]
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.is_key and b.is_key and b.supervising_leader == actors.leader  # its leader is kept
    results = bulk(actor=actors.staff, committee=committee, ids=f"{a.pk},{b.pk}", action="set_public")
    assert all(r["ok"] and not r["unchanged"] for r in results)
    assert Event.objects.filter(action="proposal.set_public").count() == 2


@pytest.mark.parametrize("role, action, allowed", [
    ("staff", "urge", True), ("staff", "mark_key", True), ("staff", "set_public", True),
    ("leader", "urge", True), ("leader", "mark_key", False), ("leader", "set_public", False),
    ("member", "urge", False), ("member", "mark_key", False), ("unit", "urge", False), ("unit", "set_public", False),
])
def test_who_may_take_a_bulk_action(actors, committee, role, action, allowed):
    p = _walk("assigned", actors, "权限")
    user = {"staff": actors.staff, "leader": actors.leader, "member": actors.proposer,
            "unit": actors.unit_users[0]}[role]
    assert (action in selectors.bulk_actions_for(user, committee)) is allowed
    if allowed:
        assert bulk(actor=user, committee=committee, ids=[p.pk], action=action)[0]["ok"]
    else:
        with pytest.raises(Forbidden):
            bulk(actor=user, committee=committee, ids=[p.pk], action=action)
        assert not Notification.objects.filter(kind="proposal.urged").exists()
        assert not Event.objects.filter(action=f"proposal.{action}").exists()


def test_a_member_of_another_committee_has_no_bulk_actions(actors, committee):
    stranger = make_member(make_committee())
    assert selectors.bulk_actions_for(stranger, committee) == []


def test_bad_bulk_requests_are_invalid(actors, committee):
    p = _walk("assigned", actors, "无效")
    with pytest.raises(Invalid) as no_action:
        bulk(actor=actors.staff, committee=committee, ids=[p.pk], action="close")  # not a bulk action
    assert "action" in no_action.value.field_errors
    for ids in ([], ["x", "<script>", -3], None, "abc"):
        with pytest.raises(Invalid) as no_ids:
            bulk(actor=actors.staff, committee=committee, ids=ids, action="urge")
        assert "ids" in no_ids.value.field_errors
    with pytest.raises(Invalid):
        bulk(actor=actors.staff, committee=committee, ids=list(range(1, selectors.SELECTION_MAX + 2)), action="urge")


def test_bad_data_refuses_each_row_with_the_reason(actors, committee):
    p = _walk("assigned", actors, "催办文字")
    [result] = bulk(actor=actors.staff, committee=committee, ids=[p.pk], action="urge", data={"text": "长" * 3000})
    assert not result["ok"] and result["code"] == "invalid" and "text" in result["field_errors"]
