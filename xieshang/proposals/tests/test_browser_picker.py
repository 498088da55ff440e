"""The unit picker and the layout in a real browser, at desktop (1280) and phone (390) width, and without JavaScript: the assign page
shows one mode at a time, the picker finds a unit by its short name and picks it, no button wraps (its
content is one line high), the proposal number stays on one line, and the list's phone cards keep labels."""

import pytest

from xieshang.core.models import HandlingUnit
from xieshang.proposals.models import Assignment
from xieshang.proposals.tests.browser_kit import ONE_LINE, WRAPPED, pick, sign_in
from xieshang.proposals.tests.factories import make_actors, make_unit, walk_to

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

K = HandlingUnit.Kind


@pytest.mark.parametrize("width, height", [(1280, 900), (390, 844)])
def test_assign_with_the_picker_and_no_wrapped_buttons(page, live_server, committee, width, height):
    farm = make_unit(committee, name="州农业农村局", short_name="农业局", kind=K.GOVERNMENT)[0]
    organisation = make_unit(committee, name="州委组织部", short_name="组织部", kind=K.PARTY)[0]
    reform = make_unit(committee, name="州发展和改革委员会", short_name="州发改委", kind=K.GOVERNMENT)[0]
    actors = make_actors(committee, units=[farm, organisation, reform])
    proposal, _ = walk_to("registered", actors=actors, cosign=False, title="关于发展设施农业和冷链物流的提案",
                          suggested_units="州发改委")
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.set_viewport_size({"width": width, "height": height})
    sign_in(page, live_server, actors.staff)

    page.goto(f"{live_server.url}/proposals/{proposal.pk}/assign/")
    assert page.locator(".ts-wrapper").count() == 4  # every unit field is a picker
    # one mode at a time: the suggested unit chose the sole mode, with the unit chosen
    assert page.is_checked("input[name=mode][value=sole]")
    assert page.locator("[data-testid=mode-sole] .mode-fields").is_visible()
    assert page.locator("[data-testid=mode-lead_co] .mode-fields").is_hidden()
    assert page.locator("[data-testid=mode-split] .mode-fields").is_hidden()
    assert page.eval_on_selector("select[name=sole_unit]", "el => el.value") == str(reform.pk)
    page.check("input[name=mode][value=lead_co]")
    assert page.locator("[data-testid=mode-sole] .mode-fields").is_hidden()
    assert page.locator("[data-testid=mode-lead_co] .mode-fields").is_visible()

    # the short name finds the unit (its name is another text), the pick reaches the form's select
    assert pick(page, "lead_unit", "农业局") == "州农业农村局"
    assert page.eval_on_selector("select[name=lead_unit]", "el => el.value") == str(farm.pk)
    assert pick(page, "co_units", "组织部") == "州委组织部"
    assert page.eval_on_selector("select[name=co_units]", "el => Array.from(el.selectedOptions).map(o => o.value)") \
        == [str(organisation.pk)]
    assert page.evaluate(WRAPPED) == []

    with page.expect_navigation():
        page.click("[data-testid=assign-submit]")
    assert dict(Assignment.objects.filter(proposal=proposal).values_list("unit_id", "role")) == {
        farm.pk: "lead", organisation.pk: "co"}
    assert page.evaluate(WRAPPED) == []  # the proposal's page with its actions
    assert page.eval_on_selector("[data-testid=proposal-number]", ONE_LINE)

    # the office's other pages: review queue (a submitted proposal with its actions), assignment meeting
    # (a registered one with its pickers), the workbench
    long_title = "关于进一步加强和改进农村牧区人居环境整治、推进厕所革命和生活垃圾分类处理工作的提案"
    walk_to("submitted", actors=actors, cosign=False, title=long_title)
    walk_to("registered", actors=actors, cosign=False, title=long_title, suggested_units="农业局、组织部")
    walk_to("assigned", actors=actors, cosign=False, title=long_title * 2)
    for path in ("/", "/proposals/review/", "/proposals/assign/"):
        page.goto(f"{live_server.url}{path}")
        assert page.evaluate(WRAPPED) == [], path
    page.goto(f"{live_server.url}/proposals/")
    assert page.evaluate(WRAPPED) == []
    number = page.locator("[data-testid=proposal-row] [data-testid=proposal-number]", has_text=proposal.number)
    assert number.evaluate(ONE_LINE)
    label = number.evaluate("el => getComputedStyle(el.parentElement, '::before').content")
    if width < 720:
        assert "提案号" in label  # phone cards keep their labels
    assert not [e for e in errors if "Content Security Policy" in e]


