"""An opinion report's whole life in a real browser, through the screens only, at desktop and phone width:

a member drafts (the live counter counts the text) and submits → the office edits it on the editing desk
(the submitter's text beside the edited one) and combines it with another member's report from the list →
the leader approves the combined report from the approval queue → the office forwards it in a numbered
bulletin issue from the composer and records an adoption and an instruction → the member sees each outcome
on "my reports" and on the report (件件有回音).
"""

import re

import pytest

from xieshang.core.tests.browser_kit import click_and_wait, collect_problems, sign_in
from xieshang.opinions.models import Bulletin, OpinionReport
from xieshang.opinions.tests._screens import act, draft, people

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "关于解决城郊农村客运班线停运问题的建议"
SITUATION = "今年以来，城郊三个乡镇的农村客运班线先后停运，约两万名群众出行不便。"
ANALYSIS = "客源减少、运营亏损，补贴没有及时到位。"
SUGGESTION = "建议整合城乡客运资源，开通预约响应式公交，按季度落实运营补贴。"
WIDTHS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


def state_of(page):
    return page.get_by_test_id("report-state").first.get_attribute("data-state")


@pytest.mark.parametrize("width", sorted(WIDTHS))
def test_an_opinion_report_from_draft_to_adoption(page, live_server, committee, width):
    p = people(committee)
    page.set_viewport_size(WIDTHS[width])
    problems = collect_problems(page)

    # Another member's report is already waiting in the office (to be combined with ours).
    other = act(draft(p, author=p.other_member, title="关于农村客运补贴的建议"), p.other_member, "submit")

    # 1. The member drafts: the counter follows the text; saves, then submits.
    sign_in(page, live_server, p.member)
    page.goto(f"{live_server.url}/opinions/mine/")
    click_and_wait(page, "[data-testid=new-report]")
    page.fill("[data-testid=field-title]", TITLE)
    page.fill("[data-testid=field-situation]", SITUATION)
    page.fill("[data-testid=field-analysis]", ANALYSIS)
    page.fill("[data-testid=field-suggestion]", SUGGESTION)
    counted = len(SITUATION) + len(ANALYSIS) + len(SUGGESTION)
    page.wait_for_selector(f"[data-testid=text-counter][data-count='{counted}']")
    assert "1500" in page.get_by_test_id("text-counter").inner_text()
    click_and_wait(page, "[data-testid=save-draft]")
    report = OpinionReport.objects.get(title=TITLE)
    assert page.url.endswith(f"/opinions/{report.pk}/")
    assert state_of(page) == "draft"
    click_and_wait(page, "[data-testid=action-submit]")
    assert state_of(page) == "submitted"

    # 2. The office edits it on the desk: the submitter's text beside the edited one.
    sign_in(page, live_server, p.staff)
    page.goto(f"{live_server.url}/opinions/")
    assert page.locator(f"[data-testid=report-row][data-report='{report.pk}']").count() == 1
    page.goto(f"{live_server.url}/opinions/{report.pk}/desk/")
    assert SITUATION in page.get_by_test_id("original").inner_text()
    page.fill("[data-testid=field-situation]", "城郊三个乡镇农村客运班线停运，约两万群众出行不便。")
    page.fill("input[name=note]", "精简文字")
    click_and_wait(page, "[data-testid=save-edit]")
    assert state_of(page) == "editing"
    assert "约两万群众" in page.get_by_test_id("compare-right").inner_text()
    assert SITUATION in page.get_by_test_id("compare-left").inner_text()

    # ... and combines it with the other member's report, ticked in the list.
    page.goto(f"{live_server.url}/opinions/?tab=all")
    page.check(f"[data-testid=report-row][data-report='{report.pk}'] [data-testid=pick]")
    page.check(f"[data-testid=report-row][data-report='{other.pk}'] [data-testid=pick]")
    click_and_wait(page, "[data-testid=combine-selected]")
    page.fill("[data-testid=field-title]", "关于城郊农村客运问题的综合建议")
    page.fill("[data-testid=field-situation]", "城郊多个乡镇农村客运班线停运，群众出行不便。")
    page.fill("[data-testid=field-analysis]", ANALYSIS)
    page.fill("[data-testid=field-suggestion]", SUGGESTION)
    click_and_wait(page, "[data-testid=combine-submit]")
    combined = OpinionReport.objects.get(title="关于城郊农村客运问题的综合建议")
    assert page.url.endswith(f"/opinions/{combined.pk}/desk/")
    click_and_wait(page, "[data-testid=action-send_for_approval]")
    assert state_of(page) == "awaiting_approval"

    # 3. The leader approves it from the approval queue.
    sign_in(page, live_server, p.leader)
    page.goto(f"{live_server.url}/opinions/approvals/")
    click_and_wait(page, f"[data-testid=report-row][data-report='{combined.pk}'] [data-testid=approve]")
    combined.refresh_from_db()
    assert combined.state == "approved"

    # 4. The office forwards it in a numbered bulletin issue, then records an adoption and an instruction.
    sign_in(page, live_server, p.staff)
    page.goto(f"{live_server.url}/opinions/bulletins/new/")
    assert "1" in page.get_by_test_id("next-number").inner_text()
    page.check(f"input[name=reports][value='{combined.pk}']")
    page.check(f"input[name=recipients][value='{p.recipients[0].pk}']")
    page.check(f"input[name=recipients][value='{p.recipients[1].pk}']")
    page.select_option("select[name=kind]", "combined")
    click_and_wait(page, "[data-testid=forward-bulletin]")
    bulletin = Bulletin.objects.get()
    assert page.url.endswith(f"/opinions/bulletins/{bulletin.pk}/")
    assert "州委" in page.get_by_test_id("bulletin-recipients").inner_text()
    page.goto(f"{live_server.url}/opinions/{combined.pk}/")
    assert state_of(page) == "forwarded"
    page.click("[data-testid=open-record_adoption]")
    page.select_option("#id_record_adoption_recipient", str(p.recipients[0].pk))
    page.select_option("#id_record_adoption_level", "prefecture")
    page.select_option("#id_record_adoption_kind", "combined")
    click_and_wait(page, "[data-testid=action-record_adoption]")
    assert page.locator("[data-testid=adoption-row][data-level=prefecture]").count() == 1
    page.click("[data-testid=open-record_instruction]")
    page.fill("#id_record_instruction_leader", "张书记")
    page.select_option("#id_record_instruction_level", "prefecture")
    page.fill("#id_record_instruction_date", "2026-03-02")
    page.fill("#id_record_instruction_text", "请州交通运输局牵头研究解决。")
    click_and_wait(page, "[data-testid=action-record_instruction]")
    assert "请州交通运输局牵头研究解决。" in page.get_by_test_id("instructions").inner_text()

    # 5. The member sees each outcome, on the list and on the report.
    sign_in(page, live_server, p.member)
    page.goto(f"{live_server.url}/opinions/mine/")
    row = page.locator(f"[data-testid=report-row][data-report='{report.pk}']")
    kinds = row.locator("[data-testid=outcome]").evaluate_all("els => els.map(e => e.dataset.kind)")
    assert kinds[:2] == ["edited", "combined"] and {"approved", "forwarded", "adopted", "instruction"} <= set(kinds), kinds
    assert "请州交通运输局牵头研究解决。" in row.inner_text()
    page.goto(f"{live_server.url}/opinions/{report.pk}/")
    assert state_of(page) == "combined"
    outcomes = page.get_by_test_id("outcomes").inner_text()
    assert "州委" in outcomes and "张书记" in outcomes
    assert re.search(r"\d{4}", outcomes)
    assert not problems, problems  # no script error, no Content-Security-Policy violation on the way
