"""What the public door's tests share (test_public_pages, test_public_api, test_browser_public): the citizen's
phone and name (which no public answer may carry), the SMS backend in memory, and the code read from it."""

from __future__ import annotations

import re

import pytest

from xieshang.core.sms import LocmemSmsBackend

PHONE = "13912340000"
NAME = "李四娃"
TEXT = "我们村的灌溉渠堵塞了，春耕前希望能清理一下。"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
# the keeper-recorded demands of tests.factories carry these
OTHER_PERSONAL = ("13800138000", "张先生")


@pytest.fixture
def sms(settings):
    """SMS to memory (LocmemSmsBackend.outbox), emptied for the test."""
    settings.XIESHANG_SMS_BACKEND = "xieshang.core.sms.LocmemSmsBackend"
    LocmemSmsBackend.outbox.clear()
    LocmemSmsBackend.keys.clear()
    return LocmemSmsBackend.outbox


def sms_code(phone: str = PHONE) -> str:
    """The last SMS code sent to `phone`."""
    for to, text in reversed(LocmemSmsBackend.outbox):
        if to == phone:
            found = re.search(r"(?<!\d)(\d{6})(?!\d)", text)
            if found:
                return found.group(1)
    raise AssertionError(f"no code sent to {phone}")


def assert_no_personal_data(text: str, *extra: str) -> None:
    for secret in (PHONE, NAME, *OTHER_PERSONAL, *extra):
        assert secret not in text, secret
