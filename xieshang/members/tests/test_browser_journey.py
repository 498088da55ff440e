"""The duty rules and a member's duty in a real browser, at desktop and phone width: the office types a small
published-style table into the rules screen, tries it on a sample year, saves it; the member opens 我的履职
and sees the score and the arithmetic of each item."""

import pytest

from xieshang.core import clock
from xieshang.core.tests.browser_kit import click_and_wait, collect_problems, layout_faults, sign_in
from xieshang.members.models import DutyRuleSet

from .factories import make_people, record

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.mark.parametrize("width", sorted(WIDTHS))
def test_rules_typed_tried_saved_and_a_member_sees_the_arithmetic(page, live_server, committee, width):
    people = make_people(committee)
    year = clock.today().year
    record(people.member, "proposal.lead", authors=2, on=clock.today())
    record(people.member, "proposal.cosigner", authors=3, lead=False, on=clock.today())
    page.set_viewport_size(WIDTHS[width])
    problems = collect_problems(page)

    sign_in(page, live_server, people.staff)
    page.goto(f"{live_server.url}/members/duty/rules/?year={year}")
    rows = [("base", {"points": "60"}), ("band", {"name": "称职", "min": "70"}), ("band", {"name": "不称职"}),
            ("category", {"name": "提案工作", "cap": "20"}),
            ("item", {"kind": "proposal_registered", "points": "6", "per": "item", "lead_share": "0.5"})]
    for index, (kind, values) in enumerate(rows):
        page.select_option(f"select[name=r-{index}-row]", kind)
        for key, value in values.items():
            if key in ("kind", "per"):
                page.select_option(f"select[name=r-{index}-{key}]", value)
            else:
                page.fill(f"input[name=r-{index}-{key}]", value)
    page.click("[data-testid=rules-try] summary")
    page.fill("input[name=try-proposal_registered]", "4")
    click_and_wait(page, "[data-testid=rules-try-out]")
    assert page.get_by_test_id("duty-total").inner_text() == "80.00"  # 60 + 4 × 6 (one author each: full) → cap 20
    assert not DutyRuleSet.objects.exists()
    assert layout_faults(page) == []
    click_and_wait(page, "[data-testid=rules-save]")
    assert DutyRuleSet.objects.get().version == 1

    sign_in(page, live_server, people.member_user)
    page.goto(f"{live_server.url}/members/duty/")
    # first of 2: 6 × 0.5 = 3; one of 3: 6 × 0.5 / 2 = 1.5 → 60 + 4.5
    assert page.get_by_test_id("duty-total").inner_text() == "64.50"
    assert page.get_by_test_id("duty-band").inner_text() == "不称职"
    arithmetic = page.locator("[data-kind=proposal_registered] [data-testid=duty-arithmetic]").inner_text()
    assert "= 4.50" in arithmetic
    assert page.get_by_test_id("duty-fact").count() == 2
    assert layout_faults(page) == []
    assert problems == []
