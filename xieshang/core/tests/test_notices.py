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


def test_the_language_a_person_switches_to_is_kept_for_what_is_written_to_them(client):
    """The header's switch keeps the choice on the account: a notification made while another person acts is
    in English for them, and the choice follows them to a new browser at sign-in."""
    from xieshang.core.models import Event, User

    user = UserFactory()
    user.set_password("a-long-password-1")
    user.save()
    assert client.login(username=user.username, password="a-long-password-1")
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.language == "en"
    assert Event.objects.filter(action="user.language_set", object_id=str(user.pk)).count() == 1
    client.post("/i18n/setlang/", {"language": "xx", "next": "/"})  # not offered: nothing changes
    user.refresh_from_db()
    assert user.language == "en"

    with translation.override("zh-hans"):  # someone reading Chinese acts
        [note] = notify(recipients=[User.objects.get(pk=user.pk)], kind="test",
                        title=Notice(gettext_lazy("Please evaluate the replies by %(date)s."), date=DAY))
    assert note.title == "Please evaluate the replies by 5 Dec 2026."

    from django.test import Client

    fresh = Client()  # another computer, no language cookie
    response = fresh.post("/login/", {"username": user.username, "password": "a-long-password-1"})
    assert response.status_code == 302
    assert fresh.cookies["django_language"].value == "en"


def test_an_anonymous_switch_only_sets_the_cookie(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})
    assert response.status_code == 302 and client.cookies["django_language"].value == "en"
