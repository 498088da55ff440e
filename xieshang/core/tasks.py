"""Background tasks of the core app (run by `xieshang worker`)."""

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from .models import Delivery, Notification
from .sms import send_sms
from .text import single_line


@task()
def deliver_notification(notification_id: int) -> str:
    """Send one notification on its outside channels, each at most once.

    Each channel has one Delivery row. Before a message leaves, its row is committed as "sending" with an
    idempotency key (given once, kept for every attempt); then the message is sent (outside any
    transaction) with that key, then the row is marked sent (or back to pending for a retry, failed after
    the third attempt). A run that finds a row "sent" skips it; one that finds it "sending" (the last run
    stopped between sending and recording) sends again with the same key, which a gateway that accepts
    keys answers without sending twice (core/sms.py).
    """
    notification = Notification.objects.select_related("recipient").filter(pk=notification_id).first()
    if notification is None:
        return "gone"
    results = []
    open_states = (Delivery.Status.PENDING, Delivery.Status.SENDING)
    for delivery_id in notification.deliveries.filter(status__in=open_states).values_list("pk", flat=True):
        delivery = _claim(delivery_id, open_states)
        if delivery is None:
            continue
        try:
            _send(notification, delivery)
        except Exception as exc:  # noqa: BLE001 - a channel's failure is recorded, not raised
            status = Delivery.Status.FAILED if delivery.attempts >= 3 else Delivery.Status.PENDING
            Delivery.objects.filter(pk=delivery.pk).update(status=status, last_error=str(exc)[:1000])
        else:
            status = Delivery.Status.SENT
            Delivery.objects.filter(pk=delivery.pk).update(status=status, sent_at=timezone.now(), last_error="")
        results.append(f"{delivery.channel}:{status}")
    if any(r.endswith(":" + Delivery.Status.PENDING) for r in results):
        _retry_later(notification_id)
    return ",".join(results) or "nothing"


def _claim(delivery_id: int, open_states) -> Delivery | None:
    """Commit the delivery as "sending" (with its idempotency key) before anything is sent; None if it is
    no longer open (sent or given up by another run)."""
    import uuid

    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().filter(pk=delivery_id, status__in=open_states).first()
        if delivery is None:
            return None
        delivery.attempts += 1
        delivery.status = Delivery.Status.SENDING
        delivery.idempotency_key = delivery.idempotency_key or uuid.uuid4().hex
        delivery.save(update_fields=["attempts", "status", "idempotency_key"])
    return delivery


def _send(notification, delivery) -> None:
    key = delivery.idempotency_key
    if delivery.channel == Delivery.Channel.EMAIL:
        from django.core.mail import EmailMessage

        text = notification.body or notification.title
        domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2].strip("> ") or "xieshang.local"
        # The same Message-ID on every attempt: a receiving server or mail client drops the repeat.
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
