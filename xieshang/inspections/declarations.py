"""What the inspections app adds to the platform (read by xieshang.core.registry through InspectionsConfig.declare):
menu entries, workbench to-dos, the answer timer and deadline kind, the duty fact kinds, the labels of the app's
audit events, the demo loader, the search kinds "inspection" and "supervision" (search.py).

Duty fact kinds (members/rules.py LEDGER_MAP maps them to the scoring vocabulary):
  inspections.team.inspection / .study_visit → inspection      on the team of an inspection or study tour that took place
  inspections.team.research                 → research        on the team of a research that took place
  inspections.report.<kind>                 → as the team's   wrote (执笔) its report
  inspections.supervision.team              → supervision     on the team of a supervision item that took place
  inspections.supervisor_report             → supervision     a special supervisor's report
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from xieshang.core.registry import Declarations, NavItem
from xieshang.core.timers import TimerDefault

TIMERS = {
    "inspections.answer": TimerDefault(3, "months", _("answer to a recommendation")),
}

DUTY_KINDS = {
    "inspections.team.inspection": _("on the team of an inspection"),
    "inspections.team.study_visit": _("on the team of a study tour"),
    "inspections.team.research": _("on the team of a research"),
    "inspections.report.inspection": _("wrote an inspection report"),
    "inspections.report.study_visit": _("wrote a study tour report"),
    "inspections.report.research": _("wrote a research report"),
    "inspections.supervision.team": _("on the team of a democratic supervision item"),
    "inspections.supervisor_report": _("special supervisor's report"),
}


def _deadline_kinds() -> tuple:
    from xieshang.core.deadlines import DeadlineKind

    return (
        DeadlineKind(name="inspections.answer", label=_("answer to a recommendation"), timer="inspections.answer",
                     recipients="xieshang.inspections.selectors.deadline_recipients",
                     url="xieshang.inspections.selectors.deadline_url"),
    )


def _search_kinds() -> dict:
    from xieshang.core.search import SearchKind

    return {
        "inspection": SearchKind(builder="xieshang.inspections.search.inspection_documents",
                                 model="inspections.Inspection", version_field="version", plural="inspections",
                                 names={"core.SpecialCommittee": ("special_committee",),
                                        "core.Member": ("report_author",)}),
        "supervision": SearchKind(builder="xieshang.inspections.search.supervision_documents",
                                  model="inspections.SupervisionItem", version_field="version",
                                  plural="supervision items", names={"core.SpecialCommittee": ("special_committee",)}),
    }


def declarations() -> Declarations:
    readers = frozenset({"staff", "admin", "leader"})
    return Declarations(
        nav=(
            NavItem(_("Inspection plan"), "inspections:board", readers, order=420),
            NavItem(_("Inspections and research"), "inspections:inspections", readers, order=421),
            NavItem(_("Democratic supervision"), "inspections:supervision", readers, order=422),
            NavItem(_("Special supervisors"), "inspections:supervisors", readers, order=423),
            NavItem(_("My inspections and teams"), "inspections:mine", frozenset({"member", "leader"}), order=425),
        ),
        todos=("xieshang.inspections.selectors.todos_for",),
        timers=TIMERS,
        event_labels={name: "xieshang.inspections.selectors.event_label"
                      for name in ("inspection", "supervision", "supervisor")},
        deadline_kinds=_deadline_kinds(),
        duty_kinds=DUTY_KINDS,
        demo_loaders=("xieshang.inspections.demo.load",),
        search_kinds=_search_kinds(),
    )
