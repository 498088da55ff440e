"""The verdict and re-handling (issue #11, item 1) and co-signing that ends by itself (item 5), through the
services: a reason unless satisfied, the committee's sub-verdict questions, the proposer's correction until
the office decides, the workbench to-do of dissatisfied verdicts, re-handling instructions with the new
due date from the committee's re-handling timer (assignment, core Deadline row, unit inbox)."""

import datetime

import pytest

from xieshang.core import deadlines as core_deadlines
from xieshang.core import timers
from xieshang.core.errors import Forbidden, IllegalTransition, Invalid, NotFound
from xieshang.core.models import Event, Notification, TimerSetting
from xieshang.proposals import deadlines, selectors, services
from xieshang.proposals.models import CoSigner, Evaluation, ProposalState, Rehandling
from xieshang.proposals.tests.factories import make_actors, make_member, make_role_user, set_today, walk_to

pytestmark = pytest.mark.django_db
act = services.proposal_act
HOSTILE = "<script>alert('x')</script> ' OR 1=1 -- 🙂"
DISSATISFIED = {"verdict": "dissatisfied", "comment": "答复没有回应具体问题。"}


def _todo_count(user, committee) -> int:
    items = [t for t in selectors.todos_for(user, committee) if t["url"].endswith("/dissatisfied/")]
    return items[0]["count"] if items else 0


def _offered(user, p) -> set[str]:
    return {t.action for t in selectors.available_actions(user, p)}


# --- The verdict asks for a reason unless satisfied -------------------------------------------------


@pytest.mark.parametrize("verdict", ["basically_satisfied", "dissatisfied"])
def test_a_verdict_other_than_satisfied_needs_a_reason(committee, verdict):
    p, actors = walk_to("replied", committee=committee)
    for comment in (None, "", "   "):
        data = {"verdict": verdict} if comment is None else {"verdict": verdict, "comment": comment}
        with pytest.raises(Invalid) as err:
            act(actor=actors.proposer, proposal=p, action="evaluate", data=data)
        assert list(err.value.field_errors) == ["comment"]
    p.refresh_from_db()
    assert p.state == ProposalState.REPLIED and not Evaluation.objects.filter(proposal=p).exists()
    p = act(actor=actors.proposer, proposal=p, action="evaluate", data={"verdict": verdict, "comment": HOSTILE})
    assert Evaluation.objects.get(proposal=p).comment == HOSTILE.strip()


def test_satisfied_needs_no_reason(committee):
    p, actors = walk_to("replied", committee=committee)
    p = act(actor=actors.proposer, proposal=p, action="evaluate", data={"verdict": "satisfied"})
    assert p.state == ProposalState.CLOSED


# --- Sub-verdicts: the defaults and the committee's own questions --------------------------------------


def test_default_sub_verdicts_are_stored_with_their_words(committee):
    p, actors = walk_to("replied", committee=committee)
    keys = [q["key"] for q in selectors.evaluation_questions(committee)]
    assert keys == ["attitude", "result", "met_proposer"]
    answers = {"met_proposer": "no", "attitude": "basically_satisfied"}
    p = act(actor=actors.proposer, proposal=p, action="evaluate", data={**DISSATISFIED, "answers": answers})
    stored = Evaluation.objects.get(proposal=p).answers
    assert [(a["key"], a["answer"]) for a in stored] == [("attitude", "basically_satisfied"), ("met_proposer", "no")]
    assert all(a["question"] and a["label"] for a in stored)
    assert Event.objects.for_object(p).get(action="proposal.evaluate").payload["answers"] == stored


@pytest.mark.parametrize("answers", [{"attitude": "wonderful"}, {"nonsense": "yes"}, {"met_proposer": "satisfied"}])
def test_answers_not_offered_are_refused(committee, answers):
    p, actors = walk_to("replied", committee=committee)
    with pytest.raises(Invalid) as err:
        act(actor=actors.proposer, proposal=p, action="evaluate", data={"verdict": "satisfied", "answers": answers})
    assert list(err.value.field_errors) == ["answers"]


