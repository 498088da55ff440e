"""The activity and place screens in a real browser at desktop and phone width: a keeper plans an activity with
the searchable member and unit pickers, publishes its notice, records it as held with the attendance checklist,
adds an outcome owned by a unit and marks it done; the office's places, overview and a member's stations lay out
without a wrapped button, with labelled phone cards, nothing wider than the screen, no script error, CSP violation
or failed request."""

import pytest

from xieshang.core.tests.browser_kit import click_and_wait, collect_problems, layout_faults, pick, sign_in
from xieshang.grassroots.models import Activity, ActivityMember, Outcome, PlaceMember
from xieshang.grassroots.tests.factories import make_world, walk_to

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
OVERFLOW = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
TOPIC = "老旧小区加装电梯协商议事会"


def _check(page, problems, where):
    assert layout_faults(page) == [], where
    assert page.evaluate(OVERFLOW) <= 1, f"{where}: wider than the screen"
    assert problems == [], where


@pytest.mark.parametrize("width", sorted(WIDTHS))
def test_an_activity_from_plan_to_outcome_at_desktop_and_phone_width(page, live_server, width):
    w = make_world()
    m1, m2 = w.member_row(), w.member_row(w.other_member)
    PlaceMember.objects.create(place=w.place, member=m1)
    walk_to("answered", w)
    page.set_viewport_size(WIDTHS[width])
    problems = collect_problems(page)

    # 1. The keeper plans it: two members and a department from the pickers.
    sign_in(page, live_server, w.keeper)
    page.goto(live_server.url + "/grassroots/activities/")
    _check(page, problems, f"{width} list")
    click_and_wait(page, "[data-testid=plan-activity]")
    _check(page, problems, f"{width} plan form")
    page.fill("[data-testid=field-topic]", TOPIC)
    page.fill("[data-testid=field-location]", "社区会议室")
    pick(page, "members", m1.name)
    pick(page, "members", m2.name)
    pick(page, "units", w.unit_row.name)
    click_and_wait(page, "[data-testid=save-plan]")
    activity = Activity.objects.get(topic=TOPIC)
    assert set(activity.participants.values_list("member_id", flat=True)) == {m1.pk, m2.pk}
    _check(page, problems, f"{width} planned")

    # 2. Publishes the notice, then records it as held: one member present, one on leave, citizens, minutes.
    click_and_wait(page, "[data-testid=action-publish]")
    click_and_wait(page, "[data-testid=action-hold]")
    _check(page, problems, f"{width} hold form")
    page.check(f"input[name=att_{m2.pk}][value=leave]")
    page.fill("[data-testid=field-citizens_count]", "23")
    page.fill("[data-testid=field-minutes]", "一、居民代表发言\n二、部门现场回应")
    click_and_wait(page, "[data-testid=save-record]")
    activity.refresh_from_db()
    assert activity.state == "held" and activity.citizens_count == 23
    assert ActivityMember.objects.get(activity=activity, member=m2).status == "leave"
    _check(page, problems, f"{width} held")

    # 3. An outcome owned by a unit, then marked done.
    page.get_by_test_id("open-outcome").click()
    page.fill("[data-testid=outcome-text]", "年底前完成两部电梯加装")
    pick(page, "owner_unit", w.unit_row.name)
    click_and_wait(page, "[data-testid=add-outcome]")
    outcome = Outcome.objects.get(activity=activity)
    assert outcome.owner_unit_id == w.unit_row.pk
    click_and_wait(page, "[data-testid=outcome-done]")
    outcome.refresh_from_db()
    assert outcome.state == "done"
    _check(page, problems, f"{width} outcome done")
    page.goto(f"{live_server.url}/grassroots/places/{w.place.pk}/")
    _check(page, problems, f"{width} place")

    # 4. The office's directory and overview; the member's stations.
    sign_in(page, live_server, w.staff)
    for path in ("/grassroots/places/", "/grassroots/overview/", f"/grassroots/places/{w.place.pk}/edit/"):
        page.goto(live_server.url + path)
        _check(page, problems, f"{width} staff {path}")
    sign_in(page, live_server, w.member)
    page.goto(live_server.url + "/grassroots/stations/mine/")
    assert TOPIC in page.content()
    _check(page, problems, f"{width} my stations")
