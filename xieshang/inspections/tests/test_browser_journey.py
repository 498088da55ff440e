"""The inspection screens in a real browser at desktop and phone width: the office runs one inspection from the
plan to answered recommendations (plan form, team picker, start, visit, findings, recommendation, report, sending,
the answer, closing), and every page on the way — the plan board, the register, the desk, supervision, special
supervisors, the member's "my inspections" — lays out without a wrapped button or badge, with phone cards labelled,
nothing wider than the screen, and without a script error, a CSP violation or a failed request."""

import pytest

from xieshang.consultation.tests.test_browser import WIDTHS, _check  # the same widths and layout checks
from xieshang.core.tests.browser_kit import click_and_wait, collect_problems, pick, sign_in
from xieshang.inspections.models import Inspection
from xieshang.inspections.tests.factories import appoint, make_world, walk_supervision_to

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

@pytest.mark.parametrize("width", sorted(WIDTHS))
def test_staff_runs_an_inspection_from_plan_to_answered_recommendations(page, live_server, width):
    w = make_world()
    page.set_viewport_size(WIDTHS[width])
    problems = collect_problems(page)
    item = walk_supervision_to("under_way", w)
    supervisor = appoint(w)

    sign_in(page, live_server, w.staff)
    page.goto(live_server.url + "/inspections/new/")
    _check(page, problems, f"{width} plan form")
    page.select_option("select[name=kind]", "research")
    page.fill("input[name=title]", "数字农业发展情况调研")
    page.select_option("select[name=planned_month]", "5")
    page.fill("textarea[name=purpose]", "了解全州数字农业发展现状")
    click_and_wait(page, "[data-testid=save]")
    i = Inspection.objects.get(title="数字农业发展情况调研")
    assert page.locator("[data-testid=inspection-state]").get_attribute("data-state") == "planned"
    _check(page, problems, f"{width} desk planned")

    pick(page, "set_team-leaders", "张委员")
    pick(page, "set_team-members", "李委员")
    click_and_wait(page, "[data-testid=act-set_team]")
    assert page.locator("[data-testid=team-member]").count() == 2
    click_and_wait(page, "[data-testid=act-start]")
    page.fill("input[name=add_visit-date]", "2026-03-02")
    page.fill("input[name=add_visit-place]", "呼图壁县")
    page.fill("input[name=add_visit-units]", "县农业农村局、智慧农场")
    click_and_wait(page, "[data-testid=act-add_visit]")
    page.fill("textarea[name=record_findings-findings]", "数字农业基础设施仍有短板。")
    click_and_wait(page, "[data-testid=act-record_findings]")
    page.fill("textarea[name=add_recommendation-text]", "加快建设农业大数据平台。")
    click_and_wait(page, "[data-testid=act-add_recommendation]")
    page.fill("input[name=draft_report-report_title]", "关于数字农业发展情况的调研报告")
    page.fill("textarea[name=draft_report-report_text]", "报告正文。")
    click_and_wait(page, "[data-testid=act-draft_report]")
    _check(page, problems, f"{width} desk drafted")
    click_and_wait(page, "[data-testid=act-send_report]")
    i.refresh_from_db()
    assert i.state == "report_sent"
    assert page.locator("[data-testid=act-close]").count() == 0  # the answer is still open
    page.locator("[data-testid=recommendation] summary").first.click()
    page.fill("textarea[name=answer-answer]", "已采纳，列入明年工作要点。")
    click_and_wait(page, "[data-testid=act-answer-1]")
    _check(page, problems, f"{width} desk answered")
    click_and_wait(page, "[data-testid=act-close]")
    i.refresh_from_db()
    assert i.state == "closed" and i.recommendations.get().adopted is True
    assert page.locator("[data-testid=answer]").count() == 1

    for path in ("/inspections/plan/?year=2026", "/inspections/", "/inspections/supervision/",
                 f"/inspections/supervision/{item.pk}/", "/inspections/supervisors/",
                 f"/inspections/supervisors/{supervisor.pk}/"):
        page.goto(live_server.url + path)
        _check(page, problems, f"{width} staff {path}")
    sign_in(page, live_server, w.member)
    for path in ("/inspections/mine/", f"/inspections/{i.pk}/"):
        page.goto(live_server.url + path)
        _check(page, problems, f"{width} member {path}")
