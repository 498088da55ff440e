"""What the meetings app adds to the platform (read by xieshang.core.registry through ConsultationConfig.declare):
menu entries, workbench to-dos, the three timers and deadline kinds of a meeting, the duty fact kinds, the labels
of the app's audit events, the search kinds "meeting" and "topic" (search.py).

Duty fact kinds (members/rules.py LEDGER_MAP maps them to the scoring vocabulary):
  consultation.plenary.present|leave|absent    → plenary_present, plenary_leave, plenary_absent
  consultation.standing.present|leave|absent   → standing_present, standing_leave, standing_absent
  consultation.meeting.present|leave|absent    → meeting_present, meeting_leave, meeting_absent
      (chairpersons' and consultation meetings; quantity = half-days where the meeting counts them, else 1)
  consultation.speech.oral / .written          → speech_oral, speech_written (one per speech)
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from xieshang.core.registry import Declarations, NavItem
from xieshang.core.timers import TimerDefault

TIMERS = {
    "consultation.notice": TimerDefault(15, "working_days", _("consultation notice ahead")),
    "consultation.materials": TimerDefault(10, "working_days", _("consultation materials ahead")),
    "consultation.minutes": TimerDefault(7, "working_days", _("minutes to the Party committee")),
}

DUTY_KINDS = {
    "consultation.plenary.present": _("present at a plenary session"),
    "consultation.plenary.leave": _("approved leave from a plenary session"),
    "consultation.plenary.absent": _("absent from a plenary session without leave"),
    "consultation.standing.present": _("present at a standing committee meeting"),
    "consultation.standing.leave": _("approved leave from a standing committee meeting"),
    "consultation.standing.absent": _("absent from a standing committee meeting without leave"),
    "consultation.meeting.present": _("present at a consultation or chairpersons' meeting"),
    "consultation.meeting.leave": _("approved leave from a consultation or chairpersons' meeting"),
    "consultation.meeting.absent": _("absent from a consultation or chairpersons' meeting without leave"),
    "consultation.speech.oral": _("speech at a meeting"),
    "consultation.speech.written": _("written statement to a meeting"),
}


def _deadline_kinds() -> tuple:
    from xieshang.core.deadlines import DeadlineKind

    common = {"recipients": "xieshang.consultation.selectors.deadline_recipients",
              "url": "xieshang.consultation.selectors.deadline_url"}
    return (
        DeadlineKind(name="consultation.notice", label=_("meeting notice"), timer="consultation.notice", **common),
        DeadlineKind(name="consultation.materials", label=_("meeting materials"), timer="consultation.materials", **common),
        DeadlineKind(name="consultation.minutes", label=_("minutes to the Party committee and government"),
                     timer="consultation.minutes", **common),
    )


def _search_kinds() -> dict:
    from xieshang.core.search import SearchKind

    return {
        "meeting": SearchKind(builder="xieshang.consultation.search.meeting_documents", model="consultation.Meeting",
                              version_field="version", plural="meetings"),
        "topic": SearchKind(builder="xieshang.consultation.search.topic_documents",
                            model="consultation.ConsultationTopic", version_field="version",
                            plural="consultation topics",
                            names={"core.Member": ("member",), "core.Organization": ("organization",),
                                   "core.SpecialCommittee": ("special_committee",)}),
    }


def declarations() -> Declarations:
    return Declarations(
        nav=(
            NavItem(_("Meetings"), "consultation:meetings", frozenset({"staff", "admin", "leader"}), order=400),
            NavItem(_("My meetings"), "consultation:mine", frozenset({"member"}), order=405),
            NavItem(_("Consultation plan"), "consultation:plan", frozenset({"staff", "admin", "leader"}), order=410),
            NavItem(_("Consultation topics"), "consultation:topics", frozenset({"staff", "admin", "leader"}), order=415),
            NavItem(_("My topics"), "consultation:my_topics", frozenset({"member"}), order=420),
        ),
        todos=("xieshang.consultation.selectors.todos_for", "xieshang.consultation.plan_selectors.todos_for"),
        timers=TIMERS,
        event_labels={"meeting": "xieshang.consultation.selectors.event_label",
                      "topic": "xieshang.consultation.plan_selectors.topic_event_label",
                      "plan": "xieshang.consultation.plan_selectors.plan_event_label"},
        demo_loaders=("xieshang.consultation.demo.load",),
        deadline_kinds=_deadline_kinds(),
        duty_kinds=DUTY_KINDS,
        search_kinds=_search_kinds(),
    )
