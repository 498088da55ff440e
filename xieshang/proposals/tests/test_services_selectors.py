"""Reads that depend on who asks (selectors.py): visibility, lists, inboxes, to-dos, timeline."""

import datetime

import pytest
from django.db import connection
from django.utils import translation
from django.test.utils import CaptureQueriesContext

from xieshang.core.errors import NotFound
from xieshang.proposals import selectors, services
from xieshang.proposals.models import Assignment
from xieshang.proposals.tests.factories import (
    make_actors,
    make_committee,
    make_member,
    make_role_user,
    make_unit,
    set_today,
    walk_to,
)

pytestmark = pytest.mark.django_db
act = services.proposal_act


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def actors(committee):
    return make_actors(committee, units=2)


def test_visibility_by_role(actors):
    draft, _ = walk_to("draft", actors=actors)
    submitted, _ = walk_to("submitted", actors=actors)
    handling, _ = walk_to("handling", actors=actors, roles=None)
    stranger = make_member(actors.committee)
    other_unit, other_unit_user = make_unit(actors.committee)

    def visible(user):
        return set(selectors.proposals_visible_to(user, actors.committee).values_list("pk", flat=True))

    assert visible(actors.proposer) == {draft.pk, submitted.pk, handling.pk}
    assert visible(actors.staff) == {submitted.pk, handling.pk}  # not others' drafts
    assert visible(actors.leader) == {submitted.pk, handling.pk}
    assert visible(actors.cosigner) == {submitted.pk, handling.pk}  # invited and signed
    assert visible(actors.unit_users[0]) == {handling.pk}
    assert visible(other_unit_user) == set()
    assert visible(stranger) == set()
    with pytest.raises(NotFound):
        selectors.proposal_get(other_unit_user, handling.pk)
    with pytest.raises(NotFound):
        selectors.proposal_get(actors.staff, draft.pk)
    with pytest.raises(NotFound):
        selectors.proposal_get(actors.staff, "abc")
    assert selectors.proposal_get(actors.unit_users[0], handling.pk, committee=actors.committee) == handling
    with pytest.raises(NotFound):
        selectors.proposal_get(actors.staff, handling.pk, committee=make_committee())


def test_relations(actors):
    p, _ = walk_to("handling", actors=actors)
    assert selectors.relations_of(actors.proposer, p) == {"proposer"}
    assert selectors.relations_of(actors.cosigner, p) == {"cosigner"}
    assert selectors.relations_of(actors.staff, p) == {"staff"}
    assert selectors.relations_of(actors.leader, p) == {"leader"}
    assert selectors.relations_of(actors.unit_users[1], p) == {"unit"}
    assert selectors.relations_of(None, p) == {"system"}


def test_available_actions(actors):
    p, _ = walk_to("assigned", actors=actors)
    names = lambda user: {t.action for t in selectors.available_actions(user, p)}  # noqa: E731
    assert names(actors.unit_users[0]) == {"acknowledge", "object"}
    assert {"urge", "mark_key", "set_public"} <= names(actors.staff)
    assert "reassign" not in names(actors.staff)
    assert names(actors.proposer) == set()
    p = act(actor=actors.unit_users[0], proposal=p, action="acknowledge")
    p = act(actor=actors.unit_users[1], proposal=p, action="acknowledge")
    assert names(actors.unit_users[0]) == {"consult", "request_extension", "reply"}
    assert names(actors.unit_users[1]) == {"consult", "request_extension", "send_views"}


def test_proposal_list_filters_and_sorts(actors):
    a, _ = walk_to("handling", actors=actors, title="关于发展棉花产业的提案", category="agriculture")
    b, _ = walk_to("registered", actors=actors, title="关于改善学校食堂的提案", category="culture")
    c, _ = walk_to("submitted", actors=actors, title="关于城市绿化的提案")
    act(actor=actors.staff, proposal=b, action="mark_key", data={"is_key": True})

    def pks(**params):
        return [p.pk for p in selectors.proposal_list(actors.staff, actors.committee, params)]

    assert set(pks()) == {a.pk, b.pk, c.pk}
    assert pks(state="handling") == [a.pk]
    assert pks(category="culture") == [b.pk]
    assert pks(key="1") == [b.pk]
    assert pks(q="棉花") == [a.pk]
    assert pks(q=a.number) == [a.pk]
    assert set(pks(q=actors.member.name)) == {a.pk, b.pk, c.pk}
    assert pks(unit=str(actors.units[0].pk)) == [a.pk]
    assert pks(sector=actors.member.sector.name) == pks(sort="-created_at")
    assert pks(year="2026") and not pks(year="2024")
    assert pks(session=str(a.session_id)) and not pks(session="999999")
    assert pks(state="bogus", session="x", sort="bogus") == pks()
    assert pks(sort="number")[:2] == [a.pk, b.pk]
    assert pks(sort="-number")[-1] == c.pk  # no number yet, sorts after the numbered ones
    assert pks(sort="due_date")[0] == a.pk
    assert pks(overdue="1") == []
    Assignment.objects.filter(proposal=a).update(due_date=datetime.date(2020, 1, 1))
    assert pks(overdue="1") == [a.pk]
    # members see only theirs in the same list
    assert pks() != [] and [p.pk for p in selectors.proposal_list(make_member(actors.committee), actors.committee, {})] == []


def test_proposal_list_makes_a_fixed_number_of_queries(actors):
    walk_to("handling", actors=actors)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            for p in selectors.proposal_list(actors.staff, actors.committee, {"sort": "due_date"}):
                _ = (p.session.term.number, p.lead_proposer.name, p.proposer_name, [a.unit.name for a in p.assignments.all()])
        return len(ctx.captured_queries)

    first = count()
    for _ in range(3):
        walk_to("handling", actors=actors)
    assert count() == first


