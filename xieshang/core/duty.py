"""The duty ledger (履职档案): facts about what members did, written by the apps' services.

A `DutyFact` says: this member earned credit of `kind` for that object on that day — first proposer of a
registered proposal ("proposal.lead"), co-signer ("proposal.cosigner"), an opinion report adopted at province
level ("opinion.adopted.province") … Scoring (a later issue) only reads these rows.

Rules:
- Apps declare their kinds and labels (`Declarations.duty_kinds`, kind -> label); core knows none. Recording a
  kind nobody declared is a programming error (ValueError).
- Services call `duty_fact_record` / `duty_fact_remove` explicitly, inside their own transaction (no signals),
  naming the member who earns the credit — not the acting user (staff register a proposal; its proposers earn).
- One row per (member, kind, object): recording again updates the row (idempotent), so a service may simply
  re-record the facts of an object whenever they may have changed.
- `quantity` is a decimal (two places): 1 for one proposal or report; hours or days for later hand entries.
  `authors` is how many members share the credit for the object, `lead` whether this member is the first of
  them. `note` is for hand entries and is never touched by `duty_fact_record`.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import QuerySet

from . import registry
from .models import DutyFact, Member


def _object_key(obj) -> tuple[ContentType, int]:
    if obj is None or getattr(obj, "pk", None) is None:
        raise ValueError("a duty fact needs a saved object")
    return ContentType.objects.get_for_model(obj.__class__), int(obj.pk)


def _check_kind(kind: str) -> None:
    if kind not in registry.duty_kinds():
        raise ValueError(f"duty fact kind {kind!r} is not declared by any app (Declarations.duty_kinds)")


def duty_fact_record(
    *, member: Member, kind: str, obj, occurred_on: datetime.date, quantity=1, authors: int = 1, lead: bool = True
) -> DutyFact:
    """Record (or update) the fact that `member` earned credit of `kind` for `obj` on `occurred_on`.

    Idempotent: the row of (member, kind, obj) is created or updated with the given values."""
    _check_kind(kind)
    if member is None:
        raise ValueError("a duty fact needs a member")
    if isinstance(occurred_on, datetime.datetime):
        occurred_on = occurred_on.date()
    authors = int(authors)
    if authors < 1:
        raise ValueError("authors must be at least 1")
    content_type, object_id = _object_key(obj)
    values = {
        "committee_id": member.committee_id,
        "quantity": Decimal(str(quantity)),
        "authors": authors,
        "lead": bool(lead),
        "occurred_on": occurred_on,
    }
    with transaction.atomic():
        fact, _created = DutyFact.objects.update_or_create(
            member=member, kind=kind, content_type=content_type, object_id=object_id, defaults=values
        )
    return fact


def duty_facts_record_many(*, obj, kinds, facts) -> int:
    """Record many members' facts of one object at once (a plenary's sign-in list of 300 members): the facts
    of `obj` of these `kinds` held by the members named in `facts` are replaced by `facts`, in one DELETE and one
    INSERT. `facts`: (member_id, kind, quantity, occurred_on) for each member, each kind among `kinds` and
    declared; a quantity of 0 records nothing. The same rows `duty_fact_record` writes one at a time (one fact
    per member, kind and object; authors 1, lead). Returns how many facts were written."""
    kinds = list(kinds)
    for kind in kinds:
        _check_kind(kind)
    content_type, object_id = _object_key(obj)
    rows = []
    for member_id, kind, quantity, occurred_on in facts:
        if kind not in kinds:
            raise ValueError(f"duty fact kind {kind!r} is not among {kinds!r}")
        rows.append((int(member_id), kind, Decimal(str(quantity)), occurred_on))
    members = {member_id for member_id, *_rest in rows}
    committee_ids = dict(Member.objects.filter(pk__in=members).values_list("pk", "committee_id"))
    if set(committee_ids) != members:
        raise ValueError("a duty fact needs a member")
    with transaction.atomic():
        DutyFact.objects.filter(content_type=content_type, object_id=object_id, kind__in=kinds,
                                member_id__in=members).delete()
        made = DutyFact.objects.bulk_create([
            DutyFact(committee_id=committee_ids[member_id], member_id=member_id, kind=kind, content_type=content_type,
                     object_id=object_id, quantity=quantity, authors=1, lead=True,
                     occurred_on=occurred_on.date() if isinstance(occurred_on, datetime.datetime) else occurred_on)
            for member_id, kind, quantity, occurred_on in rows if quantity])
    return len(made)


def duty_fact_remove(*, member: Member, kind: str, obj) -> int:
    """Remove the fact of (member, kind, obj), if there is one; returns how many rows went (0 or 1)."""
    content_type, object_id = _object_key(obj)
    deleted, _ = DutyFact.objects.filter(
        member=member, kind=kind, content_type=content_type, object_id=object_id
    ).delete()
    return deleted


def duty_facts_clear(*, obj, kinds=None, keep_members=None) -> int:
    """Remove the facts of `obj` (of these `kinds` only, when given; except those of `keep_members`, a list of
    member ids, when given); returns how many rows went. For a service whose object lost (some of) its credit."""
    content_type, object_id = _object_key(obj)
    rows = DutyFact.objects.filter(content_type=content_type, object_id=object_id)
    if kinds is not None:
        rows = rows.filter(kind__in=list(kinds))
    if keep_members is not None:
        rows = rows.exclude(member_id__in=list(keep_members))
    deleted, _ = rows.delete()
    return deleted


# --- Selectors ------------------------------------------------------------------------------------


def _in_year(rows: QuerySet, year) -> QuerySet:
    if year in (None, ""):
        return rows
    year = int(year)
    # a range on the date (not occurred_on__year on every backend's own terms): uses the (member, day) index
    return rows.filter(occurred_on__gte=datetime.date(year, 1, 1), occurred_on__lte=datetime.date(year, 12, 31))


def duty_facts_of(member: Member, year: int | None = None) -> QuerySet[DutyFact]:
    """The facts of one member (of one calendar year, when given), newest first."""
    return _in_year(DutyFact.objects.filter(member=member), year).order_by("-occurred_on", "-id")


def duty_facts_of_object(obj) -> QuerySet[DutyFact]:
    """The facts recorded for one object (every member, every kind)."""
    content_type, object_id = _object_key(obj)
    return DutyFact.objects.filter(content_type=content_type, object_id=object_id).order_by("member_id", "kind")


def duty_facts_of_user(user, committee=None, year: int | None = None) -> QuerySet[DutyFact]:
    """The facts of the signed-in user's own member rows (in one committee, when given), newest first.

    Only the user's own facts: nobody else's can come out of this selector."""
    if user is None or not getattr(user, "is_authenticated", False):
        return DutyFact.objects.none()
    rows = DutyFact.objects.filter(member__user=user)
    if committee is not None:
        rows = rows.filter(committee_id=getattr(committee, "pk", committee))
    return _in_year(rows, year).order_by("-occurred_on", "-id")


def kind_label(kind: str) -> str:
    """The declared label of a kind (the kind itself when no app declares it any more)."""
    label = registry.duty_kinds().get(kind)
    return str(label) if label is not None else kind


def with_objects(facts) -> list[DutyFact]:
    """The facts as a list, each with `target_title` (str of its object, "" when the object is gone) and
    `target_kind` ("proposals.proposal" …): one query per kind of object, whatever the number of facts."""
    facts = list(facts)
    wanted: dict[int, set[int]] = {}
    for fact in facts:
        wanted.setdefault(fact.content_type_id, set()).add(fact.object_id)
    titles: dict[tuple[int, int], str] = {}
    kinds: dict[int, str] = {}
    for ct_id, ids in wanted.items():
        content_type = ContentType.objects.get_for_id(ct_id)  # cached per process
        kinds[ct_id] = f"{content_type.app_label}.{content_type.model}"
        model = content_type.model_class()
        if model is None:
            continue
        for obj in model._base_manager.filter(pk__in=ids):
            titles[(ct_id, obj.pk)] = str(obj)
    for fact in facts:
        fact.target_kind = kinds.get(fact.content_type_id, "")
        fact.target_title = titles.get((fact.content_type_id, fact.object_id), "")
    return facts
