"""A proposal's detail — the page, the print view, `GET /api/v1/proposals/{id}` and its `/events` — makes the
same small number of queries whatever the number of units, consultations, views, extension requests,
replies, co-signers and events (issue 10, A.8). Each is measured for every kind of viewer on a small
proposal (one unit, few events) and a large one (five units, more than twenty events)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from xieshang.api.tests.conftest import ApiClient, issue_token
from xieshang.proposals import services
from xieshang.proposals.models import Proposal
from xieshang.proposals.tests.factories import make_actors, make_member, walk_to

PASSWORD = "correct-horse-42"
pytestmark = pytest.mark.django_db

# The most queries any viewer's request may make, without the hot cache (the tests' default; with it the
# user, roles, member ids and timers come from the cache). The API detail: the token, the proposal, the
# user's member ids and roles, the visibility check (for those who see it through a co-signature or a unit),
# one query per table that belongs to the proposal (co-signers, assignments, consultations, views, extension
# requests, replies, their letters, evaluations, supervisions, the proposal's attached files) and the timer;
# the page adds the session, the timeline, the merged proposals, the option lists of the forms it shows and
# the contact visit it came from (liaison's "from a contact visit" line, session 9: 19 → 20) and the citizen's
# demand it was drafted from (grassroots' "from a citizen's demand" line, session 10: 20 → 21).
# Before session 5: 22–31 for the page, 24–32 for the API detail, 7 for the events.
PAGE_MAX = 21
API_MAX = 16
EVENTS_MAX = 6


def _handling(units: int, urges: int):
    """A proposal being handled by `units` units (a lead and co units): every unit consulted, every co unit
    sent its views, the lead asked for an extension, staff urged `urges` times, a leader instructed."""
    roles = ["lead"] + ["co"] * (units - 1) if units > 1 else ["sole"]
    actors = make_actors(units=units, roles=roles)
    extra = [make_member(actors.committee) for _ in range(units - 1)]
    p, actors = walk_to("handling", actors=actors)
    act = services.proposal_act
    for member in extra:  # more co-signers (invited before the walk would be simpler; recorded rows suffice)
        from xieshang.proposals.models import CoSigner

        CoSigner.objects.create(proposal=p, member=member.memberships.get(), state=CoSigner.State.SIGNED)
    for user, role in zip(actors.unit_users, actors.roles, strict=True):
        p = act(actor=user, proposal=p, action="consult",
                data={"date": "2026-03-02", "form": "meeting", "summary": "座谈了解情况", "participants": "委员"})
        if role == "co":
            p = act(actor=user, proposal=p, action="send_views", data={"text": "协办意见：同意。"})
    lead = actors.unit_users[0]
    p = act(actor=lead, proposal=p, action="request_extension",
            data={"until": (p.assignments.get(unit=actors.units[0]).due_date + datetime.timedelta(days=30)).isoformat(),
                  "reason": "需要更多调研"})
    for _ in range(urges):
        p = act(actor=actors.staff, proposal=p, action="urge", data={"text": "请抓紧办理"})
    p = act(actor=actors.leader, proposal=p, action="supervise", data={"text": "请认真办理"})
    return p, actors


def _replied(units: int, urges: int):
    """A proposal answered by `units` split units (a sole one alone; one reply each), staff having urged
    `urges` times before."""
    actors = make_actors(units=units, roles=["split"] * units if units > 1 else ["sole"])
    p, actors = walk_to("handling", actors=actors)
    for _ in range(urges):
        p = services.proposal_act(actor=actors.staff, proposal=p, action="urge", data={"text": "请抓紧办理"})
    for user in actors.unit_users:
        p = services.proposal_act(actor=user, proposal=p, action="reply",
                                  data={"outcome": "adopted", "text": "经研究，已采纳。", "signed_by": "张局长"})
    return p, actors


def _evaluated(units: int, urges: int):
    """As `_replied`, then the proposer evaluated every reply: the first dissatisfied, the others satisfied
    (so it stays replied, with a re-handling for the office to decide)."""
    p, actors = _replied(units, urges)
    for i, reply in enumerate(p.replies.order_by("id")):
        p = services.proposal_act(actor=actors.proposer, proposal=p, action="evaluate",
                                  data={"reply": reply.pk, "verdict": "dissatisfied" if i == 0 else "satisfied",
                                        "comment": "办理情况的评价"})
    assert p.state == "replied" and p.evaluations.count() == units
    return p, actors


def _viewers(actors):
    return {"proposer": actors.proposer, "cosigner": actors.cosigner, "staff": actors.staff,
            "leader": actors.leader, "unit": actors.unit_users[0]}


SQL = {}  # the statements of the last measured request of each (proposal, viewer): shown when counts differ


def _count(fetch, key=None) -> int:
    fetch()  # warm: the first request of a client reads what later ones find cached (language, calendar)
    with CaptureQueriesContext(connection) as ctx:
        response = fetch()
    assert response.status_code == 200, response.content[:500]
    SQL[key] = [q["sql"][:160] for q in ctx.captured_queries]
    return len(ctx.captured_queries)


def _same(few, many, small, large):
    """The counts of both sizes are equal; when not, the message shows the statements of the first viewer
    that differs."""
    for name in few:
        if few[name] != many[name]:
            raise AssertionError(f"{name}: {few[name]} vs {many[name]} queries\n"
                                 + "\n".join(SQL[(small.pk, name)]) + "\n---\n" + "\n".join(SQL[(large.pk, name)]))


def _page_counts(client, p, actors, path) -> dict:
    counts = {}
    for name, user in _viewers(actors).items():
        client.logout()
        assert client.login(username=user.username, password=PASSWORD)
        session = client.session
        session["xieshang_committee_id"] = p.committee_id
        session.save()
        counts[name] = _count(lambda: client.get(path.format(p.pk)), (p.pk, name))
    return counts


def _api_counts(p, actors, path) -> dict:
    counts = {}
    for name, user in _viewers(actors).items():
        api = ApiClient(issue_token(user))
        counts[name] = _count(lambda: api.get(path.format(p.pk)), (p.pk, name))
    return counts


SCENARIOS = {"handling": _handling, "replied": _replied, "evaluated": _evaluated}


@pytest.mark.parametrize("scenario", SCENARIOS)
@pytest.mark.parametrize("path,limit", [("/proposals/{}/", PAGE_MAX), ("/proposals/{}/print/", PAGE_MAX)])
def test_the_detail_page_makes_the_same_few_queries_at_any_size(client, settings, scenario, path, limit):
    settings.SESSION_TOUCH_SECONDS = 10**6  # no session save falling into a measured request on a slow machine
    small, small_actors = SCENARIOS[scenario](1, 0)
    large, large_actors = SCENARIOS[scenario](5, 12)
    assert large.assignments.count() == 5 and Proposal.objects.filter(pk=large.pk).exists()
    from xieshang.core.models import Event

    assert Event.objects.for_object(large).count() > 20
    few, many = _page_counts(client, small, small_actors, path), _page_counts(client, large, large_actors, path)
    _same(few, many, small, large)
    assert max(many.values()) <= limit, many


@pytest.mark.parametrize("scenario", SCENARIOS)
@pytest.mark.parametrize("path,limit", [("proposals/{}", API_MAX), ("proposals/{}/events", EVENTS_MAX)])
def test_the_api_detail_and_events_make_the_same_few_queries_at_any_size(scenario, path, limit):
    small, small_actors = SCENARIOS[scenario](1, 0)
    large, large_actors = SCENARIOS[scenario](5, 12)
    few, many = _api_counts(small, small_actors, path), _api_counts(large, large_actors, path)
    _same(few, many, small, large)
    assert max(many.values()) <= limit, many


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_the_buttons_from_the_loaded_rows_are_those_the_database_gives(scenario):
    """The guards answer from a loaded detail's rows exactly as from the database (the same actions for
    every viewer), and rows loaded before an action are not used after it."""
    from xieshang.proposals import selectors

    p, actors = SCENARIOS[scenario](3, 2)
    for name, user in _viewers(actors).items():
        fresh = Proposal.objects.get(pk=p.pk)
        loaded = selectors.load_detail(Proposal.objects.get(pk=p.pk))
        by_db = [t.action for t in selectors.available_actions(user, fresh)]
        with CaptureQueriesContext(connection) as ctx:
            from_rows = [t.action for t in selectors.available_actions(user, loaded)]
        assert from_rows == by_db, name
        assert not [q for q in ctx.captured_queries if "proposals_" in q["sql"]], name  # no proposal table read
    loaded = selectors.load_detail(Proposal.objects.get(pk=p.pk))
    assert selectors._loaded(loaded, "assignments") is not None
    services.proposal_act(actor=actors.staff, proposal=loaded, action="mark_key", data={"is_key": True})
    assert selectors._loaded(loaded, "assignments") is None  # the action bumped the version: read again
