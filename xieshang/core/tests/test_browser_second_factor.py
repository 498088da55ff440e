"""Two-step sign-in in a real browser: an administrator is sent to set it up, scans (reads the key), confirms a
code, keeps the ten recovery codes, and later signs in with one of them."""

import base64
import re

import pytest
from django_otp.oath import totp

from xieshang.core.tests.test_browser_shell import _sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_administrator_sets_up_two_step_sign_in_and_signs_in_with_a_recovery_code(page, live_server, committee,
                                                                                     make_user):
    make_user(committee, "admin", username="b-admin")
    _sign_in(page, live_server, "b-admin")
    page.wait_for_url(f"{live_server.url}/account/two-step/")
    assert page.get_by_test_id("enrol-qr").locator("svg").is_visible()  # drawn on the page, no image service
    page.goto(f"{live_server.url}/inbox/")  # nothing else until it is set up
    page.wait_for_url(f"{live_server.url}/account/two-step/")

    key = base64.b32decode(page.get_by_test_id("enrol-secret").inner_text().replace(" ", ""))
    page.fill("input[name=code]", f"{totp(key):06d}")
    page.click("button[type=submit]")
    page.get_by_test_id("recovery-codes").locator("code").first.wait_for()  # the answer page, not the form still shown
    codes = page.get_by_test_id("recovery-codes").locator("code").all_inner_texts()
    assert len(codes) == 10 and all(re.fullmatch(r"[a-z2-7]{8}", c) for c in codes)
    page.get_by_test_id("recovery-codes").locator("xpath=following::a[1]").click()
    page.wait_for_url(f"{live_server.url}/")
    assert page.get_by_test_id("home-role").is_visible()

    page.locator("form[action='/logout/'] button").click()
    page.wait_for_url(f"{live_server.url}/login/")
    _sign_in(page, live_server, "b-admin")
    page.wait_for_url(re.compile(r".*/login/code/.*"))
    page.fill("input[name=code]", codes[0])
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    assert page.get_by_test_id("home-role").is_visible()