def test_staff_set_the_committee_questions(committee):
    actors = make_actors(committee)
    rows = services.evaluation_questions_set(actor=actors.staff, committee=committee, questions=[
        {"label": "办理态度", "options": ["满意", "基本满意", "不满意"]},
        {"label": "是否见面", "options": ["是", "否"]},
    ])
    assert [r.label for r in rows] == ["办理态度", "是否见面"]
    questions = selectors.evaluation_questions(committee)
    assert [(q["key"], q["label"]) for q in questions] == [("q1", "办理态度"), ("q2", "是否见面")]
    assert Event.objects.filter(action="proposal.evaluation_questions", committee=committee).count() == 1
    p, _ = walk_to("replied", actors=actors)
    p = act(actor=actors.proposer, proposal=p, action="evaluate",
            data={"verdict": "satisfied", "answers": {"q2": "是"}})
    assert Evaluation.objects.get(proposal=p).answers == [{"key": "q2", "question": "是否见面", "answer": "是", "label": "是"}]
    # a later change of the questions leaves the past evaluation as it was answered
    services.evaluation_questions_set(actor=actors.staff, committee=committee, questions=[])
    assert [q["key"] for q in selectors.evaluation_questions(committee)] == ["attitude", "result", "met_proposer"]
    assert Evaluation.objects.get(proposal=p).answers[0]["question"] == "是否见面"


@pytest.mark.parametrize("questions", [
    [{"label": "", "options": ["是", "否"]}],
    [{"label": "只有一个答案", "options": ["是"]}],
    [{"label": "重复", "options": ["是", "是"]}],
    [{"label": "问" * 101, "options": ["是", "否"]}],
    [{"label": f"问题{i}", "options": ["是", "否"]} for i in range(11)],
])
def test_bad_question_lists_are_refused(committee, questions):
    actors = make_actors(committee)
    with pytest.raises(Invalid) as err:
        services.evaluation_questions_set(actor=actors.staff, committee=committee, questions=questions)
    assert list(err.value.field_errors) == ["questions"]
    assert selectors.evaluation_questions_custom(committee) is False


@pytest.mark.parametrize("role", ["member", "unit", "leader"])
def test_only_the_office_sets_the_questions(committee, role):
    actors = make_actors(committee)
    user = {"member": actors.proposer, "unit": actors.unit_users[0], "leader": actors.leader}[role]
    with pytest.raises(Forbidden):
        services.evaluation_questions_set(actor=user, committee=committee, questions=[])
    admin = make_role_user(committee, "admin")
    services.evaluation_questions_set(actor=admin, committee=committee, questions=[{"label": "态度", "options": ["好", "差"]}])


# --- Correction: only the proposer, only until the office decides -------------------------------------


def test_the_proposer_corrects_the_verdict_until_the_office_decides(committee):
    p, actors = walk_to("replied", committee=committee)
    assert "correct_evaluation" not in _offered(actors.proposer, p)  # nothing evaluated yet
    with pytest.raises(IllegalTransition) as err:
        act(actor=actors.proposer, proposal=p, action="correct_evaluation", data={"verdict": "satisfied"})
    assert err.value.detail == "nothing_to_correct"
    p = act(actor=actors.proposer, proposal=p, action="evaluate", data=DISSATISFIED)
    assert "correct_evaluation" in _offered(actors.proposer, p)
    with pytest.raises(Invalid):  # the same rule: a reason unless satisfied
        act(actor=actors.proposer, proposal=p, action="correct_evaluation", data={"verdict": "basically_satisfied"})
    p = act(actor=actors.proposer, proposal=p, action="correct_evaluation",
            data={"verdict": "dissatisfied", "comment": "补充：办理期间没有见面。", "answers": {"met_proposer": "no"}})
    ev = Evaluation.objects.get(proposal=p)
    assert (ev.verdict, ev.comment, ev.corrected_at is not None) == ("dissatisfied", "补充：办理期间没有见面。", True)
    assert p.state == ProposalState.REPLIED
    event = Event.objects.for_object(p).get(action="proposal.correct_evaluation")
    assert event.payload["before"] == {str(ev.reply_id): "dissatisfied"} and event.actor == actors.proposer
    version = p.version
    p = act(actor=actors.proposer, proposal=p, action="correct_evaluation",  # the same again: nothing changes
            data={"verdict": "dissatisfied", "comment": "补充：办理期间没有见面。", "answers": {"met_proposer": "no"}})
    assert p.version == version
    # corrected to basically satisfied: every reply of the round is evaluated without dissatisfaction → closed
    p = act(actor=actors.proposer, proposal=p, action="correct_evaluation",
            data={"verdict": "basically_satisfied", "comment": "电话沟通后基本满意。"})
    assert p.state == ProposalState.CLOSED
    # the unit heard the verdict and each correction (not the correction that changed nothing)
    assert Notification.objects.filter(kind="proposal.evaluated", recipient=actors.unit_users[0]).count() == 3
    with pytest.raises(IllegalTransition):  # closed: too late to correct
        act(actor=actors.proposer, proposal=p, action="correct_evaluation", data={"verdict": "satisfied"})


