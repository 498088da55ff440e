"""Hot topics in a real browser, at desktop and phone width: the leader's workbench loads the card (htmx,
after the page), its link opens the statistics page with this year against last by kind."""

import pytest

from xieshang.core.tests.browser_kit import click_and_wait, collect_problems, layout_faults, sign_in
from xieshang.text import hot

from .test_hot import build

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.mark.parametrize("width", sorted(WIDTHS))
def test_the_leader_sees_the_hot_topics(page, live_server, width):
    from xieshang.core.models import Session

    h = build()
    sessions = Session.objects.filter(term__committee=h.committee)
    sessions.update(is_current=False)
    sessions.filter(year=2025).update(is_current=True)  # the workbench opens on the current session's year
    page.set_viewport_size(WIDTHS[width])
    problems = collect_problems(page)
    sign_in(page, live_server, h.world.leader)
    page.goto(f"{live_server.url}/")
    card = page.get_by_test_id("hot-card")
    card.get_by_test_id("hot-topics").wait_for(timeout=15_000)
    labels = [t.label for t in hot.hot_topics(h.committee, 2025, k=5)]
    assert labels and labels[0] in card.inner_text()
    click_and_wait(page, "[data-testid=hot-card] a[href*='/reports/hot/']")
    table = page.get_by_test_id("hot-table")
    assert labels[0] in table.inner_text()
    assert layout_faults(page) == []
    assert problems == []
