"""Background exports (xieshang.core.exports): the request service, the task, failures, expiry."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from xieshang.core import exports, scheduler
from xieshang.core.errors import Forbidden, Invalid
from xieshang.core.models import Event, Export, Notification
from xieshang.core.services import export_request
from xieshang.core.tasks import run_export
from xieshang.proposals.models import ProposalState
from xieshang.proposals.tests.factories import ProposalFactory

pytestmark = pytest.mark.django_db


def boom(handle, *, user, committee, params):
    handle.write(b"half a file")
    raise RuntimeError("disk on fire")


@pytest.fixture
def staff(committee, make_user):
    for i in range(3):
        ProposalFactory(committee=committee, state=ProposalState.SUBMITTED, title=f"提案{i}")
    return make_user(committee, "staff")


def test_the_request_is_queued_after_the_commit_and_run_once(committee, staff, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        export = export_request(actor=staff, committee=committee, kind="proposals", params={"state": "submitted", "key": ""})
    assert export.state == Export.State.QUEUED and export.params == {"state": "submitted"}
    event = Event.objects.get(action="export.requested")
    assert (event.actor, event.committee, event.object_id, event.to_state) == (staff, committee, str(export.pk), "queued")
    assert len(callbacks) == 1  # the task is enqueued only once the transaction commits
    callbacks[0]()
    export.refresh_from_db()
    assert export.state == Export.State.DONE and export.row_count == 3 and export.file
    assert export.expires_at - export.finished_at == datetime.timedelta(days=7)
    assert Event.objects.filter(action="export.done", object_id=str(export.pk)).exists()
    assert run_export.call(export.pk) == "not queued"  # a second run of the task does nothing
    assert Notification.objects.filter(recipient=staff, kind="export.done").count() == 1


def test_asking_again_while_pending_returns_the_same_export(committee, staff):
    first = export_request(actor=staff, committee=committee, kind="proposals", params={"state": "submitted"})
    again = export_request(actor=staff, committee=committee, kind="proposals", params={"state": "submitted"})
    other = export_request(actor=staff, committee=committee, kind="proposals", params={"state": "handling"})
    assert first.pk == again.pk != other.pk
    assert Export.objects.count() == 2


def test_who_may_ask(committee, staff, make_user):
    from xieshang.core.tests.factories import CommitteeFactory

    elsewhere = CommitteeFactory(code="urumqi")
    outsider = make_user(elsewhere, "staff")
    with pytest.raises(Forbidden):
        export_request(actor=outsider, committee=committee, kind="proposals", params={})
    with pytest.raises(Invalid):
        export_request(actor=staff, committee=committee, kind="nonsense", params={})
    with pytest.raises(Invalid):
        export_request(actor=staff, committee=committee, kind="proposals", params={"q": "x" * 500})
    staff.is_active = False
    with pytest.raises(Forbidden):
        export_request(actor=staff, committee=committee, kind="proposals", params={})
    assert not Export.objects.exists() and not Event.objects.filter(action="export.requested").exists()


def test_a_failure_is_recorded_and_reported(committee, staff, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setitem(exports.KINDS, "boom", exports.Kind("Boom", "xieshang.core.tests.test_exports.boom", "boom"))
    with django_capture_on_commit_callbacks(execute=True):
        export = export_request(actor=staff, committee=committee, kind="boom", params={})
    export.refresh_from_db()
    assert export.state == Export.State.FAILED and export.finished_at is not None
    assert not export.file
    assert "RuntimeError: disk on fire" in export.error
    assert exports.message_of(export) and "disk on fire" not in exports.message_of(export)
    assert Event.objects.filter(action="export.failed", object_id=str(export.pk)).exists()
    note = Notification.objects.get(recipient=staff, kind="export.failed")
    assert note.url == reverse("core:exports")
    from django.test import Client

    client = Client()
    client.force_login(staff)
    page = client.get(reverse("core:exports"))
    assert b'data-state="failed"' in page.content and b"export-download" not in page.content
    assert client.get(reverse("core:export_download", args=[export.pk])).status_code == 302


def test_a_disabled_account_gets_no_file(committee, staff, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        export = export_request(actor=staff, committee=committee, kind="proposals", params={})
    type(staff).objects.filter(pk=staff.pk).update(is_active=False)
    callbacks[0]()
    export.refresh_from_db()
    assert export.state == Export.State.FAILED and not export.file


def test_expired_files_are_deleted_and_lost_exports_given_up(committee, staff, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        done = export_request(actor=staff, committee=committee, kind="proposals", params={})
    done.refresh_from_db()
    path = done.file.path
    lost = export_request(actor=staff, committee=committee, kind="proposals", params={"state": "submitted"})

    now = timezone.now()
    assert exports.prune_exports(now) == "files deleted 0, given up 0, records deleted 0"
    later = done.expires_at + datetime.timedelta(minutes=1)
    assert exports.prune_exports(later) == "files deleted 1, given up 1, records deleted 0"
    done.refresh_from_db()
    lost.refresh_from_db()
    import os

    assert not done.file and not os.path.exists(path)
    assert done.state == Export.State.DONE and not exports.is_downloadable(done)
    assert lost.state == Export.State.FAILED and Notification.objects.filter(kind="export.failed").count() == 1
    assert exports.prune_exports(later) == "files deleted 0, given up 0, records deleted 0"  # idempotent
    assert exports.prune_exports(now + exports.FORGET_AFTER + datetime.timedelta(days=1)).endswith("records deleted 2")
    assert not Export.objects.exists()


def test_an_expired_export_is_not_downloaded_even_before_the_clean_up(committee, staff, django_capture_on_commit_callbacks):
    from django.test import Client

    with django_capture_on_commit_callbacks(execute=True):
        export = export_request(actor=staff, committee=committee, kind="proposals", params={})
    Export.objects.filter(pk=export.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    client = Client()
    client.force_login(staff)
    assert client.get(reverse("core:export_download", args=[export.pk])).status_code == 302
    page = client.get(reverse("core:exports")).content
    assert b'data-state="done"' in page and b"export-download" not in page


def test_the_clean_up_is_scheduled():
    job = next(j for j in scheduler.JOBS if j.name == "core.prune_exports")
    assert scheduler.resolve(job.path) is exports.prune_exports