def test_no_correction_after_re_handling_or_closing(committee, monkeypatch):
    p, actors = walk_to("replied", committee=committee)
    p = act(actor=actors.proposer, proposal=p, action="evaluate", data=DISSATISFIED)
    p = act(actor=actors.staff, proposal=p, action="rehandle", data={"instructions": "请当面沟通后重新答复。"})
    assert "correct_evaluation" not in _offered(actors.proposer, p)
    with pytest.raises(IllegalTransition):
        act(actor=actors.proposer, proposal=p, action="correct_evaluation", data={"verdict": "satisfied"})
    q, actors = walk_to("replied", committee=committee)
    q = act(actor=actors.proposer, proposal=q, action="evaluate", data=DISSATISFIED)
    set_today(monkeypatch, q.evaluation_due + datetime.timedelta(days=1))
    q = act(actor=actors.staff, proposal=q, action="close")
    with pytest.raises(IllegalTransition):
        act(actor=actors.proposer, proposal=q, action="correct_evaluation", data={"verdict": "satisfied"})


@pytest.mark.parametrize("role", ["cosigner", "staff", "leader", "unit", "other_member"])
def test_only_the_proposer_corrects(committee, role):
    p, actors = walk_to("replied", committee=committee)
    p = act(actor=actors.proposer, proposal=p, action="evaluate", data=DISSATISFIED)
    user = {"cosigner": actors.cosigner, "staff": actors.staff, "leader": actors.leader,
            "unit": actors.unit_users[0], "other_member": make_member(committee)}[role]
    expected = NotFound if role == "other_member" else Forbidden
    with pytest.raises(expected):
        act(actor=user, proposal=p, action="correct_evaluation", data={"verdict": "satisfied"})
    assert Evaluation.objects.get(proposal=p).verdict == "dissatisfied"
    if role != "other_member":
        assert "correct_evaluation" not in _offered(user, p)


def test_correcting_one_reply_of_several(committee):
    actors = make_actors(committee, units=2, roles=["split", "split"])
    p, _ = walk_to("replied", actors=actors)
    first, second = p.replies.order_by("id")
    p = act(actor=actors.proposer, proposal=p, action="evaluate", data={"reply": first.pk, "verdict": "satisfied"})
    with pytest.raises(Invalid):  # not evaluated yet: nothing of it to correct
        act(actor=actors.proposer, proposal=p, action="correct_evaluation", data={"reply": second.pk, **DISSATISFIED})
    p = act(actor=actors.proposer, proposal=p, action="correct_evaluation", data={"reply": first.pk, **DISSATISFIED})
    assert Evaluation.objects.get(reply=first).verdict == "dissatisfied"
    assert p.state == ProposalState.REPLIED and not Evaluation.objects.filter(reply=second).exists()


# --- The workbench to-do ------------------------------------------------------------------------------


def test_dissatisfied_verdicts_are_a_staff_to_do(committee):
    actors = make_actors(committee)
    a, _ = walk_to("replied", actors=actors)
    b, _ = walk_to("replied", actors=actors)
    walk_to("replied", actors=actors)  # not evaluated: not counted
    assert _todo_count(actors.staff, committee) == 0
    a = act(actor=actors.proposer, proposal=a, action="evaluate", data=DISSATISFIED)
    b = act(actor=actors.proposer, proposal=b, action="evaluate", data=DISSATISFIED)
    assert _todo_count(actors.staff, committee) == 2
    assert list(selectors.dissatisfied_to_decide(committee)) == [a, b]
    assert _todo_count(actors.proposer, committee) == 0 and _todo_count(actors.unit_users[0], committee) == 0
    act(actor=actors.staff, proposal=a, action="rehandle", data={"instructions": "请重新办理。"})
    assert _todo_count(actors.staff, committee) == 1
    act(actor=actors.proposer, proposal=b, action="correct_evaluation", data={"verdict": "satisfied"})
    assert _todo_count(actors.staff, committee) == 0


# --- Re-handling: instructions and the new due date from the committee's timer --------------------------


