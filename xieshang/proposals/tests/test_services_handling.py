"""Handling (办理): consultations with the proposer, co units' views, extensions, replies."""

import datetime

import pytest
from django.utils import timezone
from django.core.files.uploadedfile import SimpleUploadedFile

from xieshang.core.errors import Forbidden, IllegalTransition, Invalid
from xieshang.core.models import Notification
from xieshang.proposals import services
from xieshang.proposals.models import (
    Assignment,
    CoUnitView,
    ExtensionRequest,
    HandlingConsultation,
    ProposalState,
    Reply,
)
from xieshang.proposals.tests.factories import make_actors, set_today, walk_to

pytestmark = pytest.mark.django_db
act = services.proposal_act

REPLY = {"outcome": "planned", "text": "已列入明年计划。", "signed_by": "李主任"}


@pytest.fixture
def actors(committee):
    return make_actors(committee, units=2)  # lead + co


def test_consult_records_a_consultation(actors):
    p, _ = walk_to("handling", actors=actors)
    today = timezone.localdate().isoformat()
    p = act(actor=actors.unit_users[0], proposal=p, action="consult",
            data={"date": today, "form": "meeting", "summary": "与提案人面商", "participants": "王委员"})
    row = HandlingConsultation.objects.get()
    assert (row.form, row.summary, row.recorded_by) == ("meeting", "与提案人面商", actors.unit_users[0])
    for bad in ({"date": "31/12/2025", "form": "meeting", "summary": "x"},
                {"date": today, "form": "pigeon", "summary": "x"},
                {"date": today, "form": "phone", "summary": ""},
                {"date": "2999-01-01", "form": "phone", "summary": "x"}):
        with pytest.raises(Invalid):
            act(actor=actors.unit_users[0], proposal=p, action="consult", data=bad)
    assert HandlingConsultation.objects.count() == 1


def test_consult_before_acknowledging_is_illegal(actors):
    p, _ = walk_to("assigned", actors=actors)
    with pytest.raises(IllegalTransition):
        act(actor=actors.unit_users[0], proposal=p, action="consult",
            data={"date": "2026-01-05", "form": "phone", "summary": "x"})


def test_co_unit_sends_views_to_the_lead_unit(actors):
    p, _ = walk_to("handling", actors=actors)
    with pytest.raises(Forbidden):
        act(actor=actors.unit_users[0], proposal=p, action="send_views", data={"text": "x"})
    with pytest.raises(Invalid):
        act(actor=actors.unit_users[1], proposal=p, action="send_views", data={"text": ""})
    p = act(actor=actors.unit_users[1], proposal=p, action="send_views", data={"text": "建议增加投入"})
    assert CoUnitView.objects.get().text == "建议增加投入"
    assert p.assignments.get(role="co").state == "replied"
    assert p.state == ProposalState.HANDLING  # the co unit's views do not answer the proposer
    assert Notification.objects.filter(kind="proposal.co_views", recipient=actors.unit_users[0]).exists()
    with pytest.raises(IllegalTransition):
        act(actor=actors.unit_users[1], proposal=p, action="send_views", data={"text": "again"})


def test_co_unit_cannot_reply(actors):
    p, _ = walk_to("handling", actors=actors)
    with pytest.raises(Forbidden):
        act(actor=actors.unit_users[1], proposal=p, action="reply", data=REPLY)


def test_reply_by_the_lead_unit_replies_the_proposal_and_closes_the_co_unit(actors):
    p, _ = walk_to("handling", actors=actors)
    p = act(actor=actors.unit_users[0], proposal=p, action="reply", data=REPLY)
    assert p.state == ProposalState.REPLIED and p.replied_at and p.evaluation_due
    reply = Reply.objects.get()
    assert (reply.outcome, reply.round, reply.is_on_time, reply.signed_by) == ("planned", 1, True, "李主任")
    assert set(p.assignments.values_list("state", flat=True)) == {"replied"}
    assert Notification.objects.filter(kind="proposal.replied", recipient=actors.proposer).exists()


def test_split_units_each_reply_before_the_proposal_is_replied(committee):
    actors = make_actors(committee, units=2, roles=["split", "split"])
    p, _ = walk_to("handling", actors=actors)
    p = act(actor=actors.unit_users[0], proposal=p, action="reply", data=REPLY)
    assert p.state == ProposalState.HANDLING
    with pytest.raises(IllegalTransition):  # replied already
        act(actor=actors.unit_users[0], proposal=p, action="reply", data=REPLY)
    p = act(actor=actors.unit_users[1], proposal=p, action="reply", data=REPLY)
    assert p.state == ProposalState.REPLIED
    assert Reply.objects.filter(proposal=p).count() == 2


def test_reply_validates_outcome_text_and_letter(actors, settings):
    p, _ = walk_to("handling", actors=actors)
    user = actors.unit_users[0]
    with pytest.raises(Invalid) as err:
        act(actor=user, proposal=p, action="reply", data={"outcome": "Z", "text": "x"})
    assert "outcome" in err.value.field_errors
    with pytest.raises(Invalid) as err:
        act(actor=user, proposal=p, action="reply", data={"outcome": "adopted", "text": " "})
    assert "text" in err.value.field_errors
    with pytest.raises(Invalid) as err:
        act(actor=user, proposal=p, action="reply",
            data={**REPLY, "letter": SimpleUploadedFile("letter.exe", b"MZ")})
    assert "letter" in err.value.field_errors
    settings.XIESHANG_MAX_UPLOAD_MB = 1
    with pytest.raises(Invalid) as err:
        act(actor=user, proposal=p, action="reply",
            data={**REPLY, "letter": SimpleUploadedFile("letter.pdf", b"%PDF" + b"0" * (1024 * 1024 + 1))})
    assert "letter" in err.value.field_errors
    assert not Reply.objects.exists()
    p = act(actor=user, proposal=p, action="reply",
            data={**REPLY, "letter": SimpleUploadedFile("答复函.pdf", b"%PDF-1.4 test")})
    assert Reply.objects.get().letter.name.endswith(".pdf")


