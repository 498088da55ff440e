"""The year's figures of the line to the Party committee (`xieshang stats liaison --committee CODE --year YYYY
[--json]`, GET /api/v1/liaison/stats):

- party_reports: the reports sent to the Party committee in the year (by `sent_on`), by kind and "total";
  party_reports_answered: those of them with the Party committee's instruction
- rules_made / rules_revised: rules made (version 1 dated in the year) / rules with a revision dated in the
  year; rules_made_or_revised: the rules with either (the seed's "29 rules made or revised")
- tasks: tasks assigned in the year; tasks_done: of them, done; tasks_overdue: of them, open past the due date
- visits: contact visits in the year; people_visited: the PEOPLE met, by kind (a visit may meet several),
  with "total"
- suggestions: suggestions brought back from the year's visits; suggestions_by_outcome: what they became
  (demand, proposal, opinion, task) or their state (open, noted)
"""

from __future__ import annotations

import json

from django.db.models import Count, Q

from xieshang.core import clock

from .models import (
    AssignedTask, ContactVisit, PartyReport, PersonKind, ReportKind, ReportState, RuleVersion, Suggestion,
    TargetKind, TaskState, VisitedPerson,
)


def figures(committee, year: int) -> dict:
    cid = getattr(committee, "pk", committee)
    reports = PartyReport.objects.filter(committee_id=cid, sent_on__year=year,
                                         state__in=[ReportState.SENT, ReportState.ANSWERED])
    by_kind = dict(reports.values_list("kind").annotate(n=Count("pk")))
    party_reports = {k: by_kind.get(k, 0) for k in ReportKind.values}
    party_reports["total"] = sum(party_reports.values())
    versions = RuleVersion.objects.filter(rule__committee_id=cid, date__year=year)
    made = set(versions.filter(number=1).values_list("rule_id", flat=True))
    revised = set(versions.filter(number__gt=1).values_list("rule_id", flat=True))
    tasks = AssignedTask.objects.filter(committee_id=cid, year=year).aggregate(
        total=Count("pk"), done=Count("pk", filter=Q(state=TaskState.DONE)),
        overdue=Count("pk", filter=Q(state__in=[TaskState.OPEN, TaskState.IN_PROGRESS], due_on__lt=clock.today())))
    people = dict(VisitedPerson.objects.filter(visit__committee_id=cid, visit__date__year=year)
                  .values_list("kind").annotate(n=Count("pk")))
    people_visited = {k: people.get(k, 0) for k in PersonKind.values}
    people_visited["total"] = sum(people_visited.values())
    suggestions = Suggestion.objects.filter(committee_id=cid, visit__date__year=year)
    outcome = dict(suggestions.exclude(target_kind="").values_list("target_kind").annotate(n=Count("pk")))
    states = dict(suggestions.values_list("state").annotate(n=Count("pk")))
    by_outcome = {k: outcome.get(k, 0) for k in TargetKind.values}
    by_outcome.update(open=states.get("open", 0), noted=states.get("noted", 0))
    return {
        "year": year,
        "party_reports": party_reports,
        "party_reports_answered": reports.filter(state=ReportState.ANSWERED).count(),
        "rules_made": len(made),
        "rules_revised": len(revised),
        "rules_made_or_revised": len(made | revised),
        "tasks": tasks["total"],
        "tasks_done": tasks["done"],
        "tasks_overdue": tasks["overdue"],
        "visits": ContactVisit.objects.filter(committee_id=cid, date__year=year).count(),
        "people_visited": people_visited,
        "suggestions": suggestions.count(),
        "suggestions_by_outcome": by_outcome,
    }


def print_liaison_statistics(stdout, committee, year: int, *, as_json: bool = False) -> None:
    """For `xieshang stats liaison`: one JSON object, or a short table."""
    stats = figures(committee, year)
    if as_json:
        stdout.write(json.dumps(stats, ensure_ascii=False, sort_keys=True))
        return
    stdout.write(f"{getattr(committee, 'name', committee)} {year}")
    for key, value in stats.items():
        if isinstance(value, dict):
            for sub, n in value.items():
                stdout.write(f"  {key}.{sub}: {n}")
        elif key != "year":
            stdout.write(f"  {key}: {value}")
