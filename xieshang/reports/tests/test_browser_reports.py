"""The main journeys of the reports app in a real browser: the statistics page down to the records
behind a figure (with no CSP violation), and the public portal's search without signing in."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(page, live_server, username, password="correct-horse-42"):
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def test_from_a_figure_to_its_records(page, live_server, committee, make_user, year_2024):
    violations = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    make_user(committee, "leader", username="b-leader")
    _sign_in(page, live_server, "b-leader")
    page.goto(f"{live_server.url}/reports/proposals/?year=2024")
    assert page.get_by_test_id("figure-registered").locator(".stat-value").inner_text() == "9"
    assert page.get_by_test_id("rate-reply_rate").locator(".stat-value").inner_text() == "55.6%"
    assert page.locator("svg.chart rect.bar").count() >= 10
    page.get_by_test_id("figure-replied").click()
    page.wait_for_url("**/reports/proposals/records/**")
    assert page.get_by_test_id("record-count").inner_text() == "5"
    assert page.get_by_test_id("record").count() == 5
    assert violations == []


def test_public_search_without_signing_in(page, live_server, committee, year_2024):
    from xieshang.proposals import search
    from xieshang.proposals.models import Proposal

    p = year_2024["proposals"][13]
    Proposal.objects.filter(pk=p.pk).update(is_public=True, title="关于发展番茄加工产业的建议")
    search.index_proposals([p.pk])  # a write behind the services' back: index it as bulk writers do
    page.goto(f"{live_server.url}/public/proposals/")
    page.fill("input[name=q]", "番茄")
    page.get_by_role("button", name="搜索").click()
    page.wait_for_url("**q=*")
    assert page.get_by_test_id("public-proposal").count() == 1
    page.get_by_role("link", name="关于发展番茄加工产业的建议").click()
    assert page.get_by_test_id("public-proposal-detail").is_visible()
