"""Proposal clues (提案线索) and calls (线索征集): services, the permission matrix, pages, the public form."""

from __future__ import annotations

import datetime

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from xieshang.core import clock
from xieshang.core.errors import Conflict, Forbidden, IllegalTransition, Invalid, NotFound
from xieshang.core.models import Event, Notification, Session
from xieshang.proposals import clue_selectors as sel
from xieshang.proposals import clue_services as services
from xieshang.proposals.clue_forms import signed_shown
from xieshang.proposals.models import ClueCallState, ClueSource, ClueState, Proposal, ProposalClue
from xieshang.proposals.tests.factories import make_committee, make_member, make_role_user, make_unit

pytestmark = pytest.mark.django_db

HOSTILE = "<script>alert(1)</script> \"'{{ x }}{% y %} &amp;"
TODAY = datetime.date(2026, 12, 5)


@pytest.fixture
def world():
    clock.set_to(TODAY)
    committee = make_committee()
    w = type("World", (), {})()
    w.committee = committee
    w.staff = make_role_user(committee, "staff")
    w.admin = make_role_user(committee, "admin")
    w.leader = make_role_user(committee, "leader")
    w.member = make_member(committee)
    w.member2 = make_member(committee)
    _unit, w.unit = make_unit(committee)
    w.station = make_role_user(committee, "station")
    w.outsider = make_member(make_committee())
    w.session = Session.objects.get(term__committee=committee, is_current=True)
    return w


def _call_data(w, **over):
    data = {"session": w.session.pk, "title": "2027年提案线索征集", "text": "请围绕…", "opens_on": "2026-12-01",
            "closes_on": "2027-01-10"}
    data.update(over)
    return data


def _open_call(w):
    call = services.clue_call_create(actor=w.staff, committee=w.committee, data=_call_data(w))
    return services.clue_call_publish(actor=w.staff, call=call)


def _clue(w, actor=None, **over):
    data = {"title": "农村饮水安全", "text": "部分乡镇水质不达标", "category": "agriculture"}
    data.update(over)
    return services.clue_submit(actor=actor or w.member, committee=w.committee, data=data)


# --- Services ------------------------------------------------------------------------------------------


def test_call_create_publish_close_with_audit(world):
    w = world
    call = services.clue_call_create(actor=w.staff, committee=w.committee, data=_call_data(w))
    assert call.state == ClueCallState.DRAFT
    assert not sel.open_calls(w.committee).exists()
    call = services.clue_call_publish(actor=w.staff, call=call)
    assert call.state == ClueCallState.OPEN and call.published_at
    assert list(sel.open_calls(w.committee)) == [call]
    with pytest.raises(IllegalTransition):
        services.clue_call_publish(actor=w.staff, call=call)
    call = services.clue_call_close(actor=w.staff, call=call)
    assert call.state == ClueCallState.CLOSED and not sel.open_calls(w.committee).exists()
    actions = list(Event.objects.filter(object_id=str(call.pk), action__startswith="clue_call.").values_list("action", flat=True))
    assert actions == ["clue_call.create", "clue_call.publish", "clue_call.close"]


def test_call_input_is_checked(world):
    w = world
    with pytest.raises(Invalid) as exc:
        services.clue_call_create(actor=w.staff, committee=w.committee,
                                  data=_call_data(w, title="", closes_on="2026-11-01"))
    assert "title" in exc.value.field_errors
    other = make_committee()
    with pytest.raises(Invalid) as exc:
        services.clue_call_create(actor=w.staff, committee=w.committee, data=_call_data(
            w, session=Session.objects.filter(term__committee=other).first().pk))
    assert "session" in exc.value.field_errors


def test_call_update_version_and_closed(world):
    w = world
    call = _open_call(world)
    call = services.clue_call_update(actor=w.staff, call=call, data=_call_data(w, title="新标题"),
                                     expected_version=call.version)
    assert call.title == "新标题"
    with pytest.raises(Conflict):
        services.clue_call_update(actor=w.staff, call=call, data=_call_data(w), expected_version=1)
    services.clue_call_close(actor=w.staff, call=call)
    with pytest.raises(IllegalTransition):
        services.clue_call_update(actor=w.staff, call=call, data=_call_data(w))