def test_rehandle_needs_instructions(committee):
    p, actors = walk_to("replied", committee=committee)
    p = act(actor=actors.proposer, proposal=p, action="evaluate", data=DISSATISFIED)
    for data in ({}, {"instructions": "  "}, {"instructions": "长" * 5001}):
        with pytest.raises(Invalid) as err:
            act(actor=actors.staff, proposal=p, action="rehandle", data=data)
        assert list(err.value.field_errors) == ["instructions"]
    p.refresh_from_db()
    assert p.state == ProposalState.REPLIED and not Rehandling.objects.exists()


def test_rehandle_sets_the_due_date_from_the_committee_timer(committee, monkeypatch):
    set_today(monkeypatch, datetime.date(2025, 9, 22))
    TimerSetting.objects.create(committee=committee, key="proposal.rehandle_reply", amount=20, unit="working_days")
    p, actors = walk_to("replied", committee=committee)
    p = act(actor=actors.proposer, proposal=p, action="evaluate", data=DISSATISFIED)
    set_today(monkeypatch, datetime.date(2025, 9, 25))
    p = act(actor=actors.staff, proposal=p, action="rehandle", data={"instructions": HOSTILE})
    due = timers.deadline(committee, "proposal.rehandle_reply", datetime.date(2025, 9, 25))
    # the committee's 20 working days (the National Day holidays skipped), not the default 3 months
    assert datetime.date(2025, 10, 23) < due < timers.apply(committee, 3, "months", datetime.date(2025, 9, 25))
    row = Rehandling.objects.get(proposal=p)
    assert (row.round, row.instructions, row.due_date, row.created_by) == (2, HOSTILE.strip(), due, actors.staff)
    a = p.assignments.get()
    assert (a.state, a.round, a.due_date) == ("handling", 2, due)
    # the core Deadline row of the unit's reply follows
    reply = [d for d in core_deadlines.deadlines_of(p) if d.kind == "proposal.reply"]
    assert [(d.party, d.due_on, d.state) for d in reply] == [(deadlines.party_of(a), due, "open")]
    # the unit is told, with the instructions, and sees them in its inbox with the new due date
    told = Notification.objects.get(kind="proposal.rehandle", recipient=actors.unit_users[0])
    assert told.body == HOSTILE.strip()
    inbox = list(selectors.unit_inbox(actors.unit_users[0], committee, "handling"))
    assert [(x.pk, x.due_date, x.rehandle_instructions) for x in inbox] == [(a.pk, due, HOSTILE.strip())]
    payload = Event.objects.for_object(p).get(action="proposal.rehandle").payload
    assert payload["instructions"] == HOSTILE.strip() and payload["due_date"] == due.isoformat()


def test_first_round_assignments_carry_no_instructions(committee):
    p, actors = walk_to("handling", committee=committee)
    inbox = list(selectors.unit_inbox(actors.unit_users[0], committee, "handling"))
    assert [x.rehandle_instructions for x in inbox] == [None]


# --- Co-signing ends by itself ---------------------------------------------------------------------------


def test_cosigning_ends_when_the_last_invited_co_signer_answers(committee):
    actors = make_actors(committee)
    late = make_member(committee)
    p, _ = walk_to("cosigning", actors=actors)
    # a member invited while co-signing runs keeps it open until they answer too
    p = act(actor=actors.proposer, proposal=p, action="invite_cosigners",
            data={"members": [late.memberships.get().pk]})
    p = act(actor=actors.cosigner, proposal=p, action="cosign")
    assert p.state == ProposalState.COSIGNING
    assert [c.member.user for c in p.cosigners.filter(state=CoSigner.State.INVITED)] == [late]
    p = act(actor=late, proposal=p, action="decline_cosign")
    assert p.state == ProposalState.SUBMITTED and p.submitted_at is not None
    told = Notification.objects.get(kind="proposal.cosigning_complete")
    assert told.recipient == actors.proposer
    payload = Event.objects.for_object(p).get(action="proposal.decline_cosign").payload
    assert (payload["cosigning_ended"], payload["signed"], payload["declined"]) == (True, 1, 1)
    # the office reviews it at once: nothing waits for the deadline
    assert p in selectors.review_queue(committee)


def test_the_proposer_may_still_end_cosigning_early(committee):
    p, actors = walk_to("cosigning", committee=committee)
    p = act(actor=actors.proposer, proposal=p, action="close_cosigning")
    assert p.state == ProposalState.SUBMITTED
    assert not Notification.objects.filter(kind="proposal.cosigning_complete").exists()
