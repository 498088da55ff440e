"""Security headers, CSRF, the 404 page in both languages, the language switch."""

import re

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

from xieshang.core.models import Event, LoginFailure
from xieshang.core.tests.factories import UserFactory

PASSWORD = "correct-horse-42"


def zh(text: str) -> str:
    with translation.override("zh-hans"):
        return translation.gettext(text)


@pytest.fixture
def user(committee, make_user):
    return make_user(committee, "staff", username="wang")


def pages(client, user):
    """(name, response) of the shell's pages: anonymous sign-in page, signed-in home and inbox, a 404."""
    anonymous = Client()
    yield "sign-in", anonymous.get("/login/")
    yield "404 anonymous", anonymous.get("/no-such-page/")
    client.force_login(user)
    yield "home", client.get("/")
    yield "inbox", client.get("/inbox/")
    yield "404 signed in", client.get("/proposals/no-such-page/")


# --- Headers ---------------------------------------------------------------------------------------


def test_security_headers_on_every_page(client, user):
    for name, response in pages(client, user):
        csp = response.get("Content-Security-Policy", "")
        directives = dict(d.strip().split(" ", 1) for d in csp.split(";") if d.strip())
        assert directives.get("default-src") == "'self'", name
        assert directives.get("script-src") == "'self'", name
        assert directives.get("style-src") == "'self'", name
        assert directives.get("frame-ancestors") == "'none'", name
        assert directives.get("object-src") == "'none'", name
        assert directives.get("form-action") == "'self'", name
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, name
        assert response["X-Frame-Options"] == "DENY", name
        assert response["X-Content-Type-Options"] == "nosniff", name
        assert response["Referrer-Policy"] == "same-origin", name
        assert response["Cross-Origin-Opener-Policy"] == "same-origin", name


def test_pages_need_no_inline_script_or_style(client, user):
    """The strict policy would block them; the shell's pages have none."""
    for name, response in pages(client, user):
        html = response.content.decode()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), name
        assert " style=" not in html and "<style" not in html, name
        assert not re.search(r"\son[a-z]+=", html), name  # no inline event handlers either


def test_session_cookie_is_http_only_and_same_site(client, user):
    response = client.post("/login/", {"username": "wang", "password": PASSWORD})
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"
    assert not cookie["max-age"]  # ends with the browser; the server ends it after the idle time


def test_production_settings_are_strict(tmp_path):
    """Behind HTTPS (XIESHANG_HTTPS) cookies are secure and HSTS is on; without a key it refuses to start."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k not in ("XIESHANG_TESTING", "DATABASE_URL", "SECRET_KEY")}
    env.update(DJANGO_SETTINGS_MODULE="xieshang.settings", XIESHANG_DATA_DIR=str(tmp_path), XIESHANG_HTTPS="true",
               SECRET_KEY="x" * 50, DEBUG="false")
    code = (
        "from django.conf import settings as s; "
        "print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS > 0)"
    )
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "True", "True", "True"]
    env.pop("SECRET_KEY")
    env["XIESHANG_REQUIRE_SECRET_KEY"] = "true"
    failed = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert failed.returncode != 0 and "SECRET_KEY must be set" in failed.stderr


# --- CSRF --------------------------------------------------------------------------------------------


def test_sign_in_form_refuses_a_post_without_the_csrf_token(user):
    browser = Client(enforce_csrf_checks=True)
    response = browser.post("/login/", {"username": "wang", "password": PASSWORD})
    assert response.status_code == 403
    assert "_auth_user_id" not in browser.session
    assert not Event.objects.exists() and not LoginFailure.objects.exists()  # nothing was tried


def test_a_refused_form_gets_a_page_that_says_what_to_do(user):
    browser = Client(enforce_csrf_checks=True)
    browser.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the pages follow the language switch's cookie
    response = browser.post(
        "/login/", {"username": "wang", "password": PASSWORD},
        HTTP_REFERER="http://testserver/login/?next=/inbox/",
    )
    assert response.status_code == 403
    html = response.content.decode()
    assert 'data-testid="csrf-failure"' in html and "The form has expired" in html
    assert 'href="http://testserver/login/?next=/inbox/"' in html  # back to the page with the form
    assert " style=" not in html and "<style" not in html  # the shell's page, fit for the strict policy
    # The page hands out a fresh token: the form sent again from it goes through.
    token = browser.cookies[settings.CSRF_COOKIE_NAME].value
    again = browser.post("/login/", {"username": "wang", "password": PASSWORD, "csrfmiddlewaretoken": token})
    assert again.status_code == 302


def test_the_refused_form_page_never_links_away(user):
    browser = Client(enforce_csrf_checks=True)
    response = browser.post("/inbox/read/", HTTP_REFERER="https://evil.example/")
    assert response.status_code == 403
    assert "evil.example" not in response.content.decode()
    assert re.search(r'<a href="/">[^<]+</a></p></section>', response.content.decode())


def test_sign_in_form_with_its_token_works(user):
    browser = Client(enforce_csrf_checks=True)
    html = browser.get("/login/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    response = browser.post("/login/", {"username": "wang", "password": PASSWORD, "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert "_auth_user_id" in browser.session
    # The signed-in pages carry the token for htmx requests too.
    home = browser.get("/").content.decode()
    assert re.search(r"hx-headers='\{\"X-CSRFToken\": \"[^\"]+\"\}'", home)


def test_a_forged_token_is_refused(user):
    browser = Client(enforce_csrf_checks=True)
    browser.get("/login/")
    response = browser.post("/login/", {"username": "wang", "password": PASSWORD, "csrfmiddlewaretoken": "x" * 64})
    assert response.status_code == 403


def test_signed_in_posts_need_the_token_too(user):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user)
    assert browser.post("/logout/").status_code == 403
    assert browser.post("/inbox/read/").status_code == 403
    assert browser.post("/committee/", {"committee": "1"}).status_code == 403
    assert "_auth_user_id" in browser.session


# --- The 404 page and the language -------------------------------------------------------------------


def test_unknown_url_gives_the_404_page_in_chinese_by_default(client, db):
    assert zh("Not found") != "Not found", "the Chinese catalogue is not compiled"
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "404.html" in [t.name for t in response.templates]
    html = response.content.decode()
    assert response["Content-Language"] == "zh-hans"
    assert '<html lang="zh-hans">' in html
    assert zh("Not found") in html
    assert zh("The page or record you asked for does not exist, or you may not see it.") in html
    assert "Not found" not in html


def test_unknown_url_gives_the_404_page_in_english_when_chosen(client, db):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert response["Content-Language"] == "en"
    assert '<html lang="en">' in html
    assert "<h1>Not found</h1>" in html
    assert zh("Not found") not in html


def test_pages_stay_chinese_for_an_english_browser_until_english_is_chosen(client, db):
    """Office computers are often set up in English: the pages follow the person's choice
    (the language cookie), not the browser's Accept-Language."""
    response = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response["Content-Language"] == "zh-hans"
    assert zh("Not found") in response.content.decode()


