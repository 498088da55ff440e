"""Notifications: the inbox rows, delivery on e-mail and SMS exactly once after the commit (on the
immediate backend and through the database queue and `xieshang worker`), dedupe, the inbox pages."""

import datetime
import io
import re
import signal

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemEmailBackend
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.utils import timezone

from xieshang.core import services
from xieshang.core.errors import NotFound
from xieshang.core.models import Delivery, Notification
from xieshang.core.sms import LocmemSmsBackend
from xieshang.core.tasks import deliver_notification
from xieshang.core.tests.factories import UserFactory

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


class FlakyEmailBackend(LocmemEmailBackend):
    """Fails the first `failures` sends, then delivers like the locmem backend."""

    failures = 0

    def send_messages(self, messages):
        if FlakyEmailBackend.failures > 0:
            FlakyEmailBackend.failures -= 1
            raise ConnectionError("SMTP server unreachable")
        return super().send_messages(messages)


@pytest.fixture(autouse=True)
def _reset_flaky_backend():
    yield
    FlakyEmailBackend.failures = 0


@pytest.fixture
def alice(db):
    return UserFactory(username="alice", full_name="阿丽", email="alice@example.org", phone="13900000001")


@pytest.fixture
def bob(db):
    return UserFactory(username="bob", email="bob@example.org", phone="")


@pytest.fixture
def clock(monkeypatch):
    class Clock:
        now = timezone.now()

        def advance(self, **delta):
            self.now += datetime.timedelta(**delta)

    c = Clock()
    monkeypatch.setattr(timezone, "now", lambda: c.now)
    return c


@pytest.fixture
def db_queue(settings):
    """The production task queue (django-tasks-db) instead of the tests' immediate backend."""
    settings.TASKS = DB_TASKS


@pytest.fixture
def keep_signal_handlers():
    """db_worker installs SIGINT/SIGTERM handlers in this process; put pytest's back."""
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    yield
    for sig, handler in saved.items():
        signal.signal(sig, handler)


def send(recipients, **kwargs):
    kwargs.setdefault("kind", "test.message")
    kwargs.setdefault("title", "提案已交办")
    kwargs.setdefault("body", "请在 5 个工作日内签收。")
    return services.notify(recipients=recipients, **kwargs)


def run_worker(*args) -> str:
    out = io.StringIO()
    call_command("worker", "--batch", *args, stdout=out, stderr=out)
    return out.getvalue()


# --- notify -------------------------------------------------------------------------------


def test_notify_creates_inbox_rows_and_deliveries(alice, bob, committee):
    created = send([alice, bob, alice, None], url="/proposals/1/", committee=committee, channels=("email", "sms"))
    assert [n.recipient for n in created] == [alice, bob]  # each recipient once; None skipped
    note = Notification.objects.get(recipient=alice)
    assert (note.kind, note.title, note.body, note.url, note.committee) == (
        "test.message", "提案已交办", "请在 5 个工作日内签收。", "/proposals/1/", committee,
    )
    assert note.read_at is None
    assert sorted(note.deliveries.values_list("channel", "address")) == [
        ("email", "alice@example.org"), ("sms", "13900000001"),
    ]
    # Bob has no phone number: no SMS delivery for him, the e-mail only.
    assert list(Delivery.objects.filter(notification__recipient=bob).values_list("channel", flat=True)) == ["email"]


def test_history_notifies_nobody_and_the_present_does_again(alice, django_capture_on_commit_callbacks):
    """core.demo_kit.history (the demo loaders' past years): notify creates nothing and queues nothing inside the
    block, nested blocks included; `history(False)` inside a quiet block stays quiet; after the block all is as
    before."""
    from xieshang.core.demo_kit import history

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with transaction.atomic(), history():
            assert send([alice], channels=("email", "sms")) == []
            with history(False):
                assert send([alice]) == []
    assert callbacks == [] and mail.outbox == [] and not Notification.objects.exists()
    with history(False):
        assert len(send([alice])) == 1
    assert len(send([alice])) == 1 and Notification.objects.filter(recipient=alice).count() == 2


def test_title_is_cut_to_the_column(alice):
    (note,) = send([alice], title="长" * 300)
    assert len(Notification.objects.get(pk=note.pk).title) == 200


