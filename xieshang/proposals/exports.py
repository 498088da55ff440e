"""The proposal list as an Excel workbook: written once here for the staff list's export, the API's
export and the background export (xieshang.core.exports).

The rows are exactly those of `selectors.proposal_list(user, committee, params)`, read as tuples in
chunks of 500 (`.iterator(chunk_size=500)`, the live assignments of each chunk in one query) and
written row by row with
openpyxl's write-only workbook, so memory stays flat whatever the size. Text is always written as
text (data type "s": a title that begins with "=" never becomes a formula) without the control
characters Excel refuses.

The columns, the sheet's title and the header row are those of the list's definition
(`xieshang.proposals.lists.PROPOSALS`, written by `xieshang.core.lists.ListDef.write_xlsx`): layout
"export" (the staff list's export and background exports from the pages) and "export_api" (the
columns of GET /api/v1/proposals/export.xlsx, kept for its clients).
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from xieshang.core import categories

from . import selectors
from .lists import PROPOSALS
from .models import (
    AssignmentRole,
    AssignmentState,
    EvaluationVerdict,
    ProposalKind,
    ProposalState,
    ProposerKind,
)

ROWS_PER_CHUNK = 500
ROLE_ORDER = {AssignmentRole.SOLE: 0, AssignmentRole.LEAD: 1, AssignmentRole.SPLIT: 2, AssignmentRole.CO: 3}


def count_proposal_list(user, committee, params: dict) -> int:
    """How many rows the export of the list with `params` holds for `user`."""
    return selectors.proposal_list(user, committee, params).count()


def write_proposal_list(handle, *, user, committee, params: dict, layout: str = "web") -> int:
    """Write the proposals `user` sees in `committee` with the list filters `params` into `handle` (a
    binary file opened for writing) as an .xlsx workbook with the columns of the list's "export" layout
    ("export_api" when `layout` is "api"; xieshang.proposals.lists). Returns the number of rows written."""
    qs = selectors.proposal_list(user, committee, params).select_related(None).prefetch_related(None)
    return PROPOSALS.write_xlsx(handle, _rows(qs), layout="export_api" if layout == "api" else "export",
                                labels=_labels(committee), heading=heading(committee))


def heading(committee) -> str:
    """The title row: 昌吉州政协提案一览表（2026年12月5日导出）."""
    from xieshang.core.formats import cn_date

    from .deadlines import today

    name = getattr(committee, "short_name", "") or getattr(committee, "name", "")
    return _("%(committee)s proposals (exported on %(date)s)") % {"committee": name, "date": cn_date(today())}


def _rows(qs):
    """The export's rows (`_Row`), read in chunks of ROWS_PER_CHUNK with the live units, the co-signers and
    the latest round's replies of each chunk (one query each per chunk)."""
    from .deadlines import today

    day = today()
    for chunk in _chunks(qs.values_list(*ROW_COLUMNS).iterator(chunk_size=ROWS_PER_CHUNK)):
        ids = [r[0] for r in chunk]
        units, cosigners, replies = _live_units(ids), _cosigners(ids), _replies(ids)
        for values in chunk:
            row = _Row(values, units.get(values[0], ()))
            row.cosigners = cosigners.get(row.id, ())
            row.replies = [r for r in replies.get(row.id, ()) if r[0] == row.round]
            row.overdue_days = _overdue_days(row.assignments, day)
            yield row


# The columns a row of the workbook is made from (tuples, not model instances: the export reads each
# row once, and building 100,000 instances with their related ones cost half its time).
ROW_COLUMNS = (
    "id", "number", "title", "state", "kind", "category", "proposer_kind", "sector_name", "is_key", "is_excellent",
    "submitted_at", "registered_at", "created_at", "next_due",
    "lead_proposer__name", "organization__name", "special_committee__name", "round", "replied_at",
)


class _Row:
    """One proposal of the export: ROW_COLUMNS by name, its live assignments, the proposer's name."""

    __slots__ = ROW_COLUMNS + ("assignments", "proposer_name", "cosigners", "replies", "overdue_days")

    def __init__(self, values, assignments):
        for name, value in zip(ROW_COLUMNS, values):
            setattr(self, name, value)
        self.assignments = assignments
        self.cosigners, self.replies, self.overdue_days = (), (), None
        kind, person = self.proposer_kind, self.lead_proposer__name
        org, special = self.organization__name, self.special_committee__name
        self.proposer_name = (org if kind == ProposerKind.ORGANIZATION and org else
                              special if kind == ProposerKind.SPECIAL_COMMITTEE and special else person) or ""


def _chunks(iterator, size: int = ROWS_PER_CHUNK):
    chunk = []
    for item in iterator:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _live_units(ids) -> dict:
    """{proposal id: [(unit name, role, due date, state), …]}: the live assignments of a chunk, sole and lead
    first."""
    from .models import Assignment

    out: dict[int, list] = {}
    qs = (
        Assignment.objects.filter(proposal_id__in=ids).exclude(state=AssignmentState.CANCELLED).order_by()
        .values_list("proposal_id", "unit__name", "role", "due_date", "id", "state")
    )
    for pid, name, role, due, pk, state in sorted(qs, key=lambda a: (a[0], ROLE_ORDER.get(a[2], 9), a[4])):
        out.setdefault(pid, []).append((name, role, due, state))
    return out


def _cosigners(ids) -> dict:
    """{proposal id: [name, …]}: the members who co-signed (附议人), in the order they were invited."""
    from .models import CoSigner

    out: dict[int, list] = {}
    qs = (CoSigner.objects.filter(proposal_id__in=ids, state=CoSigner.State.SIGNED).order_by("proposal_id", "id")
          .values_list("proposal_id", "member__name"))
    for pid, name in qs:
        out.setdefault(pid, []).append(name)
    return out


def _replies(ids) -> dict:
    """{proposal id: [(round, unit name, outcome, verdict or None), …]}: the replies and their evaluations."""
    from .models import Reply

    out: dict[int, list] = {}
    qs = (Reply.objects.filter(proposal_id__in=ids).order_by("proposal_id", "round", "id")
          .values_list("proposal_id", "round", "assignment__unit__name", "outcome", "evaluation__verdict"))
    for pid, round_, unit, outcome, verdict in qs:
        out.setdefault(pid, []).append((round_, unit, outcome, verdict))
    return out


OPEN_STATES = (AssignmentState.ASSIGNED, AssignmentState.HANDLING)


def _overdue_days(assignments, day) -> int | None:
    """超期天数: the calendar days since the earliest passed due date of a unit that still owes its reply."""
    late = [(day - due).days for _name, _role, due, state in assignments if state in OPEN_STATES and due and due < day]
    return max(late) if late else None


def write_proposal_list_api(handle, *, user, committee, params: dict) -> int:
    """`write_proposal_list` with the API's columns."""
    return write_proposal_list(handle, user=user, committee=committee, params=params, layout="api")


# --- Columns ----------------------------------------------------------------------------------------


def _labels(committee) -> dict:
    """The display labels of the choices, translated once per workbook (not once per row)."""
    return {
        "state": {v: str(label) for v, label in ProposalState.choices},
        "kind": {v: str(label) for v, label in ProposalKind.choices},
        "category": categories.catalogue(committee).labels(),  # the committee's own list
        "role": {v: str(label) for v, label in AssignmentRole.choices},
        "outcome": {"adopted": "A", "planned": "B", "explained": "C"},
        "verdict": {v: str(label) for v, label in EvaluationVerdict.choices},
        "yes": _("yes"),
        "no": _("no"),
    }
