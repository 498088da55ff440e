"""In a real browser: the API docs render under our Content-Security-Policy, and a signed-in page can
call the API with its session (reads freely, writes with the CSRF token)."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(page, live_server, username, password="correct-horse-42"):
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def test_docs_render_without_csp_violations(page, live_server):
    problems = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.on("requestfailed", lambda req: problems.append(f"failed: {req.url}"))
    page.goto(f"{live_server.url}/api/v1/docs")
    page.wait_for_selector(".swagger-ui .info .title")
    assert "Xieshang API" in page.locator(".swagger-ui .info .title").inner_text()
    page.wait_for_selector('[data-path="/api/v1/proposals/{id}/actions/{action}"]')
    assert not [p for p in problems if "Content Security Policy" in p or "Refused" in p or "failed:" in p], problems


def test_signed_in_page_calls_the_api_with_its_session(page, live_server, committee, make_user):
    make_user(committee, "member", username="b-api-member", full_name="浏览器委员")
    _sign_in(page, live_server, "b-api-member")
    result = page.evaluate(
        """async () => {
            const me = await (await fetch('/api/v1/me')).json();
            const noCsrf = await fetch('/api/v1/proposals', {method: 'POST', headers: {'Content-Type': 'application/json'},
                                                             body: JSON.stringify({title: '无令牌'})});
            const token = document.cookie.split('; ').find(c => c.startsWith('csrftoken='))?.split('=')[1]
                          || document.querySelector('[name=csrfmiddlewaretoken]')?.value;
            const created = await fetch('/api/v1/proposals', {method: 'POST',
                headers: {'Content-Type': 'application/json', 'X-CSRFToken': token},
                body: JSON.stringify({title: '关于浏览器调用接口的提案'})});
            return {me: me.full_name, noCsrf: noCsrf.status, noCsrfCode: (await noCsrf.json()).code,
                    created: created.status, state: (await created.json()).state};
        }"""
    )
    assert result == {"me": "浏览器委员", "noCsrf": 403, "noCsrfCode": "forbidden", "created": 201, "state": "draft"}
