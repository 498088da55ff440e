"""A citizen on a phone (375×740) in a real browser: from the portal's home, submits a demand (phone → SMS code →
the form, with a first wrong code that loses nothing typed) and gets a tracking code; follows it by the code
typed in lower case; after the place and the unit answer it, confirms satisfied; then sees all of the phone's
demands. No page scrolls sideways, no button wraps, no script error or CSP violation; the phone and name typed
are on no page but the citizen's own form."""

import pytest
from django.core.cache import cache

from xieshang.core.tests.browser_kit import WRAPPED, click_and_wait, collect_problems
from xieshang.grassroots.models import Demand, DemandState
from xieshang.grassroots.tests.factories import ANSWER, make_world, walk_to
from xieshang.grassroots.tests.public_kit import NAME, PHONE, TEXT, assert_no_personal_data, sms, sms_code  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("sms")]

PHONE_SIZE = {"width": 375, "height": 740}
SIDEWAYS = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


def check_layout(page):
    assert page.evaluate(SIDEWAYS) <= 0, f"{page.url} scrolls sideways"
    assert page.evaluate(WRAPPED) == [], page.url


def test_citizen_submits_and_follows_on_a_phone(page, live_server):
    w = make_world()
    q = f"?committee={w.committee.code}"
    page.set_viewport_size(PHONE_SIZE)
    problems = collect_problems(page)
    problems_to_ignore = []

    page.goto(f"{live_server.url}/public/{q}")
    click_and_wait(page, "[data-testid=portal-submit-demand]")
    check_layout(page)
    page.fill("[data-testid=public-phone]", "139 1234 0000")
    click_and_wait(page, "[data-testid=send-code]")
    check_layout(page)
    assert page.input_value("[data-testid=public-phone]") == PHONE

    # a wrong code: the message, and everything typed is still there
    page.fill("[data-testid=public-code]", "000000")
    page.select_option("select[name=place]", str(w.place.pk))
    page.fill("[data-testid=public-text]", TEXT)
    page.fill("input[name=name]", NAME)
    with page.expect_navigation():
        page.click("[data-testid=send-demand]")
    problems_to_ignore.append(f"422 {page.url}")
    assert page.locator(".field.has-error [role=alert]").count() >= 1
    assert page.input_value("[data-testid=public-text]") == TEXT and page.input_value("input[name=name]") == NAME
    assert page.input_value("[data-testid=public-code]") == "000000"
    check_layout(page)

    page.fill("[data-testid=public-code]", sms_code())
    click_and_wait(page, "[data-testid=send-demand]")
    code = page.get_by_test_id("tracking-code").inner_text().strip()
    demand = Demand.objects.get()
    assert code == demand.tracking_code
    check_layout(page)
    assert_no_personal_data(page.content())

    # follow it by the code, typed in lower case with a space
    page.goto(f"{live_server.url}/public/track/{q}")
    page.fill("[data-testid=track-code]", f"{code[:5].lower()} {code[5:].lower()}")
    click_and_wait(page, "[data-testid=track-go]")
    assert page.get_by_test_id("track-state").inner_text().strip()
    check_layout(page)
    assert_no_personal_data(page.content(), TEXT)

    # the place accepts and refers it, the unit answers; the citizen confirms
    walk_to("answered", w, demand)
    page.reload()
    assert ANSWER in page.get_by_test_id("track-answer").inner_text()
    check_layout(page)
    page.check("input[name=satisfied][value=yes]")
    click_and_wait(page, "[data-testid=confirm-send]")
    demand.refresh_from_db()
    assert demand.state == DemandState.CLOSED and demand.satisfaction == "satisfied"
    assert page.get_by_test_id("track-satisfaction").is_visible()

    # all the phone's demands (a minute later: one code per phone per minute)
    cache.clear()
    click_and_wait(page, "[data-testid=nav-track]")
    click_and_wait(page, "[data-testid=follow-all]")
    page.fill("[data-testid=public-phone]", PHONE)
    click_and_wait(page, "[data-testid=send-code]")
    page.fill("[data-testid=public-code]", sms_code())
    click_and_wait(page, "[data-testid=follow-go]")
    assert code in page.get_by_test_id("my-demands").inner_text()
    check_layout(page)
    assert_no_personal_data(page.content(), TEXT)

    # the directory at phone width
    click_and_wait(page, "[data-testid=nav-places]")
    assert page.get_by_test_id("place").count() == 2
    check_layout(page)
    assert [p for p in problems if p not in problems_to_ignore] == []
