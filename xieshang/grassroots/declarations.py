"""What the grassroots app adds to the platform (read by xieshang.core.registry through GrassrootsConfig.declare).

Menu entries, workbench to-dos, timers, deadline kinds, duty fact kinds, the search kind, the labels of the
app's audit events, the scheduled job (reception days from the rota) and the organisation-rename handler.
"""

from __future__ import annotations

import datetime

from django.utils.translation import gettext_lazy as _

from xieshang.core.registry import Declarations, NavItem
from xieshang.core.timers import TimerDefault

DUTY_KINDS = {
    "grassroots.activity": _("present at a consultation activity"),
    "grassroots.reception_day": _("on duty at a reception day"),
}

# Every role of a committee (a signed-in user without one sees no menu).
ANY_ROLE = frozenset({"admin", "staff", "leader", "unit", "station", "member"})

TIMERS = {
    "demand.accept": TimerDefault(3, "working_days", _("acceptance of a citizen's demand by the place")),
    "demand.answer": TimerDefault(15, "working_days", _("answer to a citizen's demand")),
    "demand.quiet": TimerDefault(7, "days", _("wait for the citizen's confirmation before closing")),
}


def _deadline_kinds() -> tuple:
    from xieshang.core.deadlines import DeadlineKind

    common = {"recipients": "xieshang.grassroots.selectors.deadline_recipients",
              "url": "xieshang.grassroots.selectors.deadline_url"}
    return (
        DeadlineKind(name="demand.accept", label=_("demand to accept"), timer="demand.accept", **common),
        DeadlineKind(name="demand.answer", label=_("demand to answer"), timer="demand.answer", **common),
        DeadlineKind(name="activity.outcome", label=_("activity outcome due"), timer=None, **common),
    )


def _search_kinds() -> dict:
    from xieshang.core.search import SearchKind

    # A station or studio renamed in administration: services.organisation_changed renames its place first.
    return {"demand": SearchKind(builder="xieshang.grassroots.search.documents", model="grassroots.Demand",
                                 version_field="version", plural="demands",
                                 names={"core.HandlingUnit": ("unit",), "core.LiaisonStation": ("place__station",),
                                        "core.Studio": ("place__studio",)})}


def _jobs() -> tuple:
    from xieshang.core.scheduler import Job

    return (Job("grassroots.reception_days", "xieshang.grassroots.services.run_scheduled", datetime.timedelta(days=1),
                offset=datetime.timedelta(hours=2)),)


def declarations() -> Declarations:
    return Declarations(
        nav=(
            NavItem(_("Station board"), "grassroots:board", frozenset({"station"}), order=300),
            NavItem(_("Citizens' demands"), "grassroots:inbox", frozenset({"unit"}), order=305),
            NavItem(_("Demands"), "grassroots:demands", frozenset({"staff", "admin", "leader"}), order=310),
            NavItem(_("Demands I recorded"), "grassroots:mine", frozenset({"member"}), order=312),
            NavItem(_("Consultation activities"), "grassroots:activities", ANY_ROLE, order=320),
            NavItem(_("My stations"), "grassroots:my_stations", frozenset({"member"}), order=325),
            NavItem(_("Stations and studios"), "grassroots:places", ANY_ROLE, order=330),
        ),
        todos=("xieshang.grassroots.selectors.todos_for",),
        jobs=_jobs(),
        timers=TIMERS,
        event_labels={
            "demand": "xieshang.grassroots.selectors.demand_event_label",
            "activity": "xieshang.grassroots.selectors.activity_event_label",
        },
        organisation_changed=("xieshang.grassroots.services.organisation_changed",),
        deadline_kinds=_deadline_kinds(),
        duty_kinds=DUTY_KINDS,
        search_kinds=_search_kinds(),
        demo_loaders=("xieshang.grassroots.demo.load",),
    )
