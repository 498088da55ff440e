"""The pages of the verdict (reason, sub-verdicts, a confirmation step, the correction), of re-handling
(instructions, the new due date on the detail and in the unit inbox), of the office's dissatisfied list and
evaluation questions, and of co-signing (who has not answered yet)."""

import pytest
from django.test import Client
from django.urls import reverse

from xieshang.core.formats import cn_date
from xieshang.proposals import services
from xieshang.proposals.models import Evaluation, EvaluationQuestion, ProposalState
from xieshang.proposals.tests.factories import make_actors, make_member, walk_to

pytestmark = pytest.mark.django_db
act = services.proposal_act
HOSTILE = "<script>alert('x')</script>"
ESCAPED = "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;"


@pytest.fixture
def actors(committee):
    return make_actors(committee)


def client_for(user):
    c = Client()
    c.force_login(user)
    return c


def _act_url(p, action):
    return reverse("proposals:act", args=[p.pk, action])


def _detail(client, p) -> str:
    return client.get(reverse("proposals:detail", args=[p.pk])).content.decode()


def test_the_evaluation_form_asks_a_reason_and_the_sub_verdicts_then_a_confirmation(actors):
    p, _ = walk_to("replied", actors=actors)
    member = client_for(actors.proposer)
    html = _detail(member, p)
    assert 'name="evaluate-comment"' in html and 'name="evaluate-answer_attitude"' in html
    assert 'name="evaluate-answer_met_proposer"' in html and 'value="basically_satisfied"' in html
    # dissatisfied without a reason: the reason is asked, what was chosen stays
    response = member.post(_act_url(p, "evaluate"), {"evaluate-verdict": "dissatisfied",
                                                    "evaluate-answer_result": "dissatisfied"})
    html = response.content.decode()
    assert response.status_code == 200 and 'data-testid="confirm-evaluate"' not in html
    comment_box = html.split('name="evaluate-comment"')[0].rsplit('<div class="field', 1)[1]
    assert "has-error" in comment_box and "checked" in html  # the reason is asked; the choices are kept
    assert not Evaluation.objects.filter(proposal=p).exists()
    # with a reason: shown back to confirm, nothing submitted yet; the member sees what they are submitting
    sent = {"evaluate-verdict": "dissatisfied", "evaluate-comment": HOSTILE, "evaluate-answer_result": "dissatisfied",
            "evaluate-answer_met_proposer": "no"}
    response = member.post(_act_url(p, "evaluate"), sent)
    html = response.content.decode()
    assert response.status_code == 200 and 'data-testid="confirm-evaluate"' in html
    assert 'data-testid="confirm-submit-evaluate"' in html and ESCAPED in html and HOSTILE not in html
    assert 'name="evaluate-confirmed" value="1"' in html
    p.refresh_from_db()
    assert p.state == ProposalState.REPLIED and not Evaluation.objects.filter(proposal=p).exists()
    # confirmed: submitted
    response = member.post(_act_url(p, "evaluate"), {**sent, "evaluate-confirmed": "1"})
    assert response.status_code == 302
    ev = Evaluation.objects.get(proposal=p)
    assert (ev.verdict, ev.comment) == ("dissatisfied", HOSTILE)
    assert [(a["key"], a["answer"]) for a in ev.answers] == [("result", "dissatisfied"), ("met_proposer", "no")]
    html = _detail(member, p)
    assert 'data-testid="sub-verdicts"' in html and ESCAPED in html


def test_the_member_corrects_the_verdict_on_the_page_until_the_office_acts(actors):
    p, _ = walk_to("replied", actors=actors)
    act(actor=actors.proposer, proposal=p, action="evaluate", data={"verdict": "dissatisfied", "comment": "不满意"})
    member, staff = client_for(actors.proposer), client_for(actors.staff)
    assert 'data-testid="open-correct_evaluation"' in _detail(member, p)
    assert 'data-testid="open-correct_evaluation"' not in _detail(staff, p)
    sent = {"correct_evaluation-verdict": "basically_satisfied", "correct_evaluation-comment": "电话沟通后基本满意"}
    response = member.post(_act_url(p, "correct_evaluation"), sent)
    assert 'data-testid="confirm-correct_evaluation"' in response.content.decode()
    assert Evaluation.objects.get(proposal=p).verdict == "dissatisfied"
    response = member.post(_act_url(p, "correct_evaluation"), {**sent, "correct_evaluation-confirmed": "1"})
    assert response.status_code == 302
    p.refresh_from_db()
    assert p.state == ProposalState.CLOSED and Evaluation.objects.get(proposal=p).verdict == "basically_satisfied"
    html = _detail(member, p)
    assert 'data-testid="evaluation-corrected"' in html and 'data-testid="open-correct_evaluation"' not in html


def test_no_correction_on_the_page_once_re_handled(actors):
    p, _ = walk_to("replied", actors=actors)
    act(actor=actors.proposer, proposal=p, action="evaluate", data={"verdict": "dissatisfied", "comment": "不满意"})
    p.refresh_from_db()
    act(actor=actors.staff, proposal=p, action="rehandle", data={"instructions": "请重新办理"})
    member = client_for(actors.proposer)
    assert 'data-testid="open-correct_evaluation"' not in _detail(member, p)
    response = member.post(_act_url(p, "correct_evaluation"), {
        "correct_evaluation-verdict": "satisfied", "correct_evaluation-confirmed": "1"})
    assert response.status_code == 200  # refused, said on the page
    assert Evaluation.objects.get(proposal=p).verdict == "dissatisfied"


