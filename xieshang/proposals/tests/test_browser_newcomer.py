"""The newcomer's journey through the screens only, at desktop (1280×800) and phone (390×844) width (issue #11):

a member drafts, attaches a file, invites a co-signer and submits; the co-signer signs and co-signing ends by
itself → the office registers it and assigns a lead and a co unit with the picker → both units acknowledge,
the lead unit replies with a document number and a letter, whose Word letter carries the number and a page
field → the member is dissatisfied (first without a reason: nothing chosen is lost) → the office has it
re-handled with instructions, which the unit's inbox shows with the new due date → the lead unit replies
again → the member is satisfied and the proposal closes.

On every page: no button or badge wraps, the proposal number stays on one line, no script error, CSP
violation or 4xx/5xx response, and at phone width the list and inbox rows keep their labels.
"""

import io
import zipfile

import pytest
from playwright.sync_api import expect

from xieshang.core.models import HandlingUnit
from xieshang.proposals.models import Proposal
from xieshang.proposals.tests.browser_kit import (
    click_and_wait,
    collect_problems,
    layout_faults,
    open_detail,
    pick,
    sign_in,
    state_of,
)
from xieshang.proposals.tests.factories import make_member, make_role_user, make_unit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "关于加快推进城区老旧小区加装电梯的提案"
DOCUMENT_NUMBER = "州住建局〔2026〕18号"
INSTRUCTIONS = "请与提案人当面沟通，明确加装电梯的资金来源和时间表"
K = HandlingUnit.Kind

# A small PDF (a page with no content): what a member attaches as survey material.
PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
       b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")


class Journey:
    """The browser page, the server and what the journey checks on every page it shows."""

    def __init__(self, page, live_server):
        self.page, self.live_server = page, live_server
        self.problems = collect_problems(page)
        self.dialogs = []
        self.seen = 0

    def look(self):
        """Check the page shown: its layout, and that nothing went wrong on the way to it."""
        page = self.page
        page.wait_for_load_state()
        faults = layout_faults(page)
        assert not faults, (page.url, faults)
        assert not self.problems, (page.url, self.problems)
        self.seen += 1

    def go(self, path):
        self.page.goto(f"{self.live_server.url}{path}")
        self.look()

    def as_user(self, user):
        sign_in(self.page, self.live_server, user)
        self.look()

    def detail(self, proposal):
        open_detail(self.page, self.live_server, proposal)
        self.look()

    def click(self, selector, *, confirm=False):
        """Click what navigates; accept the 'cannot be undone' question when the action asks it."""
        if confirm:
            self.page.once("dialog", lambda dialog: (self.dialogs.append(dialog.message), dialog.accept()))
        click_and_wait(self.page, selector)
        self.look()

    def reply(self, proposal, text, tmp_path, document_number=""):
        page = self.page
        self.detail(proposal)
        page.click("[data-testid=open-reply]")
        self.look()  # the reply form open
        page.check("input[name=reply-outcome][value=adopted]")
        page.fill("textarea[name=reply-text]", text)
        page.fill("input[name=reply-signed_by]", "张局长")
        page.fill("input[name=reply-document_number]", document_number)
        letter = tmp_path / "答复函.pdf"
        letter.write_bytes(PDF)
        page.set_input_files("input[name=reply-letter]", str(letter))
        self.click("[data-testid=action-reply]")
        assert state_of(page) == "replied"


def answers_chosen(page):
    """The sub-verdict questions' radios of the evaluation form, {name: chosen value or None}."""
    return page.locator("[data-testid=form-evaluate]").evaluate(
        """form => { const out = {};
          form.querySelectorAll('input[type=radio][name^="evaluate-answer_"]').forEach(r => {
            if (!(r.name in out)) out[r.name] = null;
            if (r.checked) out[r.name] = r.value; });
          return out; }"""
    )


