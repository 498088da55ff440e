"""The year's inspection and supervision figures, merged into `xieshang stats consultation` (issue #14, item 10):

  inspections          {inspection, study_visit, research, total}: inspections of the year's plan that took place
                       (started: under way, report drafted, report sent or closed)
  supervision_items    supervision items of the year that took place (under way, reported or closed)
  recommendations      recommendations of the year's inspection reports that were sent (report sent or closed)
  recommendations_answered   of those, answered
  recommendations_adopted    of those, adopted
  supervision_recommendations           recommendations of the year's supervision items that reported (reported
                                        or closed)
  supervision_recommendations_answered  of those, answered
  supervision_recommendations_adopted   of those, adopted
  special_supervisors  special supervisors whose term runs in some part of the year

A fixed number of queries whatever the size of the year.
"""

from __future__ import annotations

import json
from io import StringIO

from django.db.models import Count, Q

from . import workflow
from .models import Inspection, InspectionKind, Recommendation, SpecialSupervisor, SupervisionItem

TABLE_KEYS = ("supervision_items", "recommendations", "recommendations_answered", "recommendations_adopted",
              "supervision_recommendations", "supervision_recommendations_answered",
              "supervision_recommendations_adopted", "special_supervisors")


def figures(committee, year: int) -> dict:
    cid = getattr(committee, "pk", committee)
    inspections = dict.fromkeys(InspectionKind.values, 0)
    rows = (Inspection.objects.filter(committee_id=cid, year=year, state__in=workflow.GROUPS["took_place"])
            .values_list("kind").annotate(n=Count("id")).order_by())
    inspections.update(dict(rows))
    inspections["total"] = sum(inspections.values())
    counts = {"total": Count("id"), "answered": Count("id", filter=Q(answered_on__isnull=False)),
              "adopted": Count("id", filter=Q(adopted=True))}
    recs = Recommendation.objects.filter(inspection__committee_id=cid, inspection__year=year,
                                         inspection__state__in=workflow.GROUPS["sent"]).aggregate(**counts)
    srecs = Recommendation.objects.filter(supervision__committee_id=cid, supervision__year=year,
                                          supervision__state__in=workflow.SUPERVISION_GROUPS["reported"]).aggregate(
        **counts)
    return {
        "inspections": inspections,
        "supervision_items": SupervisionItem.objects.filter(
            committee_id=cid, year=year, state__in=workflow.SUPERVISION_GROUPS["took_place"]).count(),
        "recommendations": recs["total"], "recommendations_answered": recs["answered"],
        "recommendations_adopted": recs["adopted"],
        "supervision_recommendations": srecs["total"], "supervision_recommendations_answered": srecs["answered"],
        "supervision_recommendations_adopted": srecs["adopted"],
        "special_supervisors": SpecialSupervisor.objects.filter(
            committee_id=cid, term_start__year__lte=year, term_end__year__gte=year).count(),
    }


def print_with_consultation(print_consultation, stdout, committee, year: int, *, as_json: bool = False) -> None:
    """`xieshang stats consultation`: the consultation app's figures (its own printer, unchanged) with these merged
    in — one JSON object, or the table with these lines after its own."""
    from django.core.management.base import OutputWrapper

    ours = figures(committee, year)
    if not as_json:
        print_consultation(stdout, committee, year, as_json=False)
        for kind, n in ours["inspections"].items():
            stdout.write(f"  inspections.{kind}: {n}")
        for key in TABLE_KEYS:
            stdout.write(f"  {key}: {ours[key]}")
        return
    buffer = StringIO()
    print_consultation(OutputWrapper(buffer), committee, year, as_json=True)
    merged = json.loads(buffer.getvalue())
    merged.update(ours)
    stdout.write(json.dumps(merged, ensure_ascii=False, sort_keys=True))