def test_member_clue_review_and_notification(world):
    w = world
    call = _open_call(w)
    clue = _clue(w, call=call.pk)
    assert clue.state == ClueState.SUBMITTED and clue.call == call and clue.source == ClueSource.MEMBER
    assert list(sel.clues_to_review(w.committee)) == [clue]
    clue = services.clue_review(actor=w.staff, clue=clue, decision="accept", note="很好")
    assert clue.state == ClueState.ACCEPTED and clue.reviewed_by == w.staff and clue.review_note == "很好"
    note = Notification.objects.get(recipient=w.member, kind="proposal_clue.reviewed")
    assert clue.title in note.title
    assert Event.objects.filter(action="proposal_clue.accept", object_id=str(clue.pk)).exists()
    with pytest.raises(IllegalTransition):
        services.clue_review(actor=w.staff, clue=clue, decision="decline", note="x")


def test_decline_needs_a_reason_and_duplicate_a_target(world):
    w = world
    first, second = _clue(w), _clue(w, actor=w.member2)
    with pytest.raises(Invalid) as exc:
        services.clue_review(actor=w.staff, clue=second, decision="decline", note="")
    assert "note" in exc.value.field_errors
    with pytest.raises(Invalid) as exc:
        services.clue_act(actor=w.staff, clue=second, action="mark_duplicate", data={})
    assert "duplicate_of" in exc.value.field_errors
    with pytest.raises(Invalid):
        services.clue_review(actor=w.staff, clue=second, decision="mark_duplicate", duplicate_of=second)
    foreign = services.clue_submit(actor=w.outsider, committee=w.outsider.memberships.get().committee,
                                   data={"title": "x", "text": "y", "category": "other"})
    with pytest.raises(Invalid):
        services.clue_review(actor=w.staff, clue=second, decision="mark_duplicate", duplicate_of=foreign)
    second = services.clue_review(actor=w.staff, clue=second, decision="mark_duplicate", duplicate_of=first)
    assert second.state == ClueState.DUPLICATE and second.duplicate_of == first


def test_clue_on_closed_or_foreign_call_refused(world):
    w = world
    call = _open_call(w)
    services.clue_call_close(actor=w.staff, call=call)
    with pytest.raises(Invalid) as exc:
        _clue(w, call=call.pk)
    assert "call" in exc.value.field_errors
    with pytest.raises(Invalid):
        _clue(w, call=999999)
    with pytest.raises(Invalid) as exc:
        _clue(w, title="", text="x" * 2001, category="nonsense")
    assert set(exc.value.field_errors) >= {"title", "text", "category"}


def test_draft_from_clue_prefilled_linked_and_counted(world):
    w = world
    clue = _clue(w)
    with pytest.raises(IllegalTransition):
        services.proposal_from_clue(actor=w.member, clue=clue)  # its submitter sees it, not accepted yet
    services.clue_review(actor=w.staff, clue=clue, decision="accept")
    draft = services.proposal_from_clue(actor=w.member2, clue=clue, client_key="k1")
    assert (draft.title, draft.body, draft.category, draft.state) == (clue.title, clue.text, clue.category, "draft")
    assert draft.clue_id == clue.pk and draft.lead_proposer.user == w.member2
    assert services.proposal_from_clue(actor=w.member2, clue=clue, client_key="k1").pk == draft.pk  # double click
    services.proposal_from_clue(actor=w.member, clue=clue)
    assert sel.clue_get(w.staff, clue.pk, w.committee).draft_count == 2
    assert Event.objects.filter(action="proposal_clue.draft", object_id=str(clue.pk)).count() == 2
    with pytest.raises(Forbidden):
        services.proposal_from_clue(actor=w.leader, clue=clue)  # sees it, is no member