@pytest.mark.parametrize("width, height", [(1280, 800), (390, 844)], ids=["desktop", "phone"])
def test_the_newcomers_journey(page, live_server, committee, tmp_path, width, height):
    member = make_member(committee, username="n-member", full_name="李明华")
    cosigner = make_member(committee, username="n-cosigner", full_name="王建国")
    staff = make_role_user(committee, "staff", username="n-staff")
    lead_unit, lead_user = make_unit(committee, name="州住房和城乡建设局", short_name="住建局", kind=K.GOVERNMENT)
    co_unit, co_user = make_unit(committee, name="州财政局", short_name="财政局", kind=K.GOVERNMENT)
    make_unit(committee, name="州自然资源局", short_name="资源局", kind=K.GOVERNMENT)  # a unit not chosen
    page.set_viewport_size({"width": width, "height": height})
    j = Journey(page, live_server)

    # 1. The member drafts (autosave, then saves), attaches a file, invites a co-signer and submits.
    j.as_user(member)
    j.go("/proposals/mine/")
    j.click("[data-testid=new-proposal]")
    page.fill("[data-testid=field-title]", TITLE)
    page.fill("[data-testid=field-body]", "一、基本情况；二、存在问题；三、建议财政补贴加装电梯。")
    page.locator("[data-testid=field-suggested_units]").click()  # blur the text: autosave on blur
    page.wait_for_selector("#autosave-status.ok")
    page.wait_for_url("**/edit/")
    j.look()
    j.click("[data-testid=save-draft]")
    proposal = Proposal.objects.get(title=TITLE)
    assert state_of(page) == "draft"

    material = tmp_path / "调研报告.pdf"
    material.write_bytes(PDF)
    page.set_input_files("[data-testid=attachment-form] input[name=file]", str(material))
    j.click("[data-testid=attachment-form] button[type=submit]")
    expect(page.locator("[data-testid=attachment]")).to_have_count(1)
    assert "调研报告.pdf" in page.locator("[data-testid=attachment]").inner_text()

    j.click("[data-testid=action-invite_cosigners]")  # the invite page, from the draft's actions
    page.fill("[data-testid=member-search]", "建国")
    checkbox = page.locator("[data-testid=member-results] input[name=members]")
    expect(checkbox).to_have_count(1)  # htmx brought the one member the search names
    j.look()
    checkbox.check()
    j.click("[data-testid=invite]")
    assert "王建国" in page.get_by_test_id("cosigners").inner_text()

    j.detail(proposal)
    if page.locator("[data-testid=open-submit]").count():  # with co-signers: the days for co-signing
        page.click("[data-testid=open-submit]")
    j.click("[data-testid=action-submit]")
    assert state_of(page) == "cosigning"

    # The co-signer finds the invitation in the notifications, signs on the invitations page; being the
    # last (only) one to answer ends co-signing: the proposal is submitted and the proposer told.
    j.as_user(cosigner)
    j.go("/inbox/")
    j.click(f"a:has-text('{TITLE}')")
    assert "/proposals/cosign/" in page.url
    row = page.locator("[data-testid=invitation-row]", has_text=TITLE)
    with page.expect_navigation():
        row.locator("[data-testid=cosign]").click()
    j.look()
    j.detail(proposal)
    assert state_of(page) == "submitted"
    j.as_user(member)
    j.go("/inbox/")
    assert page.locator("table.list tbody tr", has_text="您的提案已提交").filter(has_text=TITLE).count() == 1

    # 2. The office registers it from the review queue and assigns a lead and a co unit with the picker.
    j.as_user(staff)
    j.go("/proposals/review/")
    row = page.locator(f"[data-testid=review-row][data-proposal='{proposal.pk}']")
    row.locator("[data-testid=open-register]").click()
    j.look()
    with page.expect_navigation():
        row.locator("[data-testid=action-register]").click()
    j.look()
    j.detail(proposal)
    assert state_of(page) == "registered"
    proposal.refresh_from_db()
    assert proposal.number in page.get_by_test_id("proposal-number").inner_text()
    j.click("[data-testid=action-assign]")
    page.check("input[name=mode][value=lead_co]")  # one mode at a time
    assert page.locator("[data-testid=mode-lead_co] .mode-fields").is_visible()
    assert page.locator("[data-testid=mode-sole] .mode-fields").is_hidden()
    assert pick(page, "lead_unit", "住建局") == "州住房和城乡建设局"
    assert pick(page, "co_units", "财政局") == "州财政局"
    j.look()
    j.click("[data-testid=assign-submit]")
    assert state_of(page) == "assigned"
    roles = dict(page.locator("[data-testid=assignment-row]").evaluate_all(
        "rows => rows.map(r => [r.cells[0].innerText.trim(), r.dataset.role])"))
    assert roles == {"州住房和城乡建设局": "lead", "州财政局": "co"}
    j.go("/proposals/")  # the office's list: its rows keep their labels at phone width
    assert page.locator("[data-testid=proposal-row]", has_text=TITLE).count() == 1

    # 3. Both units acknowledge from their inbox; the lead unit replies with its document number and letter.
    for user in (lead_user, co_user):
        j.as_user(user)
        j.go("/proposals/unit/")
        j.click(f"[data-testid=inbox-row][data-proposal='{proposal.pk}'] [data-testid=acknowledge]")
    j.detail(proposal)
    assert state_of(page) == "handling"
    j.as_user(lead_user)
    j.reply(proposal, "经研究，已将该小区纳入明年加装电梯计划。", tmp_path, document_number=DOCUMENT_NUMBER)
    with page.expect_download() as download:
        page.locator("[data-testid=reply] [data-testid=letter-docx]").first.click()
    letter = zipfile.ZipFile(io.BytesIO(open(download.value.path(), "rb").read()))
    assert download.value.suggested_filename.endswith(".docx")
    assert DOCUMENT_NUMBER in letter.read("word/document.xml").decode()
    footers = [letter.read(name).decode() for name in letter.namelist() if name.startswith("word/footer")]
    assert any("PAGE" in footer and 'w:fldCharType="begin"' in footer for footer in footers)
    j.look()

    # 4. The member is dissatisfied: first without a reason (the error, nothing chosen lost), then with one.
    j.as_user(member)
    j.detail(proposal)
    page.click("[data-testid=open-evaluate]")
    form = page.locator("[data-testid=form-evaluate]")
    chosen = {}
    for name in answers_chosen(page):
        radios = form.locator(f"input[type=radio][name='{name}']")
        radios.last.check()  # the least favourable answer offered
        chosen[name] = radios.last.get_attribute("value")
    assert chosen, "the committee's sub-verdict questions are asked"
    page.check("input[name=evaluate-verdict][value=dissatisfied]")
    j.look()
    j.click("[data-testid=action-evaluate]")
    assert page.locator("[data-testid=form-evaluate] .error").count() >= 1  # say why
    assert page.locator("[data-testid=confirm-evaluate]").count() == 0
    assert page.is_checked("input[name=evaluate-verdict][value=dissatisfied]")
    assert answers_chosen(page) == chosen
    page.fill("textarea[name=evaluate-comment]", "资金来源不明确，时间太晚")
    j.click("[data-testid=action-evaluate]")
    expect(page.locator("[data-testid=confirm-evaluate]")).to_be_visible()  # what is about to be submitted
    assert "资金来源不明确" in page.locator("[data-testid=confirm-evaluate]").inner_text()
    j.click("[data-testid=confirm-submit-evaluate]", confirm=page.locator(
        "[data-testid=confirm-evaluate] form[data-confirm]").count() > 0)
    assert page.locator("[data-testid=evaluation][data-verdict=dissatisfied]").count() == 1

    # 5. The office has it re-handled with instructions; the unit's inbox and the proposal show them.
    j.as_user(staff)
    j.detail(proposal)
    page.click("[data-testid=open-rehandle]")
    page.fill("textarea[name=rehandle-instructions]", INSTRUCTIONS)
    j.click("[data-testid=action-rehandle]", confirm=True)  # "cannot be undone"
    assert j.dialogs, "re-handling asks before it is done"
    assert state_of(page) == "handling"
    rehandling = page.locator("[data-testid=rehandling]")
    assert INSTRUCTIONS in rehandling.inner_text()
    due = page.get_by_test_id("rehandling-due").inner_text().strip()
    assert due and due in rehandling.inner_text()
    j.as_user(lead_user)
    j.go("/proposals/unit/")
    j.click("[data-testid=tab-handling]")  # handled again: among the proposals being handled
    row = page.locator(f"[data-testid=inbox-row][data-proposal='{proposal.pk}']")
    assert INSTRUCTIONS in row.get_by_test_id("inbox-rehandling").inner_text()
    assert row.get_by_test_id("due").inner_text().startswith(due)  # the new due date, as the page writes it
    j.detail(proposal)
    assert INSTRUCTIONS in page.locator("[data-testid=rehandling]").inner_text()
    assert due in page.locator("[data-testid=rehandling]").inner_text()

    # 6. The lead unit replies again; the member is satisfied and the proposal closes.
    j.reply(proposal, "经再次研究，今年下半年启动加装电梯，资金由州财政补贴。", tmp_path)
    j.as_user(member)
    j.detail(proposal)
    page.click("[data-testid=open-evaluate]")
    page.check("input[name=evaluate-verdict][value=satisfied]")
    j.click("[data-testid=action-evaluate]")
    j.click("[data-testid=confirm-submit-evaluate]")
    assert state_of(page) == "closed"
    j.go("/proposals/mine/")
    row = page.locator("[data-testid=proposal-row]", has_text=TITLE)
    assert row.locator(".state").inner_text().strip() == str(Proposal.objects.get(pk=proposal.pk).get_state_display())
    assert j.seen > 40