def test_rehandling_takes_instructions_and_shows_the_new_due_date(actors):
    p, _ = walk_to("replied", actors=actors)
    act(actor=actors.proposer, proposal=p, action="evaluate", data={"verdict": "dissatisfied", "comment": "不满意"})
    p.refresh_from_db()
    staff = client_for(actors.staff)
    html = _detail(staff, p)
    assert 'name="rehandle-instructions"' in html
    response = staff.post(_act_url(p, "rehandle"), {"version": p.version, "rehandle-instructions": " "})
    assert response.status_code == 200 and "has-error" in response.content.decode()
    p.refresh_from_db()
    assert p.state == ProposalState.REPLIED
    response = staff.post(_act_url(p, "rehandle"), {"version": p.version, "rehandle-instructions": HOSTILE})
    assert response.status_code == 302
    p.refresh_from_db()
    due = p.assignments.get().due_date
    for user in (actors.staff, actors.proposer, actors.unit_users[0]):
        html = _detail(client_for(user), p)
        assert 'data-testid="rehandling"' in html and ESCAPED in html and cn_date(due) in html
    inbox = client_for(actors.unit_users[0]).get(reverse("proposals:unit_inbox") + "?tab=handling").content.decode()
    assert 'data-testid="inbox-rehandling"' in inbox and ESCAPED in inbox and HOSTILE not in inbox


def test_dissatisfied_verdicts_on_the_workbench_and_their_list(actors):
    p, _ = walk_to("replied", actors=actors, title="关于改善供水的提案")
    act(actor=actors.proposer, proposal=p, action="evaluate", data={"verdict": "dissatisfied", "comment": HOSTILE})
    staff = client_for(actors.staff)
    home = staff.get(reverse("core:home")).content.decode()
    url = reverse("proposals:dissatisfied")
    assert f'href="{url}"' in home
    html = staff.get(url).content.decode()
    assert 'data-testid="dissatisfied-row"' in html and "关于改善供水的提案" in html and ESCAPED in html
    for user in (actors.proposer, actors.unit_users[0]):
        assert client_for(user).get(url).status_code == 404
        assert f'href="{url}"' not in client_for(user).get(reverse("core:home")).content.decode()


def test_staff_edit_the_evaluation_questions(actors, committee):
    staff = client_for(actors.staff)
    url = reverse("proposals:evaluation_questions")
    html = staff.get(url).content.decode()
    assert 'data-testid="evaluation-questions"' in html
    bad = "办理态度：满意\n" + HOSTILE
    response = staff.post(url, {"questions": bad})
    html = response.content.decode()
    assert response.status_code == 200 and "has-error" in html and ESCAPED in html  # kept, escaped
    assert not EvaluationQuestion.objects.exists()
    response = staff.post(url, {"questions": "办理态度：满意／基本满意／不满意\n是否见面: 是 / 否\n"})
    assert response.status_code == 302
    assert [(q.label, q.options) for q in EvaluationQuestion.objects.filter(committee=committee)] == [
        ("办理态度", ["满意", "基本满意", "不满意"]), ("是否见面", ["是", "否"])]
    p, _ = walk_to("replied", actors=actors)
    assert 'name="evaluate-answer_q2"' in _detail(client_for(actors.proposer), p)
    for user in (actors.proposer, actors.unit_users[0], actors.leader):
        assert client_for(user).get(url).status_code == 404


def test_the_proposer_sees_who_has_not_answered_the_invitation(actors, committee):
    late = make_member(committee)
    p, _ = walk_to("cosigning", actors=actors)
    act(actor=actors.proposer, proposal=p, action="invite_cosigners", data={"members": [late.memberships.get().pk]})
    p.refresh_from_db()
    act(actor=actors.cosigner, proposal=p, action="cosign")
    html = _detail(client_for(actors.proposer), p)
    assert 'data-testid="cosigners-waiting"' in html
    waiting = html.split('data-testid="cosigners-waiting"')[1].split("</p>")[0]
    assert late.memberships.get().name in waiting and actors.cosigner.memberships.get().name not in waiting
    act(actor=late, proposal=p, action="decline_cosign")
    p.refresh_from_db()
    assert p.state == ProposalState.SUBMITTED
    assert 'data-testid="cosigners-waiting"' not in _detail(client_for(actors.proposer), p)


def test_the_new_pages_in_english(actors):
    p, _ = walk_to("replied", actors=actors)
    act(actor=actors.proposer, proposal=p, action="evaluate", data={"verdict": "dissatisfied", "comment": "不满意"})
    staff = client_for(actors.staff)
    staff.cookies["django_language"] = "en"
    html = staff.get(reverse("proposals:dissatisfied")).content.decode()
    assert "Dissatisfied evaluations" in html
    html = staff.get(reverse("proposals:evaluation_questions")).content.decode()
    assert "Handling attitude" in html and "Did the unit communicate or meet with you?" in html
    member = client_for(actors.proposer)
    member.cookies["django_language"] = "en"
    html = _detail(member, p)
    assert "correct the evaluation" in html and "Reason or comment" in html
