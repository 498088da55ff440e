"""Reliability (issue #12): the worker survives "database is locked"; an e-mail or SMS leaves only after its
delivery is committed as "sending" with an idempotency key, so a crash in between cannot send it twice."""

import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import OperationalError

from xieshang.core import services
from xieshang.core.management.commands import worker
from xieshang.core.models import Delivery
from xieshang.core.sms import LocmemSmsBackend
from xieshang.core.tasks import deliver_notification
from xieshang.core.tests.factories import UserFactory

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.fixture
def alice(db):
    return UserFactory(username="alice", full_name="阿丽", email="alice@example.org", phone="13900000001")


def _notify(user, deliver=True):
    """A notification on e-mail and SMS, delivered by calling the task as the worker would (a test's
    transaction never commits, so the on-commit enqueue does not run)."""
    notes = services.notify(recipients=[user], kind="probe", title="会议通知", body="明日九时开会。",
                            channels=("email", "sms"))
    if deliver:
        for note in notes:
            deliver_notification.call(note.pk)
    return notes


# --- the worker -----------------------------------------------------------------------------------

@pytest.mark.parametrize("failures", [1, 3, 8])
def test_the_worker_survives_database_is_locked_with_growing_waits(db, settings, monkeypatch, failures):
    settings.TASKS = DB_TASKS
    calls, waits = [], []

    def db_worker(*args, **options):
        calls.append(options)
        if len(calls) <= failures:
            raise OperationalError("database is locked")

    monkeypatch.setattr(worker, "call_command", db_worker)
    monkeypatch.setattr(worker.time, "sleep", waits.append)
    err = io.StringIO()
    call_command("worker", "--batch", stdout=io.StringIO(), stderr=err)
    assert len(calls) == failures + 1  # ran again after each refusal, and returned when the run ended
    assert waits == [worker.BACKOFF_SECONDS[min(i, len(worker.BACKOFF_SECONDS) - 1)] for i in range(failures)]
    assert waits == sorted(waits) and max(waits) <= 30
    assert "database is locked" in err.getvalue()


def test_a_healthy_run_starts_the_backoff_again():
    now = [0.0]
    waits = []
    plan = iter([("fail", 0), ("fail", 0), ("fail", 120), ("ok", 0)])  # the third failed after two healthy minutes

    def run():
        outcome, lasted = next(plan)
        now[0] += lasted
        if outcome == "fail":
            raise OperationalError("database is locked")
        return "done"

    assert worker.survive_database_errors(run, log=lambda _m: None, sleep=waits.append, clock=lambda: now[0]) == "done"
    assert waits == [0.5, 1, 0.5]


def test_other_errors_are_not_swallowed():
    with pytest.raises(ValueError):
        worker.survive_database_errors(lambda: (_ for _ in ()).throw(ValueError("bug")), log=print, sleep=lambda _s: None)


# --- deliveries -----------------------------------------------------------------------------------

def test_a_delivery_is_committed_as_sending_with_its_key_before_it_leaves(alice, monkeypatch):
    seen = []

    def spy(phone, text, *, idempotency_key=None):
        row = Delivery.objects.get(channel="sms")
        seen.append((row.status, row.idempotency_key, idempotency_key))

    monkeypatch.setattr("xieshang.core.tasks.send_sms", spy)
    _notify(alice)
    ((status, stored_key, passed_key),) = seen
    assert status == "sending" and stored_key and passed_key == stored_key
    sms = Delivery.objects.get(channel="sms")
    assert (sms.status, sms.attempts, sms.idempotency_key) == ("sent", 1, stored_key)
    email = Delivery.objects.get(channel="email")
    assert email.status == "sent" and email.idempotency_key and email.idempotency_key != stored_key
    assert mail.outbox[0].extra_headers["Message-ID"] == f"<{email.idempotency_key}@{mail.outbox[0].from_email.rpartition('@')[2]}>"