def test_not_accepted_clue_is_hidden_from_other_members(world):
    w = world
    clue = _clue(w)
    with pytest.raises(NotFound):
        sel.clue_get(w.member2, clue.pk, w.committee)
    with pytest.raises(NotFound):
        services.proposal_from_clue(actor=w.member2, clue=clue.pk)
    assert sel.clue_get(w.member, clue.pk, w.committee) == clue


def test_public_clue_and_rate_limit(world):
    w = world
    data = {"title": HOSTILE, "text": HOSTILE, "category": "society", "name": "张三", "contact": "13912345678"}
    for _ in range(services.PUBLIC_LIMIT_PER_HOUR):
        clue = services.clue_submit_public(committee=w.committee, data=data, client="1.2.3.4")
    assert clue.source == ClueSource.PUBLIC and clue.submitted_by is None and clue.title == HOSTILE.strip()
    with pytest.raises(Invalid) as exc:
        services.clue_submit_public(committee=w.committee, data=data, client="1.2.3.4")
    assert exc.value.detail == "rate_limited"
    services.clue_submit_public(committee=w.committee, data=data, client="5.6.7.8")  # another address
    assert ProposalClue.objects.filter(source="public").count() == services.PUBLIC_LIMIT_PER_HOUR + 1
    # the public has no account: reviewing tells nobody, and does not fail
    services.clue_review(actor=w.staff, clue=clue, decision="decline", note="不属于提案范围")


# --- The permission matrix: role × action ---------------------------------------------------------------------

ROLES = ["staff", "admin", "leader", "member", "unit", "station", "outsider"]
# allowed: True; refused as forbidden: "403"; refused as not found: "404"
MATRIX = {
    "call_create": {"staff": True, "admin": True, "leader": "403", "member": "403", "unit": "403", "station": "403",
                    "outsider": "403"},
    # a call not published yet is seen by the office only: for everyone else it does not exist
    "call_publish": {"staff": True, "admin": True, "leader": "404", "member": "404", "unit": "404", "station": "404",
                     "outsider": "404"},
    "clue_submit": {"staff": True, "admin": True, "leader": "403", "member": True, "unit": "403", "station": "403",
                    "outsider": "403"},
    "clue_accept": {"staff": True, "admin": True, "leader": "404", "member": "404", "unit": "404", "station": "404",
                    "outsider": "404"},
    "draft_from_clue": {"staff": "403", "admin": "403", "leader": "403", "member": True, "unit": "404",
                        "station": "404", "outsider": "404"},
}


def _run(w, action, actor):
    if action == "call_create":
        return services.clue_call_create(actor=actor, committee=w.committee, data=_call_data(w))
    if action == "call_publish":
        call = services.clue_call_create(actor=w.staff, committee=w.committee, data=_call_data(w))
        return services.clue_call_publish(actor=actor, call=call)
    if action == "clue_submit":
        return _clue(w, actor=actor)
    if action == "clue_accept":
        return services.clue_review(actor=actor, clue=_clue(w, actor=w.member2), decision="accept")
    if action == "draft_from_clue":
        clue = services.clue_review(actor=w.staff, clue=_clue(w, actor=w.member2), decision="accept")
        return services.proposal_from_clue(actor=actor, clue=clue)
    raise AssertionError(action)


@pytest.mark.parametrize("action", list(MATRIX))
def test_permission_matrix(world, action):
    w = world
    for role in ROLES:
        expected = MATRIX[action][role]
        actor = getattr(w, role)
        if expected is True:
            assert _run(w, action, actor) is not None, (action, role)
        else:
            error = Forbidden if expected == "403" else NotFound
            with pytest.raises(error):
                _run(w, action, actor)
            # a refusal that is only Forbidden must not be a NotFound, and the reverse
            assert error in (Forbidden, NotFound), (action, role)


def test_anonymous_is_refused(world):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(Forbidden):
        services.clue_submit(actor=AnonymousUser(), committee=world.committee,
                             data={"title": "x", "text": "y", "category": "other"})
    assert not sel.clues_visible_to(AnonymousUser(), world.committee).exists()


