"""SMS backends. A backend is a class with `send(phone, text)` — and `idempotency_key=` for a gateway that
de-duplicates (core.tasks passes the delivery's key) —; choose one with XIESHANG_SMS_BACKEND."""

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
    """Keeps messages in memory, for tests; like a gateway that accepts idempotency keys, a message whose key
    it has seen is not kept again (`keys`: the key of each kept message)."""

    outbox: list[tuple[str, str]] = []
    keys: list[str | None] = []

    def send(self, phone: str, text: str, idempotency_key: str | None = None) -> None:
        if idempotency_key and idempotency_key in LocmemSmsBackend.keys:
            return
        LocmemSmsBackend.outbox.append((phone, text))
        LocmemSmsBackend.keys.append(idempotency_key)


class FileSmsBackend:
    """Appends each message as one JSON line to a file: XIESHANG_SMS_FILE (setting or environment
    variable), else `sms.jsonl` in the data folder. For tests that span processes, and as a spool
    that an SMS gateway daemon reads.

    The line is written when the transaction that records the delivery as sent commits (at once
    outside a transaction), under an exclusive file lock: a worker killed between sending and
    recording never leaves a message in the file that a retry then writes again, and lines of
    several workers never interleave.
    """

    def send(self, phone: str, text: str, idempotency_key: str | None = None) -> None:
        from django.db import transaction
        from django.utils import timezone

        row = {"time": timezone.now().isoformat(), "phone": phone, "text": text}
        if idempotency_key:
            row["key"] = idempotency_key
        line = json.dumps(row, ensure_ascii=False)
        path = self.path()
        transaction.on_commit(lambda: self._append(path, line, idempotency_key))

    @staticmethod
    def path() -> Path:
        from django.conf import settings

        value = getattr(settings, "XIESHANG_SMS_FILE", None) or os.environ.get("XIESHANG_SMS_FILE")
        return Path(value) if value else Path(settings.DATA_DIR) / "sms.jsonl"

    @staticmethod
    def _append(path, line: str, idempotency_key: str | None = None) -> None:
        import fcntl

        fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            if idempotency_key and f'"key": {json.dumps(idempotency_key)}' in _read_all(fd):
                return  # sent before with this key (a run stopped between sending and recording): once
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


def _read_all(fd) -> str:
    os.lseek(fd, 0, os.SEEK_SET)
    chunks = []
    while chunk := os.read(fd, 1 << 16):
        chunks.append(chunk)
    return b"".join(chunks).decode("utf-8", "replace")


def send_sms(phone: str, text: str, *, idempotency_key: str | None = None) -> None:
    """Send through the configured backend, passing the idempotency key to a backend whose `send` accepts one
    (a gateway that de-duplicates); an older backend gets `send(phone, text)`."""
    import inspect

    backend = get_backend()
    if idempotency_key and "idempotency_key" in inspect.signature(backend.send).parameters:
        backend.send(phone, text, idempotency_key=idempotency_key)
    else:
        backend.send(phone, text)


def get_backend():
    from django.conf import settings
    from django.utils.module_loading import import_string

    return import_string(settings.XIESHANG_SMS_BACKEND)()