def test_the_api_follows_accept_language(client, db):
    response = client.get("/api/v1/me", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 401
    assert response["Content-Language"] == "en"


def test_a_chinese_browser_gets_chinese(client, db):
    response = client.get("/login/", HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9,en;q=0.5")
    assert response["Content-Language"] == "zh-hans"
    assert zh("Sign in") in response.content.decode()


def test_a_record_the_user_may_not_see_is_the_same_404(client, committee, make_user):
    from xieshang.core.services import notify

    owner, other = make_user(committee, "member"), make_user(committee, "member")
    (note,) = notify(recipients=[owner], kind="t", title="t", channels=())
    client.force_login(other)
    hidden = client.post(f"/inbox/{note.pk}/read/")
    missing = client.post("/inbox/987654321/read/")
    assert hidden.status_code == missing.status_code == 404

    def normalised(response, path):
        # The same page, but for the CSRF tokens (masked differently on every response) and the path.
        html = response.content.decode().replace(path, "PATH")
        return re.sub(r'(X-CSRFToken": "|name="csrfmiddlewaretoken" value=")[^"]+', r"\1", html)

    assert normalised(hidden, f"/inbox/{note.pk}/read/") == normalised(missing, "/inbox/987654321/read/")


def test_language_switch(client, db):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})
    assert response.status_code == 302
    assert response["Location"] == "/login/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    page = client.get("/login/")
    assert page["Content-Language"] == "en"
    assert "<h1>Sign in</h1>" in page.content.decode()

    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/login/"})
    page = client.get("/login/")
    assert page["Content-Language"] == "zh-hans"
    assert f"<h1>{zh('Sign in')}</h1>" in page.content.decode()


def test_language_switch_refuses_unknown_languages_and_foreign_targets(client, db):
    response = client.post("/i18n/setlang/", {"language": "xx", "next": "/login/"})
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies
    response = client.post("/i18n/setlang/", {"language": "en", "next": "https://evil.example/"})
    assert response.status_code == 302
    assert "evil.example" not in response["Location"]


def test_the_shell_offers_the_other_language(client, db):
    html = client.get("/login/").content.decode()
    assert 'action="/i18n/setlang/"' in html
    assert 'data-testid="lang-en"' in html and 'data-testid="lang-zh-hans"' not in html
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get("/login/").content.decode()
    assert 'data-testid="lang-zh-hans"' in html and 'data-testid="lang-en"' not in html
