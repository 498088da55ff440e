"""Every read of the members app that depends on who asks: the permission chokepoint.

- The rules of a year (`duty_rules_get`): office staff and administrators of the committee; anyone else 404.
- A member's duty (`member_duty`): the member themself, and the committee's staff, administrators and leaders;
  anyone else 404 (the same answer as a member that does not exist).
- The try-out (`duty_evaluate`): office staff and administrators (403 for others: nothing is hidden, it reads
  only what the caller sends).
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal

from django.utils.translation import gettext as _

from xieshang.core import duty
from xieshang.core.errors import Forbidden, Invalid, NotFound
from xieshang.core.models import DutyFact, Member, Role
from xieshang.core.selectors import roles_of
from xieshang.core.workflow import as_id

from . import rules, scoring
from .models import YEAR_MAX, YEAR_MIN, DutyRuleSet

OFFICE_ROLES = {Role.STAFF, Role.ADMIN}
READER_ROLES = {Role.STAFF, Role.ADMIN, Role.LEADER}
# A year without rules: no band, nothing scored (the document GET answers with version 0).
EMPTY_DOCUMENT = {"base": 0, "bands": [], "categories": []}


def is_office(user, committee) -> bool:
    return bool(roles_of(user, committee) & OFFICE_ROLES)


def check_year(year) -> int:
    """The year as an int, or NotFound for one no rule set can have."""
    year = as_id(year)
    if year is None or not YEAR_MIN <= year <= YEAR_MAX:
        raise NotFound()
    return year


def duty_rules_get(user, committee, year) -> DutyRuleSet:
    """The rule set of `year` in `committee` for the office; an unsaved one (version 0, empty document) when the
    year has none yet. NotFound for anyone else or a year out of range."""
    year = check_year(year)
    if committee is None or not is_office(user, committee):
        raise NotFound()
    row = DutyRuleSet.objects.filter(committee=committee, year=year).select_related("updated_by").first()
    return row or DutyRuleSet(committee=committee, year=year, document=dict(EMPTY_DOCUMENT), version=0)


def event_label(action: str):
    """The timeline's name of the app's audit events (Declarations.event_labels)."""
    return {"duty_rules.put": _("scoring rules saved"), "duty_fact.add": _("duty fact added by hand"),
            "duty_fact.remove": _("duty fact added by hand withdrawn"),
            "duty_fact.query": _("duty fact queried"), "duty_score.adjust": _("score adjusted"),
            "duty_alert.setting": _("alert date set"), "duty_alert.remind": _("reminders sent"),
            "duty_procedure.record": _("non-performance procedure step recorded"), "course.save": _("course saved"),
            "course.enrol": _("members enrolled"), "course.attendance": _("attendance recorded")}.get(action)


# --- A member's duty -----------------------------------------------------------------------------------


@dataclasses.dataclass
class Duty:
    """A member's year: the facts of the ledger (oldest first), what they count as, and the score (None
    without rules)."""

    member: Member | None
    year: int | None
    facts: list
    result: scoring.Result | None
    unmapped: list[str]
    rules_version: int | None = None
    adjustments: list = dataclasses.field(default_factory=list)
    score: ScoreRow | None = None  # the total with the adjustments, the band and the ranks (None without rules)
    queries: list = dataclasses.field(default_factory=list)
    attachments: dict = dataclasses.field(default_factory=dict)  # ManualFact id → its attachments
    steps: list = dataclasses.field(default_factory=list)  # the non-performance procedure of the year (readers)


def member_get(user, member_id) -> Member:
    """A member the user may see the duty of: themself, or any member of a committee where the user is staff,
    an administrator or a leader. NotFound otherwise."""
    pk = as_id(member_id)
    member = Member.objects.filter(pk=pk).select_related("committee").first() if pk else None
    if member is None or user is None or not getattr(user, "is_authenticated", False):
        raise NotFound()
    if member.user_id != user.pk and not (roles_of(user, member.committee) & READER_ROLES):
        raise NotFound()
    return member


def ledger_facts(member: Member, year: int) -> list[DutyFact]:
    """The member's ledger facts of the year, oldest first (the order `after` counts in), with their objects."""
    rows = duty.duty_facts_of(member, year).order_by("occurred_on", "id")
    return duty.with_objects(rows)


