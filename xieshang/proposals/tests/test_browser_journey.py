"""A proposal's whole life in a real browser, through the screens only:

member drafts (autosave) and submits → staff registers and assigns to a lead and a co unit → both units
acknowledge → the lead unit replies with a letter → the member is dissatisfied → staff has it re-handled →
the lead unit replies again → the member is satisfied → the proposal is closed; the timeline shows each step.
"""

import re

import pytest

from xieshang.proposals.models import Proposal
from xieshang.proposals.tests.browser_kit import click_and_wait, collect_problems, open_detail, sign_in, state_of
from xieshang.proposals.tests.factories import make_member, make_role_user, make_unit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "关于加快推进老旧小区改造的提案"


def reply(page, live_server, proposal, text, tmp_path):
    open_detail(page, live_server, proposal)
    page.click("[data-testid=open-reply]")
    page.check("input[name=reply-outcome][value=adopted]")
    page.fill("textarea[name=reply-text]", text)
    page.fill("input[name=reply-signed_by]", "张局长")
    letter = tmp_path / "答复函.pdf"
    letter.write_bytes(b"%PDF-1.4 reply letter")
    page.set_input_files("input[name=reply-letter]", str(letter))
    click_and_wait(page, "[data-testid=action-reply]")


def evaluate(page, live_server, proposal, verdict, comment):
    open_detail(page, live_server, proposal)
    page.click("[data-testid=open-evaluate]")
    page.check(f"input[name=evaluate-verdict][value={verdict}]")
    page.fill("textarea[name=evaluate-comment]", comment)
    click_and_wait(page, "[data-testid=action-evaluate]")
    # the member sees what they are about to submit, and confirms it
    assert page.locator("[data-testid=confirm-evaluate]").is_visible()
    click_and_wait(page, "[data-testid=confirm-submit-evaluate]")


def test_a_proposal_from_draft_to_closed(page, live_server, committee, tmp_path):
    member = make_member(committee, username="j-member", full_name="李委员")
    staff = make_role_user(committee, "staff", username="j-staff")
    lead_unit, lead_user = make_unit(committee, name="州住房和城乡建设局")
    co_unit, co_user = make_unit(committee, name="州财政局")

    problems = collect_problems(page)

    # 1. The member drafts: the autosave makes the draft while typing, then saves and submits.
    sign_in(page, live_server, member)
    page.goto(f"{live_server.url}/proposals/mine/")
    click_and_wait(page, "[data-testid=new-proposal]")
    page.fill("[data-testid=field-title]", TITLE)
    page.fill("[data-testid=field-body]", "一、基本情况；二、存在问题；三、建议加大财政投入。")
    page.locator("[data-testid=field-suggested_units]").click()  # blur the text: autosave on blur
    page.wait_for_selector("#autosave-status.ok")
    assert re.search(r"\d\d:\d\d", page.inner_text("#autosave-status"))
    assert Proposal.objects.filter(title=TITLE).count() == 1
    page.wait_for_url(re.compile(r"/proposals/\d+/edit/$"))
    page.fill("[data-testid=field-body]", "一、基本情况；二、存在问题；三、建议加大财政投入，分批改造。")
    click_and_wait(page, "[data-testid=save-draft]")
    proposal = Proposal.objects.get(title=TITLE)
    assert proposal.body.endswith("分批改造。")
    assert page.url.endswith(f"/proposals/{proposal.pk}/")
    assert state_of(page) == "draft"
    click_and_wait(page, "[data-testid=action-submit]")
    assert state_of(page) == "submitted"

    # 2. The office registers it from the review queue and assigns a lead and a co unit.
    sign_in(page, live_server, staff)
    page.goto(f"{live_server.url}/proposals/review/")
    row = page.locator(f"[data-testid=review-row][data-proposal='{proposal.pk}']")
    row.locator("[data-testid=open-register]").click()
    with page.expect_navigation():
        row.locator("[data-testid=action-register]").click()
    open_detail(page, live_server, proposal)
    assert state_of(page) == "registered"
    assert page.get_by_test_id("proposal-number").inner_text().strip() == "第 13-4-0001 号"
    click_and_wait(page, "[data-testid=action-assign]")
    page.check("input[name=mode][value=lead_co]")
    page.select_option("select[name=lead_unit]", str(lead_unit.pk))
    page.select_option("select[name=co_units]", [str(co_unit.pk)])
    click_and_wait(page, "[data-testid=assign-submit]")
    assert state_of(page) == "assigned"
    assert page.locator("[data-testid=assignment-row]").count() == 2

    # 3. Both units acknowledge from their inbox.
    for user in (lead_user, co_user):
        sign_in(page, live_server, user)
        page.goto(f"{live_server.url}/proposals/unit/")
        click_and_wait(page, f"[data-testid=inbox-row][data-proposal='{proposal.pk}'] [data-testid=acknowledge]")
    open_detail(page, live_server, proposal)
    assert state_of(page) == "handling"

    # 4. The lead unit replies, with its letter.
    sign_in(page, live_server, lead_user)
    reply(page, live_server, proposal, "经研究，已将该小区纳入明年改造计划。", tmp_path)
    assert state_of(page) == "replied"
    assert page.locator("[data-testid=letter-download]").count() == 1

    # 5. The member is not satisfied.
    sign_in(page, live_server, member)
    evaluate(page, live_server, proposal, "dissatisfied", "改造时间太晚")
    assert page.locator("[data-testid=evaluation][data-verdict=dissatisfied]").count() == 1

    # 6. The office has it handled again.
    sign_in(page, live_server, staff)
    open_detail(page, live_server, proposal)
    page.click("[data-testid=open-rehandle]")
    page.fill("textarea[name=rehandle-instructions]", "请与提案人当面沟通，提前改造时间")
    page.once("dialog", lambda dialog: dialog.accept())  # "cannot be undone" (workflow.CONFIRMED)
    click_and_wait(page, "[data-testid=action-rehandle]")
    assert state_of(page) == "handling"
    assert "请与提案人当面沟通，提前改造时间" in page.locator("[data-testid=rehandling]").inner_text()

    # 7. The lead unit replies again; 8. the member is satisfied and the proposal is closed.
    sign_in(page, live_server, lead_user)
    reply(page, live_server, proposal, "经再次研究，今年下半年启动改造。", tmp_path)
    assert state_of(page) == "replied"
    sign_in(page, live_server, member)
    evaluate(page, live_server, proposal, "satisfied", "感谢")
    assert state_of(page) == "closed"

    # The timeline tells the story, in order.
    actions = page.locator("[data-testid=timeline] [data-action]").evaluate_all(
        "els => els.map(e => e.dataset.action)"
    )
    story = ["proposal.create", "proposal.submit", "proposal.register", "proposal.assign", "proposal.acknowledge",
             "proposal.acknowledge", "proposal.reply", "proposal.evaluate", "proposal.rehandle", "proposal.reply",
             "proposal.evaluate"]
    steps = [a for a in actions if a in story]
    assert steps == story, actions
    proposal.refresh_from_db()
    assert proposal.state == "closed" and proposal.round == 2
    assert not problems, problems  # no script error, no Content-Security-Policy violation on the way