def test_a_rerun_skips_sent_deliveries(alice):
    (note,) = _notify(alice)
    assert len(mail.outbox) == 1 and len(LocmemSmsBackend.outbox) == 1
    assert deliver_notification.call(note.pk) == "nothing"
    assert len(mail.outbox) == 1 and len(LocmemSmsBackend.outbox) == 1


def test_a_crash_between_sending_and_recording_does_not_send_twice(alice, monkeypatch):
    """The worker dies after the gateway took the SMS and before the row says "sent": the row stays
    "sending"; the next run sends again with the same key, and the gateway keeps one message."""
    from xieshang.core import tasks

    class Crash(BaseException):
        pass

    def crash_after_send(notification, delivery):
        tasks_send(notification, delivery)
        raise Crash  # the process dies here (a BaseException: not a channel's failure)

    tasks_send = tasks._send
    monkeypatch.setattr(tasks, "_send", crash_after_send)
    with pytest.raises(Crash):
        _notify(alice)
    first = Delivery.objects.get(channel="email")
    assert first.status == "sending" and first.attempts == 1
    key = first.idempotency_key
    assert len(mail.outbox) == 1  # the e-mail left before the crash

    monkeypatch.setattr(tasks, "_send", tasks_send)
    note = first.notification
    deliver_notification.call(note.pk)
    rows = {d.channel: d for d in note.deliveries.all()}
    assert rows["email"].status == "sent" and rows["email"].idempotency_key == key and rows["email"].attempts == 2
    # the repeat carries the same Message-ID, so a mail client shows one message
    assert {m.extra_headers["Message-ID"] for m in mail.outbox} == {f"<{key}@{mail.outbox[0].from_email.rpartition('@')[2]}>"}
    assert rows["sms"].status == "sent" and len(LocmemSmsBackend.outbox) == 1


def test_an_sms_resent_with_its_key_reaches_the_phone_once(alice):
    (note,) = _notify(alice)
    sms = note.deliveries.get(channel="sms")
    Delivery.objects.filter(pk=sms.pk).update(status="sending")  # as a crash before recording would leave it
    deliver_notification.call(note.pk)
    sms.refresh_from_db()
    assert sms.status == "sent" and sms.attempts == 2
    assert LocmemSmsBackend.outbox == [("13900000001", "会议通知 明日九时开会。")]
    assert LocmemSmsBackend.keys == [sms.idempotency_key]


def test_a_backend_without_keys_still_works(alice, settings):
    settings.XIESHANG_SMS_BACKEND = f"{__name__}.OldBackend"
    OldBackend.sent.clear()
    _notify(alice)
    assert OldBackend.sent == [("13900000001", "会议通知 明日九时开会。")]


class OldBackend:
    sent: list = []

    def send(self, phone, text):
        OldBackend.sent.append((phone, text))


def test_the_file_gateway_writes_a_key_once(tmp_path, settings, db, django_capture_on_commit_callbacks):
    from xieshang.core.sms import FileSmsBackend

    settings.XIESHANG_SMS_FILE = str(tmp_path / "sms.jsonl")
    for text, key in (("第一次", "k1"), ("第一次（重发）", "k1"), ("第二条", "k2")):
        with django_capture_on_commit_callbacks(execute=True):
            FileSmsBackend().send("13900000001", text, idempotency_key=key)
    assert [(r["text"], r["key"]) for r in FileSmsBackend.read()] == [("第一次", "k1"), ("第二条", "k2")]


# --- SQLite under concurrent writes (`make run`) -----------------------------------------------------

def test_sqlite_writers_queue_for_20_seconds_instead_of_failing(db):
    """Two requests writing at once on SQLite: the second waits for the lock (taken at BEGIN: IMMEDIATE) up
    to 20 s instead of answering 500 "database is locked"."""
    from django.conf import settings
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    options = settings.DATABASES["default"]["OPTIONS"]
    assert options["transaction_mode"] == "IMMEDIATE"
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout")
        (busy_ms,) = cursor.fetchone()
    assert busy_ms >= 20000 and busy_ms >= options["timeout"] * 1000