def member_duty(user, member_id, year, table: ScoreTable | None = None) -> Duty:
    """The member's year (see Duty); `table`: the committee's score table of the year when the caller has it."""
    member = member_get(user, member_id)
    year = check_year(year)
    facts = ledger_facts(member, year)
    mapped, unmapped = scoring.from_ledger(facts)
    row = DutyRuleSet.objects.filter(committee_id=member.committee_id, year=year).only("document", "version").first()
    result = scoring.compute(rules.parse(row.document), mapped) if row is not None else None
    from .models import FactQuery

    queries = list(FactQuery.objects.filter(member=member).order_by("-asked_at", "-id")[:50])
    score = (table or score_table(member.committee, year)).row_of(member.pk) if row is not None else None
    return Duty(member=member, year=year, facts=facts, result=result, unmapped=unmapped,
                rules_version=row.version if row is not None else None,
                adjustments=member_adjustments(member, year), score=score, queries=queries,
                attachments=_hand_attachments(facts), steps=_steps(user, member, year))


def _hand_attachments(facts) -> dict:
    """The attachments of the facts added by hand among `facts`, by ManualFact id (one query, none without)."""
    from django.contrib.contenttypes.models import ContentType

    from xieshang.core.models import Attachment

    from .models import ManualFact

    ids = [str(f.object_id) for f in facts if f.kind.startswith(rules.MANUAL_PREFIX)]
    if not ids:
        return {}
    out: dict[int, list] = {}
    for row in Attachment.objects.filter(content_type=ContentType.objects.get_for_model(ManualFact),
                                         object_id__in=ids).order_by("id"):
        out.setdefault(int(row.object_id), []).append(row)
    return out


def _steps(user, member, year) -> list:
    """The non-performance procedure of the year, for the committee's office, administrators and leaders."""
    from .models import ProcedureStep

    if not (roles_of(user, member.committee) & READER_ROLES):
        return []
    return list(ProcedureStep.objects.filter(member=member, year=year).order_by("id"))


# --- The try-out ---------------------------------------------------------------------------------------


def parse_document(document, prefix: str = "") -> rules.Rules:
    """The rules of a document, or Invalid (422) with each problem under its place (after `prefix`)."""
    try:
        return rules.parse(document)
    except rules.RulesInvalid as exc:
        raise invalid_rules(exc, prefix) from None


def invalid_rules(exc: rules.RulesInvalid, prefix: str = "") -> Invalid:
    fields: dict[str, list[str]] = {}
    for problem in exc.problems:
        place = ".".join(p for p in (prefix, problem.place) if p) or "__all__"
        fields.setdefault(place, []).append(problem.message)
    return Invalid(_("The rules do not hold: %(problem)s") % {"problem": exc.problems[0]}, field_errors=fields)


def try_out_facts(raw_facts) -> tuple[list[scoring.Fact], list[str]]:
    """Facts typed into the try-out: each kind of the vocabulary, or a ledger kind (counted as it maps)."""
    from decimal import Decimal

    facts: list[scoring.Fact] = []
    fields: dict[str, list[str]] = {}
    for index, raw in enumerate(raw_facts):
        kind = raw["kind"]
        kinds = (kind,) if kind in rules.KINDS else rules.LEDGER_MAP.get(kind, ())
        if not kinds:
            fields[f"facts[{index}].kind"] = [_("unknown fact kind “%(kind)s”") % {"kind": kind[:40]}]
            continue
        for k in kinds:
            facts.append(scoring.Fact(kind=k, quantity=Decimal(str(raw.get("quantity", 1))),
                                      authors=int(raw.get("authors", 1)), lead=bool(raw.get("lead", True))))
    if fields:
        raise Invalid(_("Some of the facts are not valid."), field_errors=fields)
    return facts, []


def duty_evaluate(user, committee, document, raw_facts, prefix: str = "") -> Duty:
    """What `document` (a draft rule set) gives for a sample year of `raw_facts` ({kind, quantity, authors,
    lead}): the office only (Forbidden otherwise); Invalid with the places of bad rules (after `prefix`) or facts."""
    if committee is None or not is_office(user, committee):
        raise Forbidden()
    parsed = parse_document(document, prefix)
    facts, unmapped = try_out_facts(raw_facts)
    return Duty(member=None, year=None, facts=list(raw_facts), result=scoring.compute(parsed, facts),
                unmapped=unmapped)


