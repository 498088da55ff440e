"""The verdict, its correction, re-handling and co-signing through the API: the same rules as the pages
(issue #11, items 1 and 5)."""

import datetime
import json

import pytest

from xieshang.core import timers
from xieshang.core.models import Notification, TimerSetting
from xieshang.proposals import deadlines

from .conftest import make_proposal
from .test_journey import actions_of, ok

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("verdict", ["basically_satisfied", "dissatisfied"])
def test_evaluate_without_a_reason_is_422_unless_satisfied(people, verdict):
    proposal = make_proposal(people, "replied")
    for data in ({"verdict": verdict}, {"verdict": verdict, "comment": "  "}):
        body = ok(people.api_proposer.act(proposal.pk, "evaluate", data), 422)
        assert body["code"] == "invalid" and list(body["fields"]) == ["comment"]
    english = ok(people.api_proposer.in_language("en").act(proposal.pk, "evaluate", {"verdict": verdict}), 422)
    assert english["fields"]["comment"] == ["Say why you are not fully satisfied."]
    assert ok(people.api_proposer.get(f"proposals/{proposal.pk}"))["evaluations"] == []
    body = ok(people.api_proposer.act(proposal.pk, "evaluate", {"verdict": verdict, "comment": "仍有不足"}))
    assert body["evaluations"][0]["comment"] == "仍有不足"


def test_sub_verdicts_through_the_api(people):
    questions = ok(people.api_proposer.get("proposals/evaluation-questions"))
    assert [q["key"] for q in questions] == ["attitude", "result", "met_proposer"]
    assert [o["answer"] for o in questions[2]["options"]] == ["yes", "no"]
    proposal = make_proposal(people, "replied")
    bad = ok(people.api_proposer.act(proposal.pk, "evaluate", {"verdict": "satisfied", "answers": {"attitude": "好"}}), 422)
    assert list(bad["fields"]) == ["answers"]
    bad = ok(people.api_proposer.act(proposal.pk, "evaluate", {"verdict": "satisfied", "answers": ["x"]}), 422)
    assert list(bad["fields"]) == ["answers"]
    body = ok(people.api_proposer.act(proposal.pk, "evaluate",
                                      {"verdict": "satisfied", "answers": {"attitude": "satisfied", "met_proposer": "yes"}}))
    answers = body["evaluations"][0]["answers"]
    assert [(a["key"], a["answer"]) for a in answers] == [("attitude", "satisfied"), ("met_proposer", "yes")]
    assert body["evaluations"][0]["corrected_at"] is None


def test_the_proposer_corrects_until_the_office_rehandles(people):
    proposal = make_proposal(people, "replied")
    pid = proposal.pk
    ok(people.api_proposer.act(pid, "evaluate", {"verdict": "dissatisfied", "comment": "没有见面"}))
    assert "correct_evaluation" in actions_of(ok(people.api_proposer.get(f"proposals/{pid}")))
    assert "correct_evaluation" not in actions_of(ok(people.api_staff.get(f"proposals/{pid}")))
    assert ok(people.api_staff.act(pid, "correct_evaluation", {"verdict": "satisfied"}), 403)["code"] == "forbidden"
    assert ok(people.api_outsider.act(pid, "correct_evaluation", {"verdict": "satisfied"}), 404)["code"] == "not_found"
    assert list(ok(people.api_proposer.act(pid, "correct_evaluation", {"verdict": "dissatisfied"}), 422)["fields"]) == [
        "comment"]
    body = ok(people.api_proposer.act(pid, "correct_evaluation", {"verdict": "dissatisfied", "comment": "没有见面，也没有电话"}))
    assert body["state"] == "replied" and body["evaluations"][0]["corrected_at"]
    assert body["evaluations"][0]["comment"] == "没有见面，也没有电话"
    ok(people.api_staff.act(pid, "rehandle", {"instructions": "请与提案人见面后重新答复"}))
    refused = ok(people.api_proposer.act(pid, "correct_evaluation", {"verdict": "satisfied"}), 409)
    assert refused["code"] == "illegal_transition"


