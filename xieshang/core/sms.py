"""SMS backends. A backend is a class with `send(phone, text)`; choose one with XIESHANG_SMS_BACKEND."""

import logging

logger = logging.getLogger("xieshang.sms")


class ConsoleSmsBackend:
    """Writes the message to the log instead of sending it (the default)."""

    def send(self, phone: str, text: str) -> None:
        logger.warning("SMS to %s: %s", phone, text)
        print(f"[SMS to {phone}] {text}")


class LocmemSmsBackend:
    """Keeps messages in memory, for tests."""

    outbox: list[tuple[str, str]] = []

    def send(self, phone: str, text: str) -> None:
        LocmemSmsBackend.outbox.append((phone, text))


def get_backend():
    from django.conf import settings
    from django.utils.module_loading import import_string

    return import_string(settings.XIESHANG_SMS_BACKEND)()