# --- The committee's score table and the rankings ---------------------------------------------------------


@dataclasses.dataclass
class ScoreRow:
    """One member's year in the score table: the computed total, the leaders' adjustments (their sum), the total
    with them and its band; ranks (1 = best, equal totals share a rank) in the committee, the sector and each
    special committee of the member (name, rank, of how many). Totals and ranks are None without rules."""

    member: Member
    computed: Decimal | None = None
    adjustment: Decimal = Decimal(0)
    total: Decimal | None = None
    band: str = ""
    rank: int | None = None
    sector_rank: int | None = None
    sector_size: int = 0
    special: list = dataclasses.field(default_factory=list)

    @property
    def sector_name(self) -> str:
        return self.member.sector.name if self.member.sector_id else ""

    @property
    def special_names(self) -> str:
        return "、".join(s.name for s in self.member.special_committees.all())


@dataclasses.dataclass
class ScoreTable:
    year: int
    rules: rules.Rules | None
    rules_version: int | None
    rows: list[ScoreRow]

    @property
    def bands(self) -> list[str]:
        """The band names, highest first."""
        if self.rules is None:
            return []
        return [b.name for b in sorted(self.rules.bands, key=lambda b: (b.min is None, -(b.min or 0)))]

    def row_of(self, member_id) -> ScoreRow | None:
        return next((row for row in self.rows if row.member.pk == member_id), None)


def _rank(rows: list[ScoreRow]) -> dict[int, int]:
    """Competition ranks by total, highest first (1, 2, 2, 4 …), of the rows with a total: {member id: rank}."""
    ranked = sorted((r for r in rows if r.total is not None), key=lambda r: -r.total)
    out, previous, rank = {}, None, 0
    for index, row in enumerate(ranked, start=1):
        if row.total != previous:
            rank, previous = index, row.total
        out[row.member.pk] = rank
    return out


def score_table(committee, year: int, until=None) -> ScoreTable:
    """Every active member of the committee with the year's score and ranks, in a fixed number of queries (the
    members, their special committees, the ledger's facts of the year, the rules, the adjustments). No
    permission check: callers are the selectors below and the exports."""
    from .models import ScoreAdjustment

    year = check_year(year)
    members = list(Member.objects.filter(committee=committee, is_active=True).select_related("sector")
                   .prefetch_related("special_committees").order_by("name", "id"))
    row = DutyRuleSet.objects.filter(committee=committee, year=year).only("document", "version").first()
    parsed = rules.parse(row.document) if row is not None else None
    adjustments: dict[int, Decimal] = {}
    for member_id, points in (ScoreAdjustment.objects.filter(committee=committee, year=year)
                              .values_list("member_id", "points")):
        adjustments[member_id] = adjustments.get(member_id, Decimal(0)) + points
    facts_of: dict[int, list] = {}
    if parsed is not None:
        facts = duty._in_year(DutyFact.objects.filter(committee=committee), year).order_by("occurred_on", "id")
        if until is not None:  # the score so far (the alerts' mid-year check)
            facts = facts.filter(occurred_on__lte=until)
        for fact in facts.values("member_id", "kind", "quantity", "authors", "lead"):
            facts_of.setdefault(fact["member_id"], []).append(fact)
    rows = []
    for member in members:
        score = ScoreRow(member=member, adjustment=adjustments.get(member.pk, Decimal(0)))
        if parsed is not None:
            mapped, _unmapped = scoring.from_ledger(facts_of.get(member.pk, []))
            score.computed = scoring.compute(parsed, mapped).total
            score.total = scoring.cents(score.computed + score.adjustment)
            score.band = parsed.band_for(score.total)
        rows.append(score)
    ranks = _rank(rows)
    by_sector: dict[int, list] = {}
    by_special: dict[int, tuple] = {}
    for score in rows:
        score.rank = ranks.get(score.member.pk)
        if score.member.sector_id:
            by_sector.setdefault(score.member.sector_id, []).append(score)
        for special in score.member.special_committees.all():
            by_special.setdefault(special.pk, (special, []))[1].append(score)
    for group in by_sector.values():
        group_ranks = _rank(group)
        for score in group:
            score.sector_rank, score.sector_size = group_ranks.get(score.member.pk), len(group)
    for special, group in by_special.values():
        group_ranks = _rank(group)
        for score in group:
            score.special.append((special.name, group_ranks.get(score.member.pk), len(group)))
    return ScoreTable(year=year, rules=parsed, rules_version=row.version if row is not None else None, rows=rows)