def test_rehandle_takes_instructions_and_gives_the_timer_due_date(people):
    TimerSetting.objects.create(committee=people.committee, key="proposal.rehandle_reply", amount=2, unit="months")
    proposal = make_proposal(people, "replied")
    pid = proposal.pk
    ok(people.api_proposer.act(pid, "evaluate", {"verdict": "dissatisfied", "comment": "没有解决"}))
    missing = ok(people.api_staff.act(pid, "rehandle", {}), 422)
    assert list(missing["fields"]) == ["instructions"]
    body = ok(people.api_staff.act(pid, "rehandle", {"instructions": "请与提案人面商后重新答复。"}))
    due = timers.deadline(people.committee, "proposal.rehandle_reply", deadlines.today())
    assert due > deadlines.today() + datetime.timedelta(days=55)  # the committee's 2 months, not the default 3
    assert body["state"] == "handling" and body["round"] == 2
    assert body["rehandlings"] == [{"round": 2, "instructions": "请与提案人面商后重新答复。", "due_date": due.isoformat(),
                                    "created_at": body["rehandlings"][0]["created_at"]}]
    live = [a for a in body["assignments"] if a["state"] == "handling"]
    assert live and all(a["due_date"] == due.isoformat() and a["round"] == 2 for a in live)
    # the unit sees the instructions on the proposal it handles again
    seen = ok(people.api_lead.get(f"proposals/{pid}"))
    assert seen["rehandlings"][0]["instructions"] == "请与提案人面商后重新答复。"


def test_cosigning_ends_when_the_last_invited_co_signer_answers(people):
    proposal = make_proposal(people, "draft")
    pid = proposal.pk
    outsider = people.outsider.memberships.get(committee=people.committee)
    ok(people.api_proposer.act(pid, "invite_cosigners", {"members": [people.cosigner_member.pk, outsider.pk]}))
    assert ok(people.api_proposer.act(pid, "submit"))["state"] == "cosigning"
    body = ok(people.api_cosigner.act(pid, "cosign"))
    assert body["state"] == "cosigning"
    assert [c["state"] for c in body["cosigners"]] == ["signed", "invited"]
    body = ok(people.api_outsider.act(pid, "decline_cosign"))
    assert body["state"] == "submitted"
    events = ok(people.api_proposer.get(f"proposals/{pid}/events"))
    assert [(e["action"], e["to_state"]) for e in events][-2:] == [
        ("proposal.cosign", "cosigning"), ("proposal.decline_cosign", "submitted")]
    assert Notification.objects.filter(kind="proposal.cosigning_complete", recipient=people.proposer).count() == 1


def _put(api, data):
    return api.client.put(api.url("proposals/evaluation-questions"), json.dumps({"questions": data}),
                          content_type="application/json", headers=api.headers())


def test_the_office_sets_the_questions_through_the_api(people):
    questions = [{"label": "办理态度", "options": ["满意", "不满意"]}, {"label": "是否见面", "options": ["是", "否"]}]
    for api in (people.api_proposer, people.api_lead, people.api_leader):
        assert ok(_put(api, questions), 403)["code"] == "forbidden"
    bad = ok(_put(people.api_staff, [{"label": "态度", "options": ["好"]}]), 422)
    assert list(bad["fields"]) == ["questions"]
    body = ok(_put(people.api_staff, questions))
    assert [(q["key"], q["label"]) for q in body] == [("q1", "办理态度"), ("q2", "是否见面")]
    assert ok(people.api_proposer.get("proposals/evaluation-questions")) == body
    proposal = make_proposal(people, "replied")
    done = ok(people.api_proposer.act(proposal.pk, "evaluate", {"verdict": "satisfied", "answers": {"q2": "是"}}))
    assert done["evaluations"][0]["answers"] == [{"key": "q2", "question": "是否见面", "answer": "是", "label": "是"}]
    assert ok(_put(people.api_staff, [])) == ok(
        people.api_staff.get("proposals/evaluation-questions"))


def test_the_questions_are_cleaned_of_hostile_characters(people):
    """A lone surrogate or a control character in a question was stored as it came (a 500 later): the schema
    and the service clean the text like every other."""
    raw = '{"questions": [{"label": "办理\\u0013态度\\nok", "options": ["满意\\ud800", "不满意"]}]}'
    api = people.api_staff
    response = api.client.put(api.url("proposals/evaluation-questions"), raw, content_type="application/json",
                              headers=api.headers())
    assert response.status_code == 200, response.content
    [question] = response.json()
    assert question["label"] == "办理态度 ok"
    assert [o["label"] for o in question["options"]] == ["满意", "不满意"]
