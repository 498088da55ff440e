"""Background tasks of the core app (run by `xieshang worker`)."""

import datetime

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from .models import Delivery, Notification
from .sms import get_backend
from .text import single_line


@task()
def deliver_notification(notification_id: int) -> str:
    """Send one notification on its outside channels, each at most once.

    Each channel has one Delivery row; the row is locked while it is sent and marked sent in the
    same transaction, so a second run of this task (a retry, a restarted worker) skips it.
    """
    notification = Notification.objects.select_related("recipient").filter(pk=notification_id).first()
    if notification is None:
        return "gone"
    results = []
    for delivery_id in notification.deliveries.filter(status=Delivery.Status.PENDING).values_list("pk", flat=True):
        with transaction.atomic():
            delivery = Delivery.objects.select_for_update().get(pk=delivery_id)
            if delivery.status != Delivery.Status.PENDING:
                continue
            delivery.attempts += 1
            try:
                if delivery.channel == Delivery.Channel.EMAIL:
                    text = notification.body or notification.title
                    # a header value is one line (a line break in it is refused by the mail library)
                    send_mail(single_line(notification.title), text, settings.DEFAULT_FROM_EMAIL,
                              [delivery.address])
                else:
                    get_backend().send(delivery.address, f"{notification.title} {notification.body}".strip()[:300])
            except Exception as exc:  # noqa: BLE001 - a channel's failure is recorded, not raised
                delivery.last_error = str(exc)[:1000]
                delivery.status = Delivery.Status.FAILED if delivery.attempts >= 3 else Delivery.Status.PENDING
            else:
                delivery.status = Delivery.Status.SENT
                delivery.sent_at = timezone.now()
            delivery.save()
            results.append(f"{delivery.channel}:{delivery.status}")
    if any(r.endswith(":" + Delivery.Status.PENDING) for r in results):
        _retry_later(notification_id)
    return ",".join(results) or "nothing"


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
