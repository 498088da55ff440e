"""What the opinions app adds to the platform (read by xieshang.core.registry through OpinionsConfig.declare).

Menu entries, workbench to-dos, timers, deadline kinds, duty fact kinds, the search kind and the labels
of the app's audit events, the background export kind.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from xieshang.core.registry import Declarations, NavItem
from xieshang.core.timers import TimerDefault

DUTY_KINDS = {
    "opinion.submitted": _("opinion report submitted"),
    "opinion.adopted.prefecture": _("opinion report adopted at prefecture level"),
    "opinion.adopted.province": _("opinion report adopted at province level"),
    "opinion.adopted.national": _("opinion report adopted at national level"),
    "opinion.instruction.prefecture": _("leader's instruction on an opinion report (prefecture)"),
    "opinion.instruction.province": _("leader's instruction on an opinion report (province)"),
    "opinion.instruction.national": _("leader's instruction on an opinion report (national)"),
}

TIMERS = {
    "opinion.edit": TimerDefault(10, "working_days", _("office's handling of a submitted opinion report")),
}


def _deadline_kinds() -> tuple:
    from xieshang.core.deadlines import DeadlineKind

    return (
        DeadlineKind(
            name="opinion.edit", label=_("opinion report to handle"), timer="opinion.edit",
            recipients="xieshang.opinions.selectors.deadline_recipients", url="xieshang.opinions.selectors.deadline_url",
        ),
        DeadlineKind(
            name="commission.due", label=_("commissioned topic due"), timer=None, remind=False, overdue_notice=False,
            recipients="xieshang.opinions.selectors.deadline_recipients", url="xieshang.opinions.selectors.deadline_url",
        ),
    )


def _search_kinds() -> dict:
    from xieshang.core.search import SearchKind

    return {
        "opinion": SearchKind(builder="xieshang.opinions.search.documents", model="opinions.OpinionReport",
                              version_field="version", plural="opinion reports",
                              names={"core.Member": ("authors__member",), "core.User": ("authors__user",),
                                     "core.Organization": ("organization",),
                                     "core.SpecialCommittee": ("special_committee",)}),
    }


def _export_kinds() -> dict:
    from xieshang.core.exports import Kind

    return {"opinions": Kind(_("Opinion report list"), "xieshang.opinions.exports.write_opinion_list", "opinion-reports")}


def declarations() -> Declarations:
    return Declarations(
        nav=(
            NavItem(_("My opinion reports"), "opinions:mine", frozenset({"member", "station"}), order=210),
            NavItem(_("Opinion reports"), "opinions:list", frozenset({"staff", "admin", "leader"}), order=220),
            NavItem(_("Reports to approve"), "opinions:approvals", frozenset({"leader"}), order=230),
            NavItem(_("Commissioned topics"), "opinions:commissions", frozenset({"staff", "admin", "member"}), order=240),
            NavItem(_("Report recipients"), "opinions:recipients", frozenset({"staff", "admin"}), order=235),
        ),
        todos=("xieshang.opinions.selectors.todos_for",),
        demo_loaders=("xieshang.opinions.demo.load",),
        timers=TIMERS,
        export_kinds=_export_kinds(),
        event_labels={
            "opinion": "xieshang.opinions.selectors.event_label",
            "commission": "xieshang.opinions.selectors.commission_event_label",
        },
        deadline_kinds=_deadline_kinds(),
        duty_kinds=DUTY_KINDS,
        search_kinds=_search_kinds(),
    )
