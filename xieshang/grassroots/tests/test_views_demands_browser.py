"""The demand screens in a real browser at desktop and phone width: each page of the keeper, the unit and the
office lays out without a wrapped button or badge, with its phone cards labelled, nothing wider than the
screen, and without a script error, a CSP violation or a failed request; the keeper refers a demand with the
searchable unit picker and the unit answers it from its inbox."""

import pytest

from xieshang.core.tests.browser_kit import click_and_wait, collect_problems, layout_faults, pick, sign_in
from xieshang.grassroots.models import DemandState
from xieshang.grassroots.tests.factories import ANSWER, make_world, new_demand, walk_to

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
OVERFLOW = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


def _check(page, problems, where):
    assert layout_faults(page) == [], where
    assert page.evaluate(OVERFLOW) <= 1, f"{where}: wider than the screen"
    assert problems == [], where


@pytest.mark.parametrize("width", sorted(WIDTHS))
def test_the_demand_screens_at_desktop_and_phone_width(page, live_server, width):
    w = make_world()
    page.set_viewport_size(WIDTHS[width])
    problems = collect_problems(page)
    walk_to("referred", w, new_demand(w, text="小区门口的路灯坏了两个多月，晚上出行不便，希望尽快修好。"))
    demand = new_demand(w, text="农贸市场周边占道经营，早晚高峰车辆难以通行。")

    sign_in(page, live_server, w.keeper)
    for path in ("/grassroots/board/", "/grassroots/demands/new/", "/grassroots/demands/mine/",
                 f"/grassroots/demands/{demand.pk}/"):
        page.goto(live_server.url + path)
        _check(page, problems, f"{width} keeper {path}")

    # The keeper refers the new demand with the searchable unit picker.
    page.get_by_test_id("open-refer").click()
    pick(page, "unit", w.unit_row.name)
    click_and_wait(page, "[data-testid=action-refer]")
    demand.refresh_from_db()
    assert demand.state == DemandState.REFERRED and demand.unit_id == w.unit_row.pk
    _check(page, problems, f"{width} after refer")

    # The unit answers it from its inbox.
    sign_in(page, live_server, w.unit)
    page.goto(live_server.url + "/grassroots/inbox/")
    _check(page, problems, f"{width} unit inbox")
    click_and_wait(page, f"[data-demand='{demand.pk}'] [data-testid=demand-link]")
    page.get_by_test_id("open-answer").click()
    page.fill("#id_answer_text", ANSWER)
    click_and_wait(page, "[data-testid=action-answer]")
    demand.refresh_from_db()
    assert demand.state == DemandState.ANSWERED
    _check(page, problems, f"{width} after answer")

    sign_in(page, live_server, w.staff)
    page.goto(live_server.url + "/grassroots/demands/")
    _check(page, problems, f"{width} office list")
