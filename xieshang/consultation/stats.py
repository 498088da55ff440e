"""The year's meeting figures for `xieshang stats consultation` (issue #14, item 10; the command's other figures —
topics, inspections, supervision — belong to the rest of the consultation work):

  meetings        {form or kind: n} — the meetings held in the year (held, minutes sent or closed; by first day):
                  consultation meetings by their form (thematic, sector, counterpart, proposal_handling,
                  grassroots, plenary_thematic, standing_thematic), the others by kind (plenary, standing,
                  chairpersons); every key present, 0 when none
  meetings_total  their sum
  attendance      {present, leave, absent}: attendance records at those meetings
  speeches        {oral, written}
  outcome_reports outcome reports sent for them
  topics_received   协商议题 received for the year's plan (every topic submitted, withdrawn ones left out)
  topics_approved   topics in the approved plan (approved or scheduled)
  topics_by_source  {member, organization, special_committee}: the received topics by who submitted them

One query per figure group, whatever the size of the year.
"""

from __future__ import annotations

import json

from django.db.models import Count

from . import workflow
from . import plan_workflow
from .models import (
    Attendance, ConsultationTopic, Meeting, MeetingForm, MeetingKind, OutcomeReport, Presence, Speech, SpeechKind,
    TopicSource,
)

KEYS = (*MeetingForm.values, *(k for k in MeetingKind.values if k != MeetingKind.CONSULTATION))


def held_meetings(committee, year: int):
    return Meeting.objects.filter(committee_id=getattr(committee, "pk", committee), year=year,
                                  state__in=workflow.GROUPS["held"])


def meeting_statistics(committee, year: int) -> dict:
    held = held_meetings(committee, year)
    meetings = dict.fromkeys(KEYS, 0)
    for kind, form, n in held.values_list("kind", "form").annotate(n=Count("id")).order_by():
        meetings[form or kind] += n
    attendance = dict.fromkeys(Presence.values, 0)
    attendance.update(dict(Attendance.objects.filter(meeting__in=held).values_list("status").annotate(n=Count("id"))
                           .order_by()))
    speeches = dict.fromkeys(SpeechKind.values, 0)
    speeches.update(dict(Speech.objects.filter(meeting__in=held).values_list("kind").annotate(n=Count("id")).order_by()))
    return {
        "year": year, "meetings": meetings, "meetings_total": sum(meetings.values()), "attendance": attendance,
        "speeches": speeches, "outcome_reports": OutcomeReport.objects.filter(meeting__in=held).count(),
        **topic_statistics(committee, year),
    }


def topic_statistics(committee, year: int) -> dict:
    """topics_received, topics_approved, topics_by_source (one query)."""
    received, approved = plan_workflow.TOPIC_GROUPS["received"], plan_workflow.TOPIC_GROUPS["approved"]
    by_source = dict.fromkeys(TopicSource.values, 0)
    total_approved = 0
    rows = (ConsultationTopic.objects.filter(committee_id=getattr(committee, "pk", committee), year=year,
                                             state__in=received)
            .values_list("source", "state").annotate(n=Count("id")).order_by())
    for source, state, n in rows:
        by_source[source] += n
        total_approved += n if state in approved else 0
    return {"topics_received": sum(by_source.values()), "topics_approved": total_approved,
            "topics_by_source": by_source}


def print_meeting_statistics(stdout, committee, year: int, *, as_json: bool = False) -> None:
    """For `xieshang stats consultation`: one JSON object, or a short table."""
    stats = meeting_statistics(committee, year)
    if as_json:
        stdout.write(json.dumps(stats, ensure_ascii=False, sort_keys=True))
        return
    stdout.write(f"{getattr(committee, 'name', committee)} {year}")
    for key, n in stats["meetings"].items():
        stdout.write(f"  meetings.{key}: {n}")
    stdout.write(f"  meetings_total: {stats['meetings_total']}")
    for group in ("attendance", "speeches"):
        for key, n in stats[group].items():
            stdout.write(f"  {group}.{key}: {n}")
    stdout.write(f"  outcome_reports: {stats['outcome_reports']}")
    stdout.write(f"  topics_received: {stats['topics_received']}")
    stdout.write(f"  topics_approved: {stats['topics_approved']}")
    for key, n in stats["topics_by_source"].items():
        stdout.write(f"  topics_by_source.{key}: {n}")
