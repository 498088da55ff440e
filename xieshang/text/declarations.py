"""What the text app adds to the platform (read by xieshang.core.registry through TextConfig.declare): the
nightly training of every committee's models and the page of the suggestions' acceptance rate."""

from __future__ import annotations

import datetime

from django.utils.translation import gettext_lazy as _

from xieshang.core.registry import Declarations, NavItem


def _jobs() -> tuple:
    from xieshang.core.scheduler import Job

    # 02:30 every night: the day's decisions are in the next day's suggestions
    return (Job("text.train", "xieshang.text.store.train_all", datetime.timedelta(days=1),
                offset=datetime.timedelta(hours=2, minutes=30), stale_after=datetime.timedelta(hours=4)),)


def declarations() -> Declarations:
    return Declarations(
        nav=(NavItem(_("Suggestions accepted"), "text:acceptance", frozenset({"staff", "admin"}), order=890),),
        jobs=_jobs(),
    )
