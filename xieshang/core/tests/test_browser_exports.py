"""我的导出 in a real browser: a long list is queued from the list page, the page polls (htmx, no
inline script under the CSP) and shows the download link once the worker has written the file."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_long_export_is_queued_and_the_page_updates_itself(page, live_server, committee, make_user, settings):
    from xieshang.core import exports
    from xieshang.core.models import Export
    from xieshang.proposals.models import ProposalState
    from xieshang.proposals.tests.factories import ProposalFactory

    settings.XIESHANG_EXPORT_INLINE_MAX_ROWS = 2
    # No worker: the export stays queued until the test runs it below.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    for i in range(3):
        ProposalFactory(committee=committee, state=ProposalState.SUBMITTED, title=f"提案{i}")
    make_user(committee, "staff", username="b-export")
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "b-export")
    page.fill("input[name=password]", "correct-horse-42")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")

    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.goto(f"{live_server.url}/proposals/?state=submitted")
    page.get_by_test_id("export").click()
    page.wait_for_url(f"{live_server.url}/exports/")
    row = page.get_by_test_id("export-row")
    assert row.get_attribute("data-state") == "queued"
    assert page.get_by_test_id("export-download").count() == 0

    export = Export.objects.get()
    assert export.params == {"state": "submitted"}
    assert exports.run(export.pk) == "done 3"  # the worker
    page.get_by_test_id("export-download").wait_for(timeout=10000)  # the page polled and updated
    assert page.get_by_test_id("export-row").get_attribute("data-state") == "done"
    assert page.locator("#exports[hx-trigger]").count() == 0  # nothing pending: polling stopped
    with page.expect_download() as info:
        page.get_by_test_id("export-download").click()
    assert info.value.suggested_filename.endswith(".xlsx")
    assert not [e for e in errors if "Content Security Policy" in e]
