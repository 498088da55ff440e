"""SMS backends. A backend is a class with `send(phone, text)`; choose one with XIESHANG_SMS_BACKEND."""

import json
import logging
import os
from pathlib import Path

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


class FileSmsBackend:
    """Appends each message as one JSON line to a file: XIESHANG_SMS_FILE (setting or environment
    variable), else `sms.jsonl` in the data folder. For tests that span processes, and as a spool
    that an SMS gateway daemon reads.

    The line is written when the transaction that records the delivery as sent commits (at once
    outside a transaction), under an exclusive file lock: a worker killed between sending and
    recording never leaves a message in the file that a retry then writes again, and lines of
    several workers never interleave.
    """

    def send(self, phone: str, text: str) -> None:
        from django.db import transaction
        from django.utils import timezone

        line = json.dumps({"time": timezone.now().isoformat(), "phone": phone, "text": text}, ensure_ascii=False)
        path = self.path()
        transaction.on_commit(lambda: self._append(path, line))

    @staticmethod
    def path() -> Path:
        from django.conf import settings

        value = getattr(settings, "XIESHANG_SMS_FILE", None) or os.environ.get("XIESHANG_SMS_FILE")
        return Path(value) if value else Path(settings.DATA_DIR) / "sms.jsonl"

    @staticmethod
    def _append(path, line: str) -> None:
        import fcntl

        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            os.write(fd, (line + "\n").encode())
            os.fsync(fd)
        finally:
            os.close(fd)  # releases the lock

    @classmethod
    def read(cls, path=None) -> list[dict]:
        """The messages in the file, oldest first (for tests and checks)."""
        path = path or cls.path()
        try:
            with open(path, encoding="utf-8") as fh:
                return [json.loads(line) for line in fh if line.strip()]
        except FileNotFoundError:
            return []


def get_backend():
    from django.conf import settings
    from django.utils.module_loading import import_string

    return import_string(settings.XIESHANG_SMS_BACKEND)()