def test_delivery_happens_once_after_the_commit(alice, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with transaction.atomic():
            (note,) = send([alice], channels=("email", "sms"))
            assert mail.outbox == [] and LocmemSmsBackend.outbox == []  # nothing leaves before the commit
    assert len(callbacks) == 2  # the delivery, queued once, and forgetting the cached unread count
    assert [(m.subject, m.to, m.body) for m in mail.outbox] == [("提案已交办", ["alice@example.org"], "请在 5 个工作日内签收。")]
    assert LocmemSmsBackend.outbox == [("13900000001", "提案已交办 请在 5 个工作日内签收。")]
    assert set(note.deliveries.values_list("status", "attempts")) == {("sent", 1)}
    assert all(d.sent_at for d in note.deliveries.all())

    # A second run of the task (a retry, a restarted worker) sends nothing again.
    assert deliver_notification.call(note.pk) == "nothing"
    assert len(mail.outbox) == 1 and len(LocmemSmsBackend.outbox) == 1


def test_rollback_sends_nothing(alice, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                send([alice], channels=("email", "sms"))
                raise RuntimeError("the service failed after notifying")
    assert callbacks == []
    assert not Notification.objects.exists() and not Delivery.objects.exists()
    assert mail.outbox == [] and LocmemSmsBackend.outbox == []


@pytest.mark.django_db(transaction=True)
def test_delivery_after_a_real_commit_and_none_after_a_real_rollback():
    alice = UserFactory(username="alice-t", email="alice-t@example.org", phone="13900000002")
    with transaction.atomic():
        send([alice], channels=("email", "sms"))
        assert mail.outbox == []
    assert len(mail.outbox) == 1 and len(LocmemSmsBackend.outbox) == 1

    with pytest.raises(RuntimeError), transaction.atomic():
        send([alice], title="不会发出", channels=("email", "sms"))
        raise RuntimeError
    assert len(mail.outbox) == 1 and len(LocmemSmsBackend.outbox) == 1
    assert Notification.objects.count() == 1


def test_in_app_only_notification_queues_nothing(alice, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        send([alice], channels=())
    assert len(callbacks) == 1 and not Delivery.objects.exists()  # only forgetting the cached unread count
    assert Notification.objects.filter(recipient=alice).count() == 1
    assert mail.outbox == []


def test_a_failing_channel_is_recorded_not_raised(alice, settings, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = f"{__name__}.FlakyEmailBackend"
    FlakyEmailBackend.failures = 1
    with django_capture_on_commit_callbacks(execute=True):
        (note,) = send([alice], channels=("email", "sms"))
    email = note.deliveries.get(channel="email")
    assert (email.status, email.attempts) == ("pending", 1)
    assert "SMTP server unreachable" in email.last_error
    assert note.deliveries.get(channel="sms").status == "sent"  # the other channel went out
    # The immediate backend of the tests does not retry by itself; a later run sends what is left.
    assert deliver_notification.call(note.pk) == "email:sent"
    assert len(mail.outbox) == 1 and len(LocmemSmsBackend.outbox) == 1


# --- dedupe ------------------------------------------------------------------------------------


def test_dedupe_key_prevents_a_second_reminder(alice, bob, django_capture_on_commit_callbacks):
    key = "proposal:42:reply_due:3d"
    with django_capture_on_commit_callbacks(execute=True):
        assert len(send([alice], title="3 天后到期", dedupe_key=key)) == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert send([alice], title="3 天后到期", dedupe_key=key) == []
        assert len(send([alice, bob], title="3 天后到期", dedupe_key=key)) == 1  # Bob gets his, once
    assert Notification.objects.filter(recipient=alice, dedupe_key=key).count() == 1
    assert sorted(m.to[0] for m in mail.outbox) == ["alice@example.org", "bob@example.org"]
    # Without a key, the same message may go out again.
    send([alice])
    send([alice])
    assert Notification.objects.filter(recipient=alice, dedupe_key=None).count() == 2


def test_an_empty_dedupe_key_is_no_key(alice):
    send([alice], dedupe_key="")
    assert len(send([alice], dedupe_key="")) == 1
    assert Notification.objects.filter(recipient=alice, dedupe_key=None).count() == 2


def test_an_unknown_channel_is_a_programming_error(alice):
    with pytest.raises(ValueError, match="wechat"):
        send([alice], channels=("email", "wechat"))
    assert not Notification.objects.exists()


def test_dedupe_survives_the_unique_constraint_race(alice, monkeypatch):
    """Two workers sending the same reminder at once: the loser's insert fails on the unique
    constraint and is skipped instead of breaking the caller's transaction."""
    key = "proposal:7:objection_due"
    send([alice], dedupe_key=key)
    monkeypatch.setattr("django.db.models.query.QuerySet.exists", lambda self: False)
    with transaction.atomic():
        assert send([alice], dedupe_key=key) == []
        assert Notification.objects.filter(recipient=alice).count() == 1  # the transaction still works


# --- The database queue and `xieshang worker` --------------------------------------------------
# These run in real transactions (each commit is real, so on-commit hooks run at once): the worker
# commits each task and, like any long-running process, closes database connections it finds
# unusable — which would end a test's own wrapping transaction on PostgreSQL.

queue_test = pytest.mark.django_db(transaction=True)


@queue_test
def test_database_queue_delivers_when_the_worker_runs(alice, db_queue, keep_signal_handlers):
    from django_tasks_db.models import DBTaskResult

    with transaction.atomic():
        (note,) = send([alice], channels=("email", "sms"))
        assert not DBTaskResult.objects.exists()  # nothing is queued before the commit
    assert DBTaskResult.objects.count() == 1  # queued after it …
    assert mail.outbox == [] and LocmemSmsBackend.outbox == []  # … and not sent yet

    run_worker()
    assert len(mail.outbox) == 1 and len(LocmemSmsBackend.outbox) == 1
    result = DBTaskResult.objects.get()
    assert result.status == "SUCCESSFUL"
    assert result.return_value == "email:sent,sms:sent"

    run_worker()  # nothing left to do
    assert len(mail.outbox) == 1 and len(LocmemSmsBackend.outbox) == 1
    assert set(note.deliveries.values_list("status", flat=True)) == {"sent"}


@queue_test
def test_a_rolled_back_notification_queues_nothing(alice, db_queue, keep_signal_handlers):
    from django_tasks_db.models import DBTaskResult

    with pytest.raises(RuntimeError), transaction.atomic():
        send([alice], channels=("email", "sms"))
        raise RuntimeError
    assert not DBTaskResult.objects.exists()
    run_worker()
    assert mail.outbox == [] and LocmemSmsBackend.outbox == []


@queue_test
def test_a_duplicated_task_sends_once(alice, db_queue, keep_signal_handlers):
    from django_tasks_db.models import DBTaskResult

    (note,) = send([alice], channels=("email", "sms"))
    deliver_notification.enqueue(note.pk)  # the same delivery queued twice (a retry after a lost ack)
    call_command("db_worker", "--batch", "--no-startup-delay", stdout=io.StringIO(), stderr=io.StringIO())
    assert DBTaskResult.objects.filter(status="SUCCESSFUL").count() == 2
    assert len(mail.outbox) == 1 and len(LocmemSmsBackend.outbox) == 1


@queue_test
def test_the_worker_retries_a_failed_channel_later(alice, db_queue, settings, clock, keep_signal_handlers):
    from django_tasks_db.models import DBTaskResult

    settings.EMAIL_BACKEND = f"{__name__}.FlakyEmailBackend"
    FlakyEmailBackend.failures = 2
    (note,) = send([alice], channels=("email",))
    email = note.deliveries.get()

    run_worker()
    email.refresh_from_db()
    assert (email.status, email.attempts) == ("pending", 1)
    retry = DBTaskResult.objects.get(status="READY")
    assert retry.run_after > clock.now  # not at once: later

    run_worker()  # too early: the retry waits
    assert DBTaskResult.objects.filter(status="READY").count() == 1

    clock.advance(minutes=3)
    run_worker()
    email.refresh_from_db()
    assert (email.status, email.attempts) == ("pending", 2)

    clock.advance(minutes=16)
    run_worker()
    email.refresh_from_db()
    assert (email.status, email.attempts) == ("sent", 3)
    assert len(mail.outbox) == 1
    assert not DBTaskResult.objects.filter(status="READY").exists()


@queue_test
def test_the_worker_gives_up_after_three_attempts(alice, db_queue, settings, clock, keep_signal_handlers):
    from django_tasks_db.models import DBTaskResult

    settings.EMAIL_BACKEND = f"{__name__}.FlakyEmailBackend"
    FlakyEmailBackend.failures = 10
    (note,) = send([alice], channels=("email",))
    for _ in range(4):
        run_worker()
        clock.advance(hours=1)
    email = note.deliveries.get()
    assert (email.status, email.attempts) == ("failed", 3)
    assert not DBTaskResult.objects.filter(status="READY").exists()
    assert mail.outbox == []


@queue_test
def test_worker_options_pass_through(alice, db_queue, keep_signal_handlers):
    from django_tasks_db.models import DBTaskResult

    send([alice])
    send([alice], title="第二条")
    run_worker("--queue-name", "other", "--interval", "0")
    assert mail.outbox == []  # nothing queued on that queue
    run_worker("--max-tasks", "1", "--worker-id", "worker-a")
    assert len(mail.outbox) == 1
    assert [r.worker_ids for r in DBTaskResult.objects.filter(status="SUCCESSFUL")] == [["worker-a"]]
    run_worker("--queue-name", "*")
    assert len(mail.outbox) == 2


def test_worker_refuses_a_backend_that_is_not_the_database(db):
    # The tests' own setting: the immediate backend.
    with pytest.raises(CommandError, match="DatabaseBackend"):
        call_command("worker", "--batch")
    with pytest.raises(CommandError, match="No task backend 'nope'"):
        call_command("worker", "--batch", "--backend", "nope")


def test_worker_refuses_bad_numbers(db, db_queue):
    with pytest.raises(CommandError):
        call_command("worker", "--batch", "--interval", "-1")
    with pytest.raises(CommandError):
        call_command("worker", "--batch", "--max-tasks", "0")


# --- The inbox --------------------------------------------------------------------------------


def unread_badge(client) -> int:
    match = re.search(r'data-testid="unread-count">(\d+)<', client.get("/").content.decode())
    return int(match.group(1)) if match else 0


def test_unread_count_in_the_header_and_marking_read(client, alice, bob):
    first, second, third = (send([alice], title=f"通知{i}")[0] for i in range(3))
    send([bob], title="给别人的")
    client.force_login(alice)
    assert unread_badge(client) == 3

    response = client.post(f"/inbox/{first.pk}/read/")
    assert response.status_code == 302 and response["Location"] == "/inbox/"
    first.refresh_from_db()
    assert first.read_at is not None
    assert unread_badge(client) == 2

    assert client.post(f"/inbox/{first.pk}/read/").status_code == 302  # again: harmless
    response = client.post("/inbox/read/", {"next": "/"})
    assert response["Location"] == "/"
    assert unread_badge(client) == 0
    assert Notification.objects.get(recipient=bob).read_at is None  # "all" means all of mine


def test_inbox_lists_my_notifications_only(client, alice, bob):
    send([alice], title="我的通知")
    send([bob], title="别人的通知")
    client.force_login(alice)
    html = client.get("/inbox/").content.decode()
    assert "我的通知" in html
    assert "别人的通知" not in html


def test_another_user_cannot_mark_mine_read(client, alice, bob):
    (mine,) = send([alice])
    client.force_login(bob)
    assert client.post(f"/inbox/{mine.pk}/read/").status_code == 404
    assert client.post("/inbox/999999/read/").status_code == 404
    assert client.post("/inbox/99999999999999999999999/read/").status_code == 404
    client.post("/inbox/read/")
    mine.refresh_from_db()
    assert mine.read_at is None
    with pytest.raises(NotFound):
        services.notification_mark_read(actor=bob, notification_id=mine.pk)
    assert services.notification_mark_read(actor=alice, notification_id=mine.pk) == 1


def test_marking_read_needs_a_post_and_a_safe_target(client, alice):
    (mine,) = send([alice])
    client.force_login(alice)
    assert client.get(f"/inbox/{mine.pk}/read/").status_code == 405
    response = client.post(f"/inbox/{mine.pk}/read/", {"next": "https://evil.example/"})
    assert response["Location"] == "/inbox/"


def test_inbox_needs_sign_in(client, db):
    assert client.get("/inbox/")["Location"] == "/login/?next=/inbox/"


def test_the_unread_badge_follows_new_and_read_notifications(alice, django_capture_on_commit_callbacks):
    """The header's unread count is cached per user; notify and mark-read forget it after the commit."""
    from django.core.cache import cache

    from xieshang.core.selectors import unread_count, unread_key
    from xieshang.core.services import notification_mark_read

    assert unread_count(alice) == 0
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            send([alice])
            assert unread_count(alice) == 1  # this transaction sees its own notification
            cache.set(unread_key(alice.pk), 0)  # another request caches the old count before the commit
    assert unread_count(alice) == 1  # forgotten again after the commit
    with django_capture_on_commit_callbacks(execute=True):
        send([alice])
    assert unread_count(alice) == 2
    with django_capture_on_commit_callbacks(execute=True):
        assert notification_mark_read(actor=alice) == 2
    assert unread_count(alice) == 0
