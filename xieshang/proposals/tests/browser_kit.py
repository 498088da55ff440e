"""The proposals' browser tests: the shared kit (core/tests/browser_kit.py) and the proposal's page."""

from xieshang.core.tests.browser_kit import (  # noqa: F401  (re-exported for the proposals' browser tests)
    ONE_LINE,
    PASSWORD,
    PHONE_WIDTH,
    UNLABELLED,
    WRAPPED,
    click_and_wait,
    collect_problems,
    layout_faults,
    pick,
    sign_in,
)


def open_detail(page, live_server, proposal):
    page.goto(f"{live_server.url}/proposals/{proposal.pk}/")


def state_of(page):
    return page.get_by_test_id("proposal-state").get_attribute("data-state")
