"""Notification texts written in the reader's language (issue #11).

A service that tells someone something passes its title and body to `core.services.notify` as a `Notice`: a
lazy message (gettext_lazy) with its parameters. `notify` renders each recipient's copy in that recipient's
language (`language_of`), so an action taken by someone reading English leaves a Chinese text to a reader of
Chinese, and the reverse; dates in the parameters come out as core.formats writes them (2026年12月5日 in
Chinese, 5 Dec 2026 in English). A plain string is kept as it is (texts made before, or user text).

    notify(recipients=[user], kind="proposal.returned",
           title=Notice(gettext_lazy("Your proposal was returned for revision: %(title)s"), title=p.title),
           body=Notice(gettext_lazy("Please evaluate the replies by %(date)s."), date=p.evaluation_due))
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.utils import translation
from django.utils.functional import Promise

from . import formats


class Notice:
    """A message (a lazy translation with %(name)s placeholders) and its parameters, rendered later."""

    def __init__(self, text, **params):
        self.text = text
        self.params = params

    def render(self) -> str:
        """The text in the active language, its parameters rendered too (dates by core.formats.cn_date, moments by cn_datetime)."""
        text = str(self.text)
        if not self.params:
            return text
        return text % {key: render(value) for key, value in self.params.items()}

    def __str__(self) -> str:
        return self.render()

    def __repr__(self) -> str:
        return f"Notice({self.text!r}, {self.params!r})"


def render(value) -> str:
    """A Notice, a lazy translation, a date or a plain value as text in the active language."""
    if isinstance(value, Notice):
        return value.render()
    if isinstance(value, datetime.datetime):
        return formats.cn_datetime(value)
    if isinstance(value, datetime.date):
        return formats.cn_date(value)
    if isinstance(value, Promise):
        return str(value)
    return "" if value is None else str(value)


def language_of(user) -> str:
    """The language a user reads notifications in: their own choice when the user row keeps one (a `language`
    field), else the site's default (settings.LANGUAGE_CODE, Chinese)."""
    chosen = getattr(user, "language", "") or ""
    codes = {code for code, _name in settings.LANGUAGES}
    return chosen if chosen in codes else settings.LANGUAGE_CODE


def render_for(user, value) -> str:
    """`value` rendered in `user`'s language."""
    with translation.override(language_of(user)):
        return render(value)
