"""Background tasks of the core app (run by `xieshang worker`)."""

import datetime
import uuid

from django.conf import settings
from django.db import transaction
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone
from django_tasks import task

from .models import Delivery, Notification
from .sms import send_sms
from .text import single_line


@task()
def deliver_notification(notification_id: int) -> str:
    """Send one notification on its outside channels; two runs at the same time never both send one.

    Each channel has one Delivery row. Before a message leaves, one conditional UPDATE takes the row
    (`_claim`): it becomes "sending" with `claimed_at` and an idempotency key (given once, kept for every
    attempt), and only the run whose UPDATE matched sends. Then the message is sent (outside any
    transaction) with that key, and the row is marked sent (or back to pending for a retry, failed after
    the third attempt) — only if this run still holds it. A run skips a row that is "sent", and one that
    is "sending" unless its claim is older than XIESHANG_TASK_STALE_SECONDS (the run that took it died
    between sending and recording); such a row is sent again with the same key, which a gateway that
    accepts keys answers without sending twice (core/sms.py). A gateway without keys, and SMTP, may then
    deliver the message twice: at least once, not at most once (docs/security.md, "Reliability").
    """
    notification = Notification.objects.select_related("recipient").filter(pk=notification_id).first()
    if notification is None:
        return "gone"
    results = []
    open_states = (Delivery.Status.PENDING, Delivery.Status.SENDING)
    for delivery_id in notification.deliveries.filter(status__in=open_states).values_list("pk", flat=True):
        delivery = _claim(delivery_id)
        if delivery is None:
            continue
        try:
            _send(notification, delivery)
        except Exception as exc:  # noqa: BLE001 - a channel's failure is recorded, not raised
            status = Delivery.Status.FAILED if delivery.attempts >= 3 else Delivery.Status.PENDING
            _record(delivery, status=status, last_error=str(exc)[:1000])
        else:
            status = Delivery.Status.SENT
            _record(delivery, status=status, sent_at=timezone.now(), last_error="")
        results.append(f"{delivery.channel}:{status}")
    if any(r.endswith(":" + Delivery.Status.PENDING) for r in results):
        _retry_later(notification_id)
    return ",".join(results) or "nothing"


def claimable(now: datetime.datetime) -> Q:
    """The deliveries a run may take now: pending ones, and "sending" ones whose run is presumed dead (claimed
    more than XIESHANG_TASK_STALE_SECONDS ago, or before claims were recorded). Used by core.recover_deliveries."""
    stale = now - datetime.timedelta(seconds=settings.XIESHANG_TASK_STALE_SECONDS)
    sending = Q(status=Delivery.Status.SENDING) & (Q(claimed_at__isnull=True) | Q(claimed_at__lt=stale))
    return Q(status=Delivery.Status.PENDING) | sending


def _claim(delivery_id: int) -> Delivery | None:
    """Commit the delivery as "sending" (with claimed_at and its idempotency key) before anything is sent.

    One conditional UPDATE: of two runs at the same moment only one matches the row (PostgreSQL re-checks the
    condition after the other's commit; SQLite runs one writer at a time). None when this run did not win it:
    sent, given up, or being sent by a live run."""
    now = timezone.now()
    with transaction.atomic():
        won = Delivery.objects.filter(claimable(now), pk=delivery_id).update(
            status=Delivery.Status.SENDING,
            claimed_at=now,
            attempts=F("attempts") + 1,
            idempotency_key=Case(When(idempotency_key="", then=Value(uuid.uuid4().hex)), default=F("idempotency_key")),
        )
        if not won:
            return None
        return Delivery.objects.get(pk=delivery_id)


def _record(delivery: Delivery, **outcome) -> None:
    """Write the outcome of this run's attempt, unless a later run took the row over meanwhile (this one
    had gone stale): then that run's outcome counts."""
    Delivery.objects.filter(pk=delivery.pk, status=Delivery.Status.SENDING, claimed_at=delivery.claimed_at).update(**outcome)


def _send(notification, delivery) -> None:
    key = delivery.idempotency_key
    if delivery.channel == Delivery.Channel.EMAIL:
        from django.core.mail import EmailMessage

        text = notification.body or notification.title
        domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2].strip("> ") or "xieshang.local"
        # The same Message-ID on every attempt (a stale claim sent again): it marks the repeat as the same
        # message, but mail servers deliver it all the same (docs/security.md, "Reliability").
        headers = {"Message-ID": f"<{key}@{domain}>", "X-Idempotency-Key": key}
        # a header value is one line (a line break in it is refused by the mail library)
        EmailMessage(single_line(notification.title), text, settings.DEFAULT_FROM_EMAIL, [delivery.address],
                     headers=headers).send()
    else:
        send_sms(delivery.address, f"{notification.title} {notification.body}".strip()[:300], idempotency_key=key)


# Minutes to wait before the next attempt after a channel failed (attempts 1 and 2; the 3rd failure is final).
RETRY_DELAYS_MINUTES = (2, 15)


def _retry_later(notification_id: int) -> None:
    """Queue another run for the deliveries that failed and have attempts left.

    Only backends that can defer a task (the database queue) retry; the immediate backend of
    development and tests does not, so that a failing channel cannot loop there.
    """
    backend = deliver_notification.get_backend()
    if not getattr(backend, "supports_defer", False):
        return
    attempts = (
        Delivery.objects.filter(notification_id=notification_id, status=Delivery.Status.PENDING)
        .order_by("-attempts")
        .values_list("attempts", flat=True)
        .first()
    ) or 1
    delay = RETRY_DELAYS_MINUTES[min(attempts, len(RETRY_DELAYS_MINUTES)) - 1]
    run_after = timezone.now() + datetime.timedelta(minutes=delay)
    transaction.on_commit(lambda: deliver_notification.using(run_after=run_after).enqueue(notification_id))


@task()
def run_export(export_id: int) -> str:
    """Write the file of one background export (xieshang.core.exports.run); runs once per export."""
    from . import exports

    return exports.run(export_id)