def test_without_javascript_the_modes_still_switch_and_the_selects_work(browser, live_server, committee):
    farm = make_unit(committee, name="州农业农村局", short_name="农业局", kind=K.GOVERNMENT)[0]
    reform = make_unit(committee, name="州发展和改革委员会", short_name="州发改委", kind=K.GOVERNMENT)[0]
    actors = make_actors(committee, units=[farm, reform])
    proposal, _ = walk_to("registered", actors=actors, cosign=False, title="无脚本交办")
    context = browser.new_context(locale="zh-CN", java_script_enabled=False)
    page = context.new_page()
    try:
        sign_in(page, live_server, actors.staff)
        page.goto(f"{live_server.url}/proposals/{proposal.pk}/assign/")
        assert page.locator(".ts-wrapper").count() == 0  # plain selects, grouped
        assert page.locator("select[name=split_units] optgroup").count() == 1
        assert page.locator("[data-testid=mode-split] .mode-fields").is_hidden()
        page.check("input[name=mode][value=split]")  # CSS alone shows the chosen mode
        assert page.locator("[data-testid=mode-split] .mode-fields").is_visible()
        assert page.locator("[data-testid=mode-sole] .mode-fields").is_hidden()
        page.select_option("select[name=split_units]", [str(farm.pk), str(reform.pk)])
        with page.expect_navigation():
            page.click("[data-testid=assign-submit]")
        assert set(Assignment.objects.filter(proposal=proposal).values_list("role", flat=True)) == {"split"}
    finally:
        context.close()


def test_urge_the_ticked_proposals_from_the_list(page, live_server, committee):
    from xieshang.core.models import Event

    actors = make_actors(committee, units=1)
    urgeable = walk_to("assigned", actors=actors, cosign=False, title="可以催办的提案")[0]
    registered = walk_to("registered", actors=actors, cosign=False, title="尚未交办的提案")[0]
    sign_in(page, live_server, actors.staff)
    page.goto(f"{live_server.url}/proposals/")
    page.check("input[data-select-all]")  # shown by app.js, ticks every row
    assert page.locator("[data-testid=select-row]:checked").count() == 2
    with page.expect_navigation():
        page.get_by_test_id("bulk-urge").click()
    messages = page.locator(".messages li").all_inner_texts()
    assert len(messages) == 2 and registered.number in messages[1]
    assert list(Event.objects.filter(action="proposal.urge").values_list("object_id", flat=True)) == [str(urgeable.pk)]


def test_the_reassign_picker_loads_the_library_on_the_detail_page(page, live_server, committee):
    farm = make_unit(committee, name="州农业农村局", short_name="农业局", kind=K.GOVERNMENT)[0]
    actors = make_actors(committee, units=[farm])
    proposal = walk_to("assigned", actors=actors, cosign=False, title="申退后重新交办")[0]
    from xieshang.proposals import services

    services.proposal_act(actor=actors.unit_users[0], proposal=proposal, action="object", data={"reason": "非本单位职责"})
    transport = make_unit(committee, name="州交通运输局", short_name="交通局", kind=K.GOVERNMENT)[0]
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    sign_in(page, live_server, actors.staff)
    page.goto(f"{live_server.url}/proposals/{proposal.pk}/")
    page.get_by_test_id("open-reassign").click()
    assert pick(page, "reassign-unit", "交通局") == "州交通运输局"  # the library came from data-picker-js
    with page.expect_navigation():
        page.get_by_test_id("action-reassign").click()
    assert Assignment.objects.filter(proposal=proposal, unit=transport).exists()
    assert not [e for e in errors if "Content Security Policy" in e]