def test_late_reply_is_not_on_time(actors, monkeypatch):
    p, _ = walk_to("handling", actors=actors)
    lead = p.assignments.get(role="lead")
    set_today(monkeypatch, lead.due_date)
    act(actor=actors.unit_users[1], proposal=p, action="send_views", data={"text": "x"})
    Assignment.objects.filter(pk=lead.pk).update(due_date=lead.due_date - datetime.timedelta(days=1))
    act(actor=actors.unit_users[0], proposal=p, action="reply", data=REPLY)
    assert Reply.objects.get().is_on_time is False


def test_reply_on_the_due_date_is_on_time(actors, monkeypatch):
    p, _ = walk_to("handling", actors=actors)
    set_today(monkeypatch, p.assignments.get(role="lead").due_date)
    act(actor=actors.unit_users[0], proposal=p, action="reply", data=REPLY)
    assert Reply.objects.get().is_on_time is True


def test_extension_request_and_approval(actors):
    p, _ = walk_to("handling", actors=actors)
    lead = p.assignments.get(role="lead")
    user = actors.unit_users[0]
    too_late = lead.original_due_date + datetime.timedelta(days=200)
    with pytest.raises(Invalid) as err:
        act(actor=user, proposal=p, action="request_extension", data={"until": too_late.isoformat(), "reason": "x"})
    assert "until" in err.value.field_errors
    with pytest.raises(Invalid):
        act(actor=user, proposal=p, action="request_extension", data={"until": lead.due_date.isoformat(), "reason": "x"})
    with pytest.raises(Invalid):
        act(actor=user, proposal=p, action="request_extension",
            data={"until": (lead.due_date + datetime.timedelta(days=30)).isoformat(), "reason": ""})
    until = lead.due_date + datetime.timedelta(days=30)
    p = act(actor=user, proposal=p, action="request_extension", data={"until": until.isoformat(), "reason": "需跨部门协调"})
    req = ExtensionRequest.objects.get()
    assert Notification.objects.filter(kind="proposal.extension_requested", recipient=actors.staff).exists()
    with pytest.raises(IllegalTransition):  # one pending request at a time
        act(actor=user, proposal=p, action="request_extension", data={"until": until.isoformat(), "reason": "x"})
    with pytest.raises(Forbidden):
        act(actor=user, proposal=p, action="approve_extension", data={"request": req.pk})
    p = act(actor=actors.staff, proposal=p, action="approve_extension", data={"request": req.pk})
    lead.refresh_from_db()
    req.refresh_from_db()
    assert lead.due_date == until and lead.original_due_date < until
    assert (req.state, req.decided_by) == ("approved", actors.staff)
    assert Notification.objects.filter(kind="proposal.extension_decided", recipient=user).exists()
    with pytest.raises(IllegalTransition):
        act(actor=actors.staff, proposal=p, action="refuse_extension", data={"request": req.pk})


def test_extension_up_to_six_months_after_the_original_date(actors):
    p, _ = walk_to("handling", actors=actors)
    lead = p.assignments.get(role="lead")
    from xieshang.proposals.deadlines import latest_extension

    latest = latest_extension(actors.committee, lead.original_due_date)
    assert latest >= lead.original_due_date + datetime.timedelta(days=180)
    act(actor=actors.unit_users[0], proposal=p, action="request_extension", data={"until": latest, "reason": "x"})
    assert ExtensionRequest.objects.get().requested_until == latest


def test_extension_refused_keeps_the_due_date(actors):
    p, _ = walk_to("handling", actors=actors)
    lead = p.assignments.get(role="lead")
    due = lead.due_date
    act(actor=actors.unit_users[0], proposal=p, action="request_extension",
        data={"until": due + datetime.timedelta(days=10), "reason": "x"})
    req = ExtensionRequest.objects.get()
    with pytest.raises(Invalid):
        act(actor=actors.staff, proposal=p, action="refuse_extension", data={"request": 424242})
    act(actor=actors.staff, proposal=p, action="refuse_extension", data={"request": req.pk, "note": "不符合条件"})
    lead.refresh_from_db()
    req.refresh_from_db()
    assert lead.due_date == due and req.state == "refused" and req.decision_note == "不符合条件"


def test_handling_actions_before_handling_are_illegal(actors):
    p, _ = walk_to("registered", actors=actors)
    with pytest.raises(IllegalTransition):
        act(actor=actors.staff, proposal=p, action="approve_extension", data={"request": 1})


@pytest.mark.parametrize("bad", [2**70, "9" * 30, "abc", -1, True])
def test_ids_that_name_nothing_are_refused_cleanly(actors, bad):
    p, _ = walk_to("handling", actors=actors)
    with pytest.raises(Invalid):
        act(actor=actors.staff, proposal=p, action="approve_extension", data={"request": bad})
    with pytest.raises(Invalid):
        act(actor=actors.unit_users[0], proposal=p, action="reply", data={**REPLY, "assignment": bad})
    with pytest.raises(Invalid):
        act(actor=actors.staff, proposal=p, action="urge", data={"assignment": bad})
    from xieshang.core.errors import NotFound
    from xieshang.proposals.selectors import proposal_get

    with pytest.raises(NotFound):
        proposal_get(actors.staff, bad)
    with pytest.raises(NotFound):
        act(actor=actors.staff, proposal=bad if not isinstance(bad, bool) else 0, action="urge")
