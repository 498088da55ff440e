"""The liaison journey in a real browser at desktop and phone width: a leader records a visit and turns its
suggestion into a proposal draft; office staff take a Party report from draft to instruction (the leader
approving in between). Every page lays out without a wrapped button or badge, nothing wider than the screen,
and without a script error, a CSP violation or a failed request."""

import pytest

from xieshang.core import clock
from xieshang.core.tests.browser_kit import click_and_wait, collect_problems, layout_faults, sign_in
from xieshang.liaison.models import PartyReport, Suggestion

from .factories import make_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
OVERFLOW = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


def _check(page, problems, where):
    assert layout_faults(page) == [], where
    assert page.evaluate(OVERFLOW) <= 1, f"{where}: wider than the screen"
    assert problems == [], where


def _open(page, testid):
    """An action's form sits in a closed <details>: open it by its summary."""
    page.click(f"[data-testid=open-{testid}]")


@pytest.mark.parametrize("width", sorted(WIDTHS))
def test_the_liaison_journey(page, live_server, width):
    w = make_world()
    page.set_viewport_size(WIDTHS[width])
    problems = collect_problems(page)
    today = clock.today().isoformat()

    # A leader records a visit with its suggestion, and turns it into a proposal draft of their own.
    sign_in(page, live_server, w.leader)
    page.goto(live_server.url + "/liaison/visits/new/")
    _check(page, problems, f"{width} new visit")
    page.fill("input[name=date]", today)
    page.fill("input[name=place]", "昌吉高新区某新材料企业")
    page.fill("input[name=subject]", "走访民营企业了解经营情况")
    page.fill("textarea[name=suggestions]", "建议设立中小企业应急转贷资金。")
    page.select_option("select[name=people-0-kind]", "entrepreneur")
    page.fill("input[name=people-0-name]", "张企业家")
    page.select_option("select[name=people-1-kind]", "expert")
    page.fill("input[name=people-1-name]", "李专家")
    click_and_wait(page, "[data-testid=save]")
    suggestion = Suggestion.objects.get(visit__leader=w.leader)
    _check(page, problems, f"{width} visit")
    _open(page, "convert")
    page.check("input[name=to][value=proposal]")
    click_and_wait(page, "[data-testid=action-convert]")
    suggestion.refresh_from_db()
    assert suggestion.proposal is not None and suggestion.proposal.created_by == w.leader
    assert page.locator("[data-testid=target-state]").count() == 1
    _check(page, problems, f"{width} visit after the conversion")
    page.goto(live_server.url + "/liaison/visits/mine/")
    _check(page, problems, f"{width} my visits")

    # The office drafts a report and submits it; the leader approves it; the office sends it and records the
    # Party committee's instruction.
    sign_in(page, live_server, w.staff)
    page.goto(live_server.url + "/liaison/reports/new/")
    page.select_option("select[name=kind]", "special")
    page.fill("input[name=title]", "关于支持民营企业发展的专项建议")
    page.fill("textarea[name=body]", "州政协主席会议成员走访企业，收集到以下建议。")
    click_and_wait(page, "[data-testid=save]")
    report = PartyReport.objects.get(committee=w.committee)
    _check(page, problems, f"{width} report draft")
    click_and_wait(page, "[data-testid=action-submit]")
    sign_in(page, live_server, w.leader)
    page.goto(live_server.url + "/liaison/reports/approve/")
    _check(page, problems, f"{width} reports to approve")
    page.goto(f"{live_server.url}/liaison/reports/{report.pk}/")
    click_and_wait(page, "[data-testid=action-approve]")
    sign_in(page, live_server, w.staff)
    page.goto(f"{live_server.url}/liaison/reports/{report.pk}/")
    _open(page, "send")
    page.fill("input[name=document_number]", "昌州政协报〔2026〕8号")
    click_and_wait(page, "[data-testid=action-send]")
    _open(page, "record_instruction")
    page.fill("input[name=instruction_by]", "州委书记")
    page.fill("textarea[name=text]", "同意，请州政府研究落实。")
    click_and_wait(page, "[data-testid=action-record_instruction]")
    report.refresh_from_db()
    assert report.state == "answered" and report.document_number == "昌州政协报〔2026〕8号"
    _check(page, problems, f"{width} answered report")
    for path in ("/liaison/reports/", "/liaison/tasks/", "/liaison/rules/", "/liaison/visits/",
                 "/liaison/visits/suggestions/", "/liaison/tasks/new/", "/liaison/rules/new/"):
        page.goto(live_server.url + path)
        _check(page, problems, f"{width} {path}")
