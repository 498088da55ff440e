"""A citizen's demand from the public portal to the citizen's verdict, in a real browser through the screens
only, at desktop and phone width (375×740) — issue #13's "done when":

the citizen submits a demand on the portal (phone → the SMS code, read from the in-memory SMS backend: the live
server runs in this process) and gets a tracking code, then follows it by the code → the keeper accepts it from
the station board and refers it to a handling unit with the unit picker → the unit's user answers it from the
inbox within its due date → the citizen reads the answer on the tracking page and confirms satisfied.
No script error, CSP violation or failed request on the way; no page wider than the screen; the citizen's phone
and name on no public page.
"""

import pytest

from xieshang.core.tests.browser_kit import click_and_wait, collect_problems, layout_faults, pick, sign_in
from xieshang.grassroots.models import Demand, DemandState
from xieshang.grassroots.tests.factories import ANSWER, make_world
from xieshang.grassroots.tests.public_kit import NAME, PHONE, TEXT, assert_no_personal_data, sms, sms_code  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("sms")]

WIDTHS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 375, "height": 740}}
SIDEWAYS = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


def check(page, problems, where):
    assert page.evaluate(SIDEWAYS) <= 1, f"{where}: wider than the screen"
    assert layout_faults(page) == [], where
    assert problems == [], where


@pytest.mark.parametrize("width", sorted(WIDTHS))
def test_a_citizens_demand_from_the_portal_to_the_verdict(page, live_server, width):
    w = make_world()
    q = f"?committee={w.committee.code}"
    page.set_viewport_size(WIDTHS[width])
    problems = collect_problems(page)

    # 1. The citizen submits a demand on the portal and gets a tracking code.
    page.goto(f"{live_server.url}/public/{q}")
    click_and_wait(page, "[data-testid=portal-submit-demand]")
    page.fill("[data-testid=public-phone]", PHONE)
    click_and_wait(page, "[data-testid=send-code]")
    page.fill("[data-testid=public-code]", sms_code())
    page.select_option("select[name=place]", str(w.place.pk))
    page.fill("[data-testid=public-text]", TEXT)
    page.fill("input[name=name]", NAME)
    click_and_wait(page, "[data-testid=send-demand]")
    code = page.get_by_test_id("tracking-code").inner_text().strip()
    demand = Demand.objects.get()
    assert code == demand.tracking_code and demand.state == DemandState.RECEIVED and demand.phone == PHONE
    check(page, problems, f"{width}: the tracking code")
    assert_no_personal_data(page.content())

    # ... and follows it by the code.
    page.goto(f"{live_server.url}/public/track/{q}")
    page.fill("[data-testid=track-code]", code.lower())
    click_and_wait(page, "[data-testid=track-go]")
    assert page.get_by_test_id("track-state").inner_text().strip()
    check(page, problems, f"{width}: tracking, received")
    assert_no_personal_data(page.content(), TEXT)

    # 2. The keeper accepts it from the station board and refers it to the unit.
    sign_in(page, live_server, w.keeper)
    page.goto(f"{live_server.url}/grassroots/board/")
    check(page, problems, f"{width}: the station board")
    click_and_wait(page, f"[data-demand='{demand.pk}'] [data-testid=demand-link]")
    assert page.get_by_test_id("citizen-phone").inner_text().strip() == PHONE  # the keeper may call back
    click_and_wait(page, "[data-testid=action-accept]")
    assert page.get_by_test_id("demand-state").get_attribute("data-state") == "accepted"
    page.get_by_test_id("open-refer").click()
    pick(page, "unit", w.unit_row.name)
    click_and_wait(page, "[data-testid=action-refer]")
    assert page.get_by_test_id("demand-state").get_attribute("data-state") == "referred"
    assert w.unit_row.name in page.get_by_test_id("unit").inner_text()
    check(page, problems, f"{width}: referred")
    demand.refresh_from_db()
    assert demand.state == DemandState.REFERRED and demand.due_on is not None

    # 3. The unit's user answers it from the inbox, within the due date.
    sign_in(page, live_server, w.unit)
    page.goto(f"{live_server.url}/grassroots/inbox/")
    check(page, problems, f"{width}: the unit's inbox")
    click_and_wait(page, f"[data-demand='{demand.pk}'] [data-testid=demand-link]")
    page.get_by_test_id("open-answer").click()
    page.fill("#id_answer_text", ANSWER)
    click_and_wait(page, "[data-testid=action-answer]")
    assert page.get_by_test_id("demand-state").get_attribute("data-state") == "answered"
    check(page, problems, f"{width}: answered")
    demand.refresh_from_db()
    assert demand.state == DemandState.ANSWERED and not demand.answered_late
    assert demand.answered_by_unit_id == w.unit_row.pk

    # 4. The citizen reads the answer on the tracking page and confirms satisfied.
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/public/track/{code}/{q}")
    assert ANSWER in page.get_by_test_id("track-answer").inner_text()
    assert_no_personal_data(page.content(), TEXT)
    page.check("input[name=satisfied][value=yes]")
    click_and_wait(page, "[data-testid=confirm-send]")
    assert page.get_by_test_id("track-satisfaction").is_visible()
    check(page, problems, f"{width}: confirmed")
    demand.refresh_from_db()
    assert demand.state == DemandState.CLOSED and demand.satisfaction == "satisfied"
    actions = list(demand_events(demand))
    assert actions == ["demand.create", "demand.accept", "demand.refer", "demand.answer", "demand.confirm"]


def demand_events(demand):
    from xieshang.core.models import Event

    return Event.objects.for_object(demand).order_by("created_at", "id").values_list("action", flat=True)
