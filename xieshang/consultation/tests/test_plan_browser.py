"""The journey from a topic to its outcome in a real browser, at desktop and phone width: a member submits a topic;
the office shortlists it, records both approvals of the plan and schedules the topic as a meeting; the meeting is
notified, held and its outcome report sent; the member sees what became of the topic. Every page lays out without
a wrapped button or badge, nothing wider than the screen, no script error or failed request."""

import pytest

from xieshang.consultation.models import ConsultationTopic, MeetingState
from xieshang.consultation.tests.factories import make_world
from xieshang.consultation.tests.plan_factories import MEETING_DAY, open_plan
from xieshang.consultation.tests.test_browser import WIDTHS, _check
from xieshang.core import clock
from xieshang.core.tests.browser_kit import click_and_wait, collect_problems, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", sorted(WIDTHS))
def test_a_topic_from_submission_to_its_outcome(page, live_server, width):
    w = make_world()
    open_plan(w)
    page.set_viewport_size(WIDTHS[width])
    problems = collect_problems(page)
    url = live_server.url

    sign_in(page, live_server, w.member)
    page.goto(url + "/consultation/topics/new/")
    _check(page, problems, f"{width} submit form")
    page.fill("input[name=title]", "加快普惠托育服务体系建设")
    page.fill("textarea[name=reason]", "托育服务供给不足，双职工家庭负担重。")
    page.select_option("select[name=form]", "thematic")
    click_and_wait(page, "[data-testid=save]")
    topic = ConsultationTopic.objects.get(title="加快普惠托育服务体系建设")
    _check(page, problems, f"{width} my topics")

    sign_in(page, live_server, w.staff)
    page.goto(f"{url}/consultation/topics/")
    _check(page, problems, f"{width} topic list")
    page.goto(f"{url}/consultation/topics/{topic.pk}/")
    _check(page, problems, f"{width} topic desk")
    page.select_option("[data-testid=shortlist-form] select[name=month]", "5")
    click_and_wait(page, "[data-testid=act-shortlist]")
    page.goto(f"{url}/consultation/plan/?year=2026")
    _check(page, problems, f"{width} plan board")
    for action, number in (("approve_chair", "主席会议纪要〔2026〕3号"), ("approve_party", "昌州党办〔2026〕9号")):
        form = f"[data-testid=plan-action-{action}]"
        page.fill(f"{form} input[name=date]", clock.today().isoformat())
        page.fill(f"{form} input[name=document]", number)
        click_and_wait(page, f"[data-testid=act-{action}]")
    assert page.locator("[data-testid=plan-state]").get_attribute("data-state") == "approved"
    _check(page, problems, f"{width} approved plan")
    page.goto(f"{url}/consultation/topics/{topic.pk}/")
    page.fill("[data-testid=schedule-form] input[name=start_on]", MEETING_DAY.isoformat())
    page.fill("[data-testid=schedule-form] input[name=place]", "州政协三楼会议室")
    click_and_wait(page, "[data-testid=act-schedule]")
    topic.refresh_from_db()
    assert topic.state == "scheduled" and topic.meeting is not None
    _check(page, problems, f"{width} scheduled topic")

    page.goto(f"{url}/consultation/meetings/{topic.meeting_id}/")
    click_and_wait(page, "[data-testid=act-notify]")
    clock.set_to(MEETING_DAY)
    page.goto(f"{url}/consultation/meetings/{topic.meeting_id}/")
    click_and_wait(page, "[data-testid=act-hold]")
    page.fill("[data-testid=outcome-form] input[name=title]", "关于普惠托育的协商成果")
    page.fill("[data-testid=outcome-form] textarea[name=text]", "建议增加普惠托育机位。")
    click_and_wait(page, "[data-testid=add-outcome]")
    topic.meeting.refresh_from_db()
    assert topic.meeting.state == MeetingState.HELD
    _check(page, problems, f"{width} meeting desk")

    sign_in(page, live_server, w.member)
    page.goto(f"{url}/consultation/topics/mine/")
    row = page.locator(f"[data-testid=my-topic][data-topic='{topic.pk}']")
    assert row.get_attribute("data-outcome") == "held"
    assert "关于普惠托育的协商成果" in row.inner_text()
    _check(page, problems, f"{width} the member sees the outcome")