def committee_scores(user, committee, year) -> ScoreTable:
    """The score table for the committee's staff, administrators and leaders; NotFound for anyone else."""
    if committee is None or not (roles_of(user, committee) & READER_ROLES):
        raise NotFound()
    return score_table(committee, year)


def member_adjustments(member: Member, year: int) -> list:
    from .models import ScoreAdjustment

    return list(ScoreAdjustment.objects.filter(member=member, year=year).select_related("made_by").order_by("id"))


def is_leader(user, committee) -> bool:
    return Role.LEADER in roles_of(user, committee)


# --- Training ------------------------------------------------------------------------------------------------

COURSE_ROLES = {Role.STAFF, Role.ADMIN, Role.LEADER, Role.MEMBER}


def courses(user, committee, year):
    """The year's courses for the committee's office, leaders and members (NotFound for others), newest first,
    each with `enrolled` (how many) and `mine` (the user's own enrolment or None): three queries."""
    from django.db.models import Count

    from xieshang.core.selectors import member_of

    from .models import Course, Enrolment

    if committee is None or not (roles_of(user, committee) & COURSE_ROLES):
        raise NotFound()
    year = check_year(year)
    rows = list(Course.objects.filter(committee=committee, held_on__year=year)
                .annotate(enrolled=Count("enrolments")).order_by("-held_on", "-id"))
    member = member_of(user, committee)
    mine = {e.course_id: e for e in Enrolment.objects.filter(member=member, course__in=rows)} if member else {}
    for row in rows:
        row.mine = mine.get(row.pk)
    return rows


def course_get(user, committee, course_id):
    """A course of the committee with its enrolments (members' names): the office and leaders see all of them,
    a member only their own; NotFound for others."""
    from .models import Course

    if committee is None or not (roles_of(user, committee) & COURSE_ROLES):
        raise NotFound()
    pk = as_id(course_id)
    course = Course.objects.filter(pk=pk, committee=committee).first() if pk else None
    if course is None:
        raise NotFound()
    enrolments = course.enrolments.select_related("member")
    if not (roles_of(user, committee) & READER_ROLES):
        enrolments = enrolments.filter(member__user=user)
    course.enrolment_rows = list(enrolments)
    return course


QUERY_STATES = ("open", "answered", "all")
QUERY_PAGE = 50


def fact_queries(user, committee, *, state: str = "open", page: int = 1):
    """The members' queries about facts for the office (staff, administrators): `state` open
    (not yet answered, oldest first), answered (newest answer first) or all; pages of QUERY_PAGE, with the
    member and who answered in the same query (a Django Paginator page: one count and one row query). Anyone
    else: NotFound, as the page (the desk does not exist for them)."""
    from django.core.paginator import Paginator

    from .models import FactQuery

    if committee is None or not is_office(user, committee):
        raise NotFound()
    rows = FactQuery.objects.filter(committee=committee).select_related("member", "answered_by")
    if state == "open":
        rows = rows.filter(answered_at__isnull=True).order_by("asked_at", "id")
    elif state == "answered":
        rows = rows.filter(answered_at__isnull=False).order_by("-answered_at", "-id")
    else:
        rows = rows.order_by("-asked_at", "-id")
    return Paginator(rows, QUERY_PAGE).get_page(page)


def todos_for(user, committee) -> list[dict]:
    """The workbench line (Declarations.todos) of the office: members' queries about facts not yet answered
    (one count query)."""
    from django.urls import reverse

    from .models import FactQuery

    if committee is None or not getattr(user, "is_authenticated", False) or not is_office(user, committee):
        return []
    n = FactQuery.objects.filter(committee=committee, answered_at__isnull=True).count()
    if not n:
        return []
    return [{"label": _("Members' queries about duty facts to answer"), "count": n,
             "url": reverse("members:queries"), "urgent": False}]
