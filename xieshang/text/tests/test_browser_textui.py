"""The text engine in a real browser, at desktop and phone width (issue #16, "Done when"):

a member drafting a proposal on a topic proposed last year sees last year's proposal and its reply as they
type, before submitting (htmx, no page reload); the office sees the suggested category at registration and
accepts it with one click (it fills the register form), then the suggested units at assignment (one click
fills the assignment form); or accepts category and units at once and registers and assigns in one step
(立案并交办); what was suggested and chosen is recorded.
"""

import pytest

from xieshang.core.tests.browser_kit import click_and_wait, collect_problems, layout_faults, sign_in
from xieshang.proposals.models import Proposal
from xieshang.proposals.tests.factories import ProposalFactory, make_member
from xieshang.text import store
from xieshang.text.models import TextSuggestion

from .history import REPLY_TEXT, make_history
from .test_textui import EDU_BODY, EDU_TITLE, _last_year_proposal

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.fixture(autouse=True)
def _data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"
    store.forget()
    yield
    store.forget()


@pytest.mark.parametrize("width", sorted(WIDTHS))
def test_similar_while_drafting_and_suggestions_at_review(page, live_server, width):
    committee, units, _finance, staff = make_history()
    store.train_committee(committee)
    last, _actors = _last_year_proposal(committee, units)
    submitted = ProposalFactory(committee=committee, state="submitted", title=EDU_TITLE, body=EDU_BODY)
    second = ProposalFactory(committee=committee, state="submitted", title=EDU_TITLE + "（二）", body=EDU_BODY)
    page.set_viewport_size(WIDTHS[width])
    page.on("dialog", lambda d: d.accept())
    problems = collect_problems(page)

    # 1. A member drafts on last year's topic: the panel shows last year's proposal and its reply as they type.
    drafter = make_member(committee)
    sign_in(page, live_server, drafter)
    page.goto(f"{live_server.url}/proposals/new/")
    page.fill("[data-testid=field-title]", "关于老旧小区加装电梯的提案")
    page.locator("[data-testid=field-body]").press_sequentially("老旧小区没有电梯，老人上下楼困难，建议简化加装电梯审批。", delay=5)
    item = page.locator(f"[data-testid=similar-item][data-kind=proposal][data-id='{last.pk}']")
    item.wait_for(timeout=15_000)
    assert last.title in item.inner_text()
    assert REPLY_TEXT[:12] in item.get_by_test_id("similar-reply").inner_text()
    assert page.url.endswith("/proposals/new/")  # no page reload: still the drafting form
    assert not Proposal.objects.filter(created_by=drafter, state="submitted").exists()  # before submitting
    assert layout_faults(page) == []

    # 2. The office registers the submitted proposal: the suggested category, accepted with one click.
    sign_in(page, live_server, staff)
    page.goto(f"{live_server.url}/proposals/review/")
    row = page.locator(f"[data-testid=review-row][data-proposal='{submitted.pk}']")
    row.get_by_test_id("suggested-categories").wait_for(timeout=15_000)
    page.wait_for_function("() => window.xieshangTextAccept === true", timeout=10_000)  # the panel's script has run
    row.get_by_test_id("accept-category").click()
    select = row.locator("select[name=register-category]")
    select.wait_for(state="attached", timeout=10_000)  # a searchable picker may stand in for it on a phone
    page.wait_for_function("el => el.value === 'culture'", arg=select.element_handle(), timeout=5_000)
    assert layout_faults(page) == []
    click_and_wait(page, f"[data-testid=review-row][data-proposal='{submitted.pk}'] [data-testid=action-register]")
    submitted.refresh_from_db()
    assert submitted.state == "registered" and submitted.category == "culture"

    # 3. At assignment: the suggested units, accepted with one click (the form comes back filled).
    page.goto(f"{live_server.url}/proposals/{submitted.pk}/assign/")
    page.get_by_test_id("accept-units").wait_for(timeout=15_000)
    click_and_wait(page, "[data-testid=accept-units]")
    assert layout_faults(page) == []
    click_and_wait(page, "[data-testid=assign-submit]")
    submitted.refresh_from_db()
    assert submitted.state == "assigned"
    assert submitted.assignments.filter(unit=units["culture"]).exists()
    decided = {r.kind: r.accepted for r in TextSuggestion.objects.filter(object_id=submitted.pk)}
    assert decided == {"proposal.category": True, "proposal.units": True}

    # 4. 立案并交办: one click fills the register form's category and units; registering assigns at once.
    page.goto(f"{live_server.url}/proposals/review/")
    row = page.locator(f"[data-testid=review-row][data-proposal='{second.pk}']")
    row.get_by_test_id("accept-all").wait_for(timeout=15_000)
    page.wait_for_function("() => window.xieshangTextAccept === true", timeout=10_000)
    row.get_by_test_id("accept-all").click()
    lead = row.locator("select[name=register-lead_unit]")
    lead.wait_for(state="attached", timeout=10_000)
    page.wait_for_function(f"el => el.value === '{units['culture'].pk}'", arg=lead.element_handle(), timeout=5_000)
    assert layout_faults(page) == []
    click_and_wait(page, f"[data-testid=review-row][data-proposal='{second.pk}'] [data-testid=action-register]")
    second.refresh_from_db()
    assert second.state == "assigned" and second.category == "culture" and second.number
    assert second.assignments.filter(unit=units["culture"], role__in=["sole", "lead"]).exists()
    assert problems == []
