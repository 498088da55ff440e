"""The meeting screens in a real browser at desktop and phone width: the office's list, planning form and desk,
and the member's pages lay out without a wrapped button or badge, with phone cards labelled, nothing wider than
the screen, and without a script error, a CSP violation or a failed request; the office records attendance on
the sign-in list, and a member signs in with the code on the phone."""

import pytest

from xieshang.consultation.models import Attendance, MeetingState
from xieshang.consultation.tests.factories import MEETING_DAY, make_world, plan, walk_to
from xieshang.core import clock
from xieshang.core.tests.browser_kit import click_and_wait, collect_problems, layout_faults, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
OVERFLOW = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


def _check(page, problems, where):
    assert layout_faults(page) == [], where
    assert page.evaluate(OVERFLOW) <= 1, f"{where}: wider than the screen"
    assert problems == [], where


@pytest.mark.parametrize("width", sorted(WIDTHS))
def test_the_meeting_screens_at_desktop_and_phone_width(page, live_server, width):
    w = make_world()
    page.set_viewport_size(WIDTHS[width])
    problems = collect_problems(page)
    plan(w, kind="plenary", form="", members=[], title="政协第十三届委员会第三次全体会议")
    m = walk_to("notified", w, plan(w, title="关于优化营商环境的专题协商会"))

    sign_in(page, live_server, w.staff)
    for path in ("/consultation/meetings/", "/consultation/meetings/new/", f"/consultation/meetings/{m.pk}/"):
        page.goto(live_server.url + path)
        _check(page, problems, f"{width} staff {path}")

    sign_in(page, live_server, w.member)
    for path in ("/consultation/mine/", f"/consultation/meetings/{m.pk}/ask-leave/", "/consultation/sign-in/"):
        page.goto(live_server.url + path)
        _check(page, problems, f"{width} member {path}")

    clock.set_to(MEETING_DAY)
    page.goto(live_server.url + "/consultation/sign-in/")
    page.fill("input[name=code]", m.sign_in_code)
    click_and_wait(page, "[data-testid=sign-in]")
    assert Attendance.objects.get(meeting=m, member=w.member_row()).source == "code"
    _check(page, problems, f"{width} after the code")

    sign_in(page, live_server, w.staff)
    page.goto(f"{live_server.url}/consultation/meetings/{m.pk}/")
    click_and_wait(page, "[data-testid=act-hold]")
    m.refresh_from_db()
    assert m.state == MeetingState.HELD
    other = w.member_row(w.other_member)
    row = page.locator(f"[data-testid=attendance-row][data-member='{other.pk}']")
    row.locator("select[name=status]").select_option("absent")
    click_and_wait(page, f"[data-testid=record-{other.pk}]")
    assert Attendance.objects.get(meeting=m, member=other).status == "absent"
    _check(page, problems, f"{width} desk after attendance")