# --- Pages ---------------------------------------------------------------------------------------------------


def _client(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def test_pages_of_staff_and_member(world):
    w = world
    call = _open_call(w)
    clue = _clue(w, call=call.pk, title=HOSTILE, text=HOSTILE)
    staff, member, member2 = _client(w.staff), _client(w.member), _client(w.member2)
    page = staff.get("/proposals/clues/?group=to_review")
    assert page.status_code == 200 and "&lt;script&gt;" in page.content.decode() and "<script>alert" not in page.content.decode()
    assert staff.get(f"/proposals/clues/{clue.pk}/").status_code == 200
    assert member2.get(f"/proposals/clues/{clue.pk}/").status_code == 404  # not accepted: not theirs
    assert _client(w.unit).get("/proposals/clues/").status_code == 200  # a role, but sees nothing
    assert staff.get(f"/proposals/clue-calls/{call.pk}/").status_code == 200
    assert member.get("/proposals/clue-calls/").status_code == 200
    # the review form: a bad decline keeps the page (no 500), a good one redirects
    response = staff.post(f"/proposals/clues/{clue.pk}/act/decline/", {"decline-note": ""})
    assert response.status_code == 200
    response = staff.post(f"/proposals/clues/{clue.pk}/act/accept/", {"accept-note": HOSTILE, "version": clue.version})
    assert response.status_code == 302
    assert member2.get(f"/proposals/clues/{clue.pk}/").status_code == 200
    response = member2.post(f"/proposals/clues/{clue.pk}/draft/", {"client_key": "abc"})
    assert response.status_code == 302
    draft = Proposal.objects.get(clue=clue)
    assert response["Location"] == f"/proposals/{draft.pk}/edit/"
    assert 'data-testid="clue-draft-count">1<' in staff.get(f"/proposals/clues/{clue.pk}/").content.decode()
    # members' form keeps typed text on an error
    response = member.post("/proposals/clues/new/", {"title": HOSTILE, "text": "", "category": "other"})
    assert response.status_code == 200 and "&lt;script&gt;alert(1)&lt;/script&gt;" in response.content.decode()
    # the call form for staff
    response = staff.post("/proposals/clue-calls/", {**_call_data(w), "title": HOSTILE})
    assert response.status_code == 302
    assert staff.post(f"/proposals/clue-calls/{call.pk}/act/close/", {"version": call.version}).status_code == 302
    assert member.post(f"/proposals/clue-calls/{call.pk}/act/publish/").status_code == 403


def test_list_makes_a_fixed_number_of_queries(world):
    w = world
    staff = _client(w.staff)

    def measure():
        staff.get("/proposals/clues/")  # warm the session
        with CaptureQueriesContext(connection) as ctx:
            assert staff.get("/proposals/clues/").status_code == 200
        return len(ctx.captured_queries)

    _clue(w)
    few = measure()
    for i in range(12):
        clue = _clue(w, actor=w.member2, title=f"线索{i}")
        if i % 2:
            services.clue_review(actor=w.staff, clue=clue, decision="accept")
            services.proposal_from_clue(actor=w.member, clue=clue)
    assert measure() == few


# --- The public portal's form ----------------------------------------------------------------------------------


def _public(client, w, **fields):
    data = {"title": "公交线路", "text": "希望增加公交线路", "category": "society", "shown": signed_shown()}
    data.update(fields)
    return client.post(f"/public/clues/?committee={w.committee.code}", data)


def test_public_form_hostile_text_errors_and_robots(world):
    w = world
    _open_call(w)
    client = Client(raise_request_exception=False)
    page = client.get(f"/public/clues/?committee={w.committee.code}")
    assert page.status_code == 200 and 'name="shown"' in page.content.decode()
    # hostile text is kept as text
    response = _public(client, w, title=HOSTILE, text=HOSTILE, name="<b>{{ 张三 }}</b>", contact="\"><x>")
    assert response.status_code == 200 and 'data-testid="clue-thanks"' in response.content.decode()
    clue = ProposalClue.objects.get()
    assert clue.title == HOSTILE.strip() and clue.source == "public"
    # errors keep what was typed, never a 500
    response = _public(client, w, title="", text=HOSTILE, category="nonsense", call="abc")
    body = response.content.decode()
    assert response.status_code == 422 and "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert 'role="alert"' in body
    for hostile in ({"call": "99999999999999999999999"}, {"text": "x" * 5000}, {"shown": "forged"}, {"shown": ""},
                    {"title": "\x00"}):
        response = _public(client, w, **hostile)
        assert response.status_code == 422, hostile
    # too fast: typed text kept, a message; sending the form it gives back at once is too fast again
    response = _public(client, w, shown=signed_shown(0), text="留着我")
    assert response.status_code == 422 and "留着我" in response.content.decode()
    again = re.search(r'name="shown" value="([^"]+)"', response.content.decode()).group(1)
    assert _public(client, w, shown=again).status_code == 422
    assert ProposalClue.objects.count() == 1
    # a robot that fills the hidden field is thanked and nothing kept
    response = _public(client, w, website="http://spam")
    assert 'data-testid="clue-thanks"' in response.content.decode() and ProposalClue.objects.count() == 1


def test_public_form_rate_limit_keeps_text(world):
    w = world
    client = Client(raise_request_exception=False)
    for _ in range(services.PUBLIC_LIMIT_PER_HOUR):
        assert 'clue-thanks' in _public(client, w).content.decode()
    response = _public(client, w, text="第六条建议")
    assert response.status_code == 429 and "第六条建议" in response.content.decode()
    assert ProposalClue.objects.count() == services.PUBLIC_LIMIT_PER_HOUR


def test_public_form_counts_each_citizen_behind_the_proxy(world, settings):
    """Behind the trusted reverse proxy every request comes from the proxy's address: the limit is counted per
    citizen (the forwarded address), and the audit row keeps it."""
    from xieshang.core.models import Event

    settings.XIESHANG_TRUSTED_PROXIES = ["127.0.0.1"]
    w = world
    for i in range(services.PUBLIC_LIMIT_PER_HOUR):
        client = Client(raise_request_exception=False, headers={"X-Forwarded-For": "203.0.113.7"})
        assert 'clue-thanks' in _public(client, w).content.decode()
    blocked = Client(raise_request_exception=False, headers={"X-Forwarded-For": "203.0.113.7"})
    assert _public(blocked, w).status_code == 429
    other = Client(raise_request_exception=False, headers={"X-Forwarded-For": "198.51.100.9"})
    assert 'clue-thanks' in _public(other, w).content.decode()  # another citizen behind the same proxy
    assert Event.objects.filter(action="proposal_clue.submit", ip_address="198.51.100.9").count() == 1


def test_public_form_unknown_committee_is_404(world):
    client = Client(raise_request_exception=False)
    assert client.get("/public/clues/?committee=nope").status_code == 404


# --- Demo ----------------------------------------------------------------------------------------------------


def test_demo_loader_writes_calls_and_clues_once(world):
    from xieshang.proposals import clue_demo

    w = world
    demo = {"committee": w.committee, "users": {"staff": w.staff}, "current_session": w.session,
            "members": {"member": w.member.memberships.get(), "member2": w.member2.memberships.get()}}
    clue_demo.load(demo)
    assert ProposalClue.objects.filter(committee=w.committee).count() == 7
    states = set(ProposalClue.objects.values_list("state", flat=True))
    assert states == {"submitted", "accepted", "declined", "duplicate"}
    assert list(sel.open_calls(w.committee).values_list("title", flat=True)) == ["大会提案线索征集（第二批）"]
    assert Proposal.objects.filter(clue__isnull=False).count() == 1
    clue_demo.load(demo)  # idempotent
    assert ProposalClue.objects.filter(committee=w.committee).count() == 7
