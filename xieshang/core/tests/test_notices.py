"""Notifications are written in the reader's language (core.notices), dates as offices write them."""

import datetime

import pytest
from django.utils import translation
from django.utils.translation import gettext_lazy

from xieshang.core.models import Notification
from xieshang.core.notices import Notice, language_of, render_for
from xieshang.core.services import notify
from xieshang.core.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 12, 5)


def test_a_notice_is_rendered_in_the_readers_language_whoever_acts():
    reader_zh = UserFactory()
    reader_en = UserFactory()
    reader_en.language = "en"  # a user row that keeps a language choice
    notice = Notice(gettext_lazy("Please evaluate the replies by %(date)s."), date=DAY)
    with translation.override("en"):  # the actor reads English
        created = notify(recipients=[reader_zh, reader_en], kind="test", title=notice, body=notice)
    by_user = {n.recipient_id: n for n in created}
    zh, en = by_user[reader_zh.pk], by_user[reader_en.pk]
    assert "2026年12月5日" in zh.title and "Please" not in zh.title
    assert en.title == "Please evaluate the replies by 5 Dec 2026."
    assert Notification.objects.get(pk=zh.pk).body == zh.title


def test_plain_text_and_lazy_texts_and_moments():
    user = UserFactory()
    assert render_for(user, "用户写的 <b>%(x)s</b>") == "用户写的 <b>%(x)s</b>"  # plain text kept as it is
    moment = datetime.datetime(2026, 12, 5, 14, 30, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))
    assert render_for(user, Notice("%(date)s", date=moment)) == "2026年12月5日 14:30"
    assert render_for(user, Notice("%(date)s", date=DAY)) == "2026年12月5日"
    assert render_for(user, None) == ""
    assert language_of(user) == "zh-hans"
    user.language = "fr"  # not offered: the site's default
    assert language_of(user) == "zh-hans"
