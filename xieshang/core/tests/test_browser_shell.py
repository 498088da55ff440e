"""The interface shell in a real browser: sign in, the role's home page, the language switch."""

import re

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROLE_HOME = {
    "staff": ("机关干部", "Office staff"),  # GLOSSARY: 机关干部 = Staff
    "unit": ("承办单位", "Handling unit"),
    "member": ("委员", "Member"),
    "leader": ("领导", "Leader"),
}


def _sign_in(page, live_server, username, password="correct-horse-42"):
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")


@pytest.mark.parametrize("role", sorted(ROLE_HOME))
def test_each_role_signs_in_and_sees_its_home_page(page, live_server, committee, make_user, role):
    from xieshang.core.tests.factories import HandlingUnitFactory

    unit = HandlingUnitFactory(committee=committee, name="州农业农村局") if role == "unit" else None
    make_user(committee, role, unit=unit, username=f"b-{role}")
    _sign_in(page, live_server, f"b-{role}")
    page.wait_for_url(f"{live_server.url}/")
    zh, en = ROLE_HOME[role]
    assert zh in page.get_by_test_id("home-role").inner_text()
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    # Switch to English and back; the page stays the same page, in the other language.
    page.get_by_test_id("lang-en").click()
    page.wait_for_selector("html[lang=en]")
    assert en in page.get_by_test_id("home-role").inner_text()
    assert page.get_by_role("heading", name="Workbench").is_visible()
    page.get_by_test_id("lang-zh-hans").click()
    page.wait_for_selector("html[lang=zh-hans]")
    assert page.get_by_role("heading", name="工作台").is_visible()


def test_wrong_password_keeps_the_user_name_and_says_why(page, live_server, committee, make_user):
    make_user(committee, "member", username="b-wrong")
    _sign_in(page, live_server, "b-wrong", password="not-the-password")
    assert page.locator("[role=alert]").first.is_visible()
    assert "不正确" in page.locator("[role=alert]").first.inner_text()
    assert page.input_value("input[name=username]") == "b-wrong"


def test_phone_width_menu_opens(page, live_server, committee, make_user):
    make_user(committee, "staff", username="b-phone")
    page.set_viewport_size({"width": 390, "height": 800})
    _sign_in(page, live_server, "b-phone")
    page.wait_for_url(f"{live_server.url}/")
    nav = page.locator("nav.mainnav")
    assert not nav.is_visible()
    page.locator("label.nav-toggle-label").click()
    assert nav.is_visible()
    assert re.search("工作台", nav.inner_text())
