"""What the liaison app adds to the platform (read by xieshang.core.registry through LiaisonConfig.declare):
menu entries, workbench to-dos, the task timer and deadline kind, the labels of its audit events, the demo, the
search kinds "party_report", "working_rule", "assigned_task" and "contact_visit" (search.py).

Leaders' visits are leaders' work, not members' duty: the app declares no duty fact kinds.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from xieshang.core.registry import Declarations, NavItem
from xieshang.core.timers import TimerDefault

READERS = frozenset({"staff", "admin", "leader"})

TIMERS = {"task.due": TimerDefault(30, "working_days", _("assigned task from the Party committee"))}


def _deadline_kinds() -> tuple:
    from xieshang.core.deadlines import DeadlineKind

    return (DeadlineKind(name="task.due", label=_("assigned task due"), timer="task.due",
                         recipients="xieshang.liaison.selectors.deadline_recipients",
                         url="xieshang.liaison.selectors.deadline_url"),)


def _search_kinds() -> dict:
    from xieshang.core.search import SearchKind

    def kind(builder, model, plural, names=None):
        return SearchKind(builder=f"xieshang.liaison.search.{builder}", model=f"liaison.{model}",
                          version_field="version", plural=plural, names=names or {})

    return {
        "party_report": kind("report_documents", "PartyReport", "reports to the Party committee"),
        "working_rule": kind("rule_documents", "WorkingRule", "working rules"),
        "assigned_task": kind("task_documents", "AssignedTask", "assigned tasks",
                              {"core.SpecialCommittee": ("special_committee",)}),
        "contact_visit": kind("visit_documents", "ContactVisit", "contact visits"),
        "visit_suggestion": kind("suggestion_documents", "Suggestion", "suggestions from contact visits"),
    }


def declarations() -> Declarations:
    return Declarations(
        nav=(
            NavItem(_("Reports to the Party committee"), "liaison:reports", frozenset({"staff", "admin"}), order=400),
            NavItem(_("Party reports to approve"), "liaison:approvals", frozenset({"leader"}), order=401),
            NavItem(_("Assigned tasks"), "liaison:tasks", READERS, order=405),
            NavItem(_("My contact visits"), "liaison:my_visits", frozenset({"leader"}), order=408),
            NavItem(_("Contact visits"), "liaison:visits", READERS, order=410),
            NavItem(_("Working rules"), "liaison:rules", READERS, order=415),
        ),
        todos=("xieshang.liaison.selectors.todos_for",),
        timers=TIMERS,
        deadline_kinds=_deadline_kinds(),
        event_labels={
            "party_report": "xieshang.liaison.selectors.report_event_label",
            "assigned_task": "xieshang.liaison.selectors.task_event_label",
            "visit_suggestion": "xieshang.liaison.selectors.suggestion_event_label",
            "working_rule": "xieshang.liaison.selectors.rule_event_label",
            "contact_visit": "xieshang.liaison.selectors.visit_event_label",
        },
        demo_loaders=("xieshang.liaison.demo.load",),
        search_kinds=_search_kinds(),
    )