def test_unit_inbox_buckets(actors, monkeypatch):
    p, _ = walk_to("assigned", actors=actors)
    lead_user, co_user = actors.unit_users
    bucket = lambda user, name: list(selectors.unit_inbox(user, actors.committee, name))  # noqa: E731
    assert [a.proposal_id for a in bucket(lead_user, "to_acknowledge")] == [p.pk]
    assert bucket(lead_user, "handling") == [] and bucket(lead_user, "nonsense") == []
    act(actor=lead_user, proposal=p, action="acknowledge")
    assert len(bucket(lead_user, "handling")) == 1
    assert bucket(lead_user, "due_soon") == []
    due = p.assignments.get(role="lead").due_date
    set_today(monkeypatch, due - datetime.timedelta(days=2))
    assert len(bucket(lead_user, "due_soon")) == 1
    act(actor=co_user, proposal=p, action="acknowledge")
    act(actor=co_user, proposal=p, action="send_views", data={"text": "x"})
    assert len(bucket(co_user, "replied")) == 1


def test_overdue_review_queue_invitations_and_evaluations(actors):
    p, _ = walk_to("handling", actors=actors)
    assert not selectors.overdue_assignments(actors.committee).exists()
    lead = p.assignments.get(role="lead")
    later = lead.due_date + datetime.timedelta(days=1)
    assert set(selectors.overdue_assignments(actors.committee, today=later)) == set(p.assignments.all())
    assert not selectors.overdue_assignments(actors.committee, today=lead.due_date).exists()
    s, _ = walk_to("submitted", actors=actors)
    assert list(selectors.review_queue(actors.committee)) == [s]
    c, _ = walk_to("cosigning", actors=actors)
    assert [row.proposal_id for row in selectors.cosign_invitations(actors.cosigner, actors.committee)] == [c.pk]
    r, _ = walk_to("replied", actors=actors)
    assert [reply.proposal_id for reply in selectors.to_evaluate(actors.proposer, actors.committee)] == [r.pk]
    assert list(selectors.to_evaluate(actors.staff, actors.committee)) == []


def test_supervised_by(actors):
    p, _ = walk_to("registered", actors=actors)
    act(actor=actors.staff, proposal=p, action="mark_key", data={"is_key": True, "leader": actors.leader.pk})
    other_leader = make_role_user(actors.committee, "leader")
    assert list(selectors.supervised_by(actors.leader, actors.committee)) == [p]
    assert list(selectors.supervised_by(other_leader, actors.committee)) == []


def test_todos_by_role(actors):
    walk_to("draft", actors=actors)
    walk_to("submitted", actors=actors, cosign=False)
    walk_to("assigned", actors=actors)
    walk_to("replied", actors=actors)
    labels = lambda user: {t["label"]: t["count"] for t in selectors.todos_for(user, actors.committee)}  # noqa: E731
    member = labels(actors.proposer)
    assert member["Draft proposals"] == 1 and member["Replies to evaluate"] == 1
    staff = labels(actors.staff)
    assert staff == {"Proposals to review": 1}
    assert labels(actors.unit_users[0]) == {"Assignments to acknowledge": 1}
    assert labels(make_member(actors.committee)) == {}
    for item in selectors.todos_for(actors.proposer, actors.committee):
        assert set(item) == {"label", "count", "url", "urgent"}
        assert item["url"]


def test_todos_for_leader_and_overdue(actors):
    p, _ = walk_to("handling", actors=actors)
    act(actor=actors.staff, proposal=p, action="mark_key", data={"is_key": True, "leader": actors.leader.pk})
    Assignment.objects.filter(proposal=p).update(due_date=datetime.date(2020, 1, 1))
    leader = {t["label"]: t for t in selectors.todos_for(actors.leader, actors.committee)}
    assert leader["Key proposals I supervise"]["count"] == 1
    assert leader["Overdue assignments"]["count"] == 2 and leader["Overdue assignments"]["urgent"]
    assert {t["label"] for t in selectors.todos_for(actors.unit_users[0], actors.committee)} >= {"Overdue replies"}


def test_url_helper_falls_back(actors):
    assert selectors.url_or_hash("proposals:no_such_page") == "#"


def test_timeline(actors):
    p, _ = walk_to("registered", actors=actors)
    events = selectors.timeline_of(actors.staff, p)
    assert [e.action for e in events] == [
        "proposal.create", "proposal.invite_cosigners", "proposal.submit", "proposal.cosign", "proposal.register",
    ]
    assert events[-1].label == "register" and events[0].label == "created"
    with pytest.raises(NotFound):
        selectors.timeline_of(make_member(actors.committee), p)


def test_close_is_offered_only_when_it_is_possible(actors, monkeypatch):
    p, _ = walk_to("replied", actors=actors)
    offered = lambda: "close" in {t.action for t in selectors.available_actions(actors.staff, p)}  # noqa: E731
    assert not offered()
    set_today(monkeypatch, p.evaluation_due + datetime.timedelta(days=1))
    assert offered()
    act(actor=actors.staff, proposal=p, action="close")
    assert not offered()


def test_proposals_of_lists_only_ones_own(actors):
    mine, _ = walk_to("submitted", actors=actors)
    draft, _ = walk_to("draft", actors=actors)
    other = make_member(actors.committee)
    services.proposal_create(actor=other, committee=actors.committee, title="别人的")
    assert list(selectors.proposals_of(actors.proposer, actors.committee)) == [draft, mine]
    assert list(selectors.proposals_of(actors.cosigner, actors.committee)) == []
