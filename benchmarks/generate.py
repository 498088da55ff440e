"""Generate a large, realistic data set for the benchmarks: many committees, each with its units,
members, proposals in every state, assignments, replies, evaluations and audit events.

    python benchmarks/generate.py --proposals 100000 [--committees 40] [--prefix bench]

Bulk inserts through the ORM (no services: this is data, not behaviour), in batches, so 100,000
proposals take a few minutes on SQLite and PostgreSQL alike. The first committee is a large one
(national level, `--big-share` of all proposals, 10% by default): the list, statistics and export
benchmarks read it, as the busiest office would. Every committee has three sessions (2024–2026, the
last one current), 12 sectors, 40 handling units (one unit user each), members with the member
role, one office-staff user and one leader.

Re-running with the same prefix first removes that prefix's committees and everything in them
(raw deletes: audit events included, which only this script and the test suite may do).
Prints a table and a final JSON line.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xieshang.settings")

import django  # noqa: E402

django.setup()

from django.contrib.contenttypes.models import ContentType  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from xieshang.core.models import (  # noqa: E402
    Committee,
    Event,
    HandlingUnit,
    Member,
    RoleAssignment,
    Sector,
    Session,
    Term,
    User,
)
from xieshang.proposals import search  # noqa: E402
from xieshang.proposals.models import (  # noqa: E402
    Assignment,
    Category,
    Evaluation,
    Proposal,
    Reply,
)

BATCH = 2000
YEARS = (2024, 2025, 2026)
SUBJECTS = [
    "关于加快发展数字农业的建议", "关于推进番茄产业链延链补链的建议", "关于做强粮油精深加工的建议",
    "关于促进葡萄酒产业高质量发展的建议", "关于培育硅基新材料产业集群的建议", "关于完善铝基新材料配套的建议",
    "关于发展普惠托育服务的建议", "关于推进医养结合的建议", "关于加强基层医疗卫生服务能力的建议",
    "关于优化法治化营商环境的建议", "关于推进义务教育优质均衡发展的建议", "关于加强农村人居环境整治的建议",
]
STATE_MIX = [  # (state, weight): a year that is mostly done, as the statistics expect
    ("closed", 50), ("replied", 10), ("handling", 12), ("assigned", 4), ("registered", 3),
    ("submitted", 4), ("draft", 3), ("merged", 3), ("converted", 4), ("rejected", 2),
    ("withdrawn", 1), ("archived", 4),
]
HANDLED = {"assigned", "handling", "replied", "closed", "archived"}
REPLIED = {"replied", "closed", "archived"}
NUMBERED = HANDLED | {"registered", "merged", "converted"}

# Tables holding rows of a prefix's committees, children first (raw deletes, no Python cascade).
_PROPOSAL_CHILDREN = [
    "proposals_evaluation", "proposals_reply", "proposals_counitview", "proposals_handlingconsultation",
    "proposals_extensionrequest",
]


def weighted_states(rng: random.Random, n: int) -> list[str]:
    states, weights = zip(*STATE_MIX)
    return rng.choices(states, weights=weights, k=n)


def _table(model) -> str:
    return model._meta.db_table


def remove_prefix(prefix: str) -> int:
    """Delete the prefix's committees and all their rows with plain SQL (fast at a million rows)."""
    ids = list(Committee.objects.filter(code__startswith=f"{prefix}-").values_list("pk", flat=True))
    if not ids:
        return 0
    from django.apps import apps

    from xieshang.core.audit import allow_purge

    cids = ",".join(map(str, ids))
    in_props = f"SELECT id FROM proposals_proposal WHERE committee_id IN ({cids})"
    in_assign = f"SELECT id FROM proposals_assignment WHERE proposal_id IN ({in_props})"
    in_users = (
        f"SELECT user_id FROM core_member WHERE committee_id IN ({cids}) "
        f"UNION SELECT user_id FROM core_roleassignment WHERE committee_id IN ({cids})"
    )
    statements = [
        f"DELETE FROM proposals_evaluation WHERE proposal_id IN ({in_props})",
        f"DELETE FROM proposals_reply WHERE proposal_id IN ({in_props})",
        f"DELETE FROM proposals_counitview WHERE assignment_id IN ({in_assign})",
        f"DELETE FROM proposals_handlingconsultation WHERE assignment_id IN ({in_assign})",
        f"DELETE FROM proposals_extensionrequest WHERE assignment_id IN ({in_assign})",
        f"DELETE FROM proposals_assignment WHERE proposal_id IN ({in_props})",
        f"DELETE FROM proposals_cosigner WHERE proposal_id IN ({in_props})",
        f"DELETE FROM proposals_supervision WHERE proposal_id IN ({in_props})",
        f"DELETE FROM core_event WHERE committee_id IN ({cids}) OR actor_id IN ({in_users})",
        f"DELETE FROM core_attachment WHERE committee_id IN ({cids})",
        f"DELETE FROM core_delivery WHERE notification_id IN "
        f"(SELECT id FROM core_notification WHERE committee_id IN ({cids}) OR recipient_id IN ({in_users}))",
        f"DELETE FROM core_notification WHERE committee_id IN ({cids}) OR recipient_id IN ({in_users})",
        f"DELETE FROM proposals_proposal WHERE committee_id IN ({cids})",
        f"DELETE FROM api_apitoken WHERE user_id IN ({in_users})",
        "CREATE TEMPORARY TABLE bench_users AS " + in_users,
        f"DELETE FROM core_roleassignment WHERE committee_id IN ({cids})",
        f"DELETE FROM core_member_special_committees WHERE member_id IN (SELECT id FROM core_member WHERE committee_id IN ({cids}))",
        f"DELETE FROM core_member WHERE committee_id IN ({cids})",
        "DELETE FROM core_user WHERE id IN (SELECT user_id FROM bench_users)",
        "DROP TABLE bench_users",
    ]
    for model in (HandlingUnit, Sector, apps.get_model("core", "Organization"), apps.get_model("core", "SpecialCommittee"),
                  apps.get_model("core", "TimerSetting"), apps.get_model("core", "Holiday")):
        statements.append(f"DELETE FROM {_table(model)} WHERE committee_id IN ({cids})")
    statements += [
        f"DELETE FROM core_session WHERE term_id IN (SELECT id FROM core_term WHERE committee_id IN ({cids}))",
        f"DELETE FROM core_term WHERE committee_id IN ({cids})",
        f"DELETE FROM core_committee WHERE id IN ({cids})",
    ]
    with transaction.atomic():
        connection.ensure_connection()
        allow_purge(connection, True)
        try:
            with connection.cursor() as cursor:
                for sql in statements:
                    cursor.execute(sql)
        finally:
            allow_purge(connection, False)
    return len(ids)


class _Timestamps:
    """Let bulk_create keep the generated creation times (auto_now_add would stamp them all `now`)."""

    FIELDS = [(Proposal, "created_at"), (Event, "created_at")]

    def __enter__(self):
        for model, name in self.FIELDS:
            model._meta.get_field(name).auto_now_add = False

    def __exit__(self, *exc):
        for model, name in self.FIELDS:
            model._meta.get_field(name).auto_now_add = True


def _bulk(model, objs):
    return model.objects.bulk_create(objs, batch_size=BATCH)


def generate(n_proposals: int, n_committees: int, prefix: str, seed: int = 7, big_share: float = 0.1,
             members: int = 0) -> dict:
    rng = random.Random(seed)
    started = time.perf_counter()
    timings: dict[str, float] = {}
    removed = remove_prefix(prefix)
    timings["clean"] = time.perf_counter() - started
    now = timezone.now()
    tz = timezone.get_current_timezone()
    big = max(1, int(n_proposals * big_share)) if n_committees > 1 else n_proposals
    rest = n_proposals - big
    shares = [big] + [rest // (n_committees - 1) + (1 if i < rest % (n_committees - 1) else 0) for i in range(n_committees - 1)]

    t = time.perf_counter()
    committees = _bulk(Committee, [
        Committee(code=f"{prefix}-{i:04d}", name=f"基准测试政协{i:04d}", level="national" if i == 0 else "county")
        for i in range(n_committees)
    ])
    terms = _bulk(Term, [Term(committee=c, number=13, start_year=2023, end_year=2027, is_current=True) for c in committees])
    sessions = _bulk(Session, [
        Session(term=term, number=k + 2, year=year, opens_on=datetime.date(year, 1, 10), closes_on=datetime.date(year, 1, 14),
                is_current=(year == YEARS[-1]))
        for term in terms for k, year in enumerate(YEARS)
    ])
    sessions_by_c: dict[int, list[Session]] = {}
    for s in sessions:
        sessions_by_c.setdefault(s.term.committee_id, []).append(s)
    sectors = _bulk(Sector, [Sector(committee=c, name=f"界别{k:02d}") for c in committees for k in range(12)])
    sectors_by_c: dict[int, list[Sector]] = {}
    for s in sectors:
        sectors_by_c.setdefault(s.committee_id, []).append(s)
    units = _bulk(HandlingUnit, [HandlingUnit(committee=c, name=f"测试局{k:02d}") for c in committees for k in range(40)])
    units_by_c: dict[int, list[HandlingUnit]] = {}
    for u in units:
        units_by_c.setdefault(u.committee_id, []).append(u)
    members_per = [members or max(20, min(300, share // 3)) for share in shares]
    member_users = _bulk(User, [
        User(username=f"{c.code}-m{k}", full_name=f"委员{k}", password="!")
        for i, c in enumerate(committees) for k in range(members_per[i])
    ])
    members, offset = [], 0
    for i, c in enumerate(committees):
        for k in range(members_per[i]):
            members.append(Member(committee=c, user=member_users[offset + k], name=f"委员{k}", term=terms[i],
                                  sector=rng.choice(sectors_by_c[c.pk])))
        offset += members_per[i]
    members = _bulk(Member, members)
    members_by_c: dict[int, list[Member]] = {}
    for m in members:
        members_by_c.setdefault(m.committee_id, []).append(m)
    staff_users = _bulk(User, [User(username=f"{c.code}-staff", full_name="办公人员", password="!") for c in committees])
    leader_users = _bulk(User, [User(username=f"{c.code}-leader", full_name="分管领导", password="!") for c in committees])
    unit_users = _bulk(User, [User(username=f"{c.code}-u{k:02d}", full_name=f"承办员{k:02d}", password="!")
                              for c in committees for k in range(40)])
    roles = [RoleAssignment(committee=c, user=u, role="staff") for c, u in zip(committees, staff_users)]
    roles += [RoleAssignment(committee=c, user=u, role="leader") for c, u in zip(committees, leader_users)]
    roles += [RoleAssignment(committee_id=m.committee_id, user_id=m.user_id, role="member") for m in members]
    roles += [RoleAssignment(committee_id=u.committee_id, user=uu, role="unit", handling_unit=u) for u, uu in zip(units, unit_users)]
    _bulk(RoleAssignment, roles)
    timings["organisation"] = time.perf_counter() - t

    counts = {"proposals": 0, "assignments": 0, "replies": 0, "evaluations": 0, "events": 0}
    proposal_ct = ContentType.objects.get_for_model(Proposal)
    t = time.perf_counter()
    with _Timestamps():
        for ci, committee in enumerate(committees):
            count = shares[ci]
            c_sessions = sessions_by_c[committee.pk]
            c_units = units_by_c[committee.pk]
            c_members = members_by_c[committee.pk]
            seq = {s.pk: 0 for s in c_sessions}
            for start in range(0, count, BATCH):
                size = min(BATCH, count - start)
                made = _make_batch(rng, committee, c_sessions, c_units, c_members, seq, size, now, tz, proposal_ct)
                for key in counts:
                    counts[key] += made[key]
    timings["proposals"] = time.perf_counter() - t
    t = time.perf_counter()
    # the text search index (what the services write with each proposal): the new proposals, and the
    # removal of the documents of proposals deleted above
    search.reindex(stale_only=True)
    timings["search_index"] = time.perf_counter() - t
    t = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    timings["analyze"] = time.perf_counter() - t
    timings["total"] = time.perf_counter() - started
    return {"database": connection.vendor, "committees": n_committees, "removed_committees": removed,
            "big_committee": committees[0].code, "big_committee_proposals": shares[0], **counts,
            "seconds": {k: round(v, 1) for k, v in timings.items()},
            "proposals_per_second": round(counts["proposals"] / max(timings["proposals"], 1e-9))}


def _make_batch(rng, committee, c_sessions, c_units, c_members, seq, size, now, tz, proposal_ct) -> dict:
    states = weighted_states(rng, size)
    plain, merged = [], []
    for state in states:
        session = rng.choice(c_sessions)
        member = rng.choice(c_members)
        created = datetime.datetime(session.year, 1, 5, 9, tzinfo=tz) + datetime.timedelta(
            days=rng.randint(0, 300), minutes=rng.randint(0, 600))
        created = min(created, now - datetime.timedelta(days=1))
        if session.year == YEARS[-1] and state in REPLIED and rng.random() < 0.5:
            state = "handling"  # this year's session is still being handled
        number = sequence = None
        if state in NUMBERED:
            seq[session.pk] += 1
            sequence = seq[session.pk]
            number = f"13-{session.number}-{sequence:04d}"
        submitted = None if state == "draft" else created + datetime.timedelta(hours=2)
        p = Proposal(
            committee=committee, session=session, state=state, number=number, sequence=sequence,
            kind="session" if rng.random() < 0.8 else "interim",
            title=rng.choice(SUBJECTS), body="建议内容。" * rng.randint(20, 80),
            category=rng.choice(Category.values), lead_proposer=member,
            sector_name=member.sector.name if member.sector_id and state != "draft" else "",
            created_by_id=member.user_id, created_at=created, submitted_at=submitted,
            registered_at=created + datetime.timedelta(days=5) if state in NUMBERED else None,
            assigned_at=created + datetime.timedelta(days=8) if state in HANDLED else None,
            is_key=state in HANDLED and rng.random() < 0.03,
            is_excellent=state in REPLIED and rng.random() < 0.02,
            is_public=state in REPLIED and rng.random() < 0.3,
            converted_to="suggestion" if state == "converted" else "",
            reject_reason="not_in_scope" if state == "rejected" else "",
        )
        (merged if state == "merged" else plain).append(p)
    plain = _bulk(Proposal, plain)
    if plain and plain[0].pk is None:
        raise SystemExit("this database does not return primary keys from bulk_create")
    targets: dict[int, list[Proposal]] = {}
    for p in plain:
        if p.state in HANDLED or p.state == "registered":
            targets.setdefault(p.session_id, []).append(p)
    keep = []
    for p in merged:  # merged into a registered proposal of the same session (或 kept back as registered)
        candidates = targets.get(p.session_id)
        if candidates:
            p.merged_into = rng.choice(candidates)
            keep.append(p)
    merged = _bulk(Proposal, keep)
    proposals = plain + merged
    assignments, events = [], []
    for p in proposals:
        if p.submitted_at:
            events.append(Event(committee=committee, action="proposal.submit", content_type=proposal_ct, created_at=p.submitted_at,
                                object_id=str(p.pk), object_repr=p.title[:200], from_state="draft", to_state="submitted"))
        if p.state not in HANDLED:
            continue
        chosen = rng.sample(c_units, k=rng.choice((1, 1, 1, 2, 3)))
        for k, unit in enumerate(chosen):
            role = "sole" if len(chosen) == 1 else ("lead" if k == 0 else "co")
            assigned = p.assigned_at.date()
            due = assigned + datetime.timedelta(days=90)
            a_state = "replied" if p.state in REPLIED else ("handling" if p.state == "handling" else "assigned")
            assignments.append(Assignment(
                proposal=p, unit=unit, role=role, state=a_state, assigned_at=p.assigned_at,
                objection_due=assigned + datetime.timedelta(days=7), due_date=due, original_due_date=due,
                acknowledged_at=p.assigned_at if a_state != "assigned" else None,
            ))
        events.append(Event(committee=committee, action="proposal.assign", content_type=proposal_ct, created_at=p.assigned_at,
                            object_id=str(p.pk), object_repr=p.title[:200], from_state="registered", to_state="assigned"))
    assignments = _bulk(Assignment, assignments)
    replies = []
    for a in assignments:
        if a.state == "replied" and a.role != "co":
            replied = a.assigned_at + datetime.timedelta(days=rng.randint(20, 110))
            replies.append(Reply(
                assignment=a, proposal=a.proposal, outcome=rng.choices(["adopted", "planned", "explained"], [60, 30, 10])[0],
                text="答复内容。" * 30, replied_by_id=a.proposal.created_by_id, replied_at=replied,
                is_on_time=replied.date() <= a.due_date,
            ))
    replies = _bulk(Reply, replies)
    evaluations = []
    for r in replies:
        if r.proposal.state in {"closed", "archived"} or rng.random() < 0.5:
            evaluations.append(Evaluation(
                reply=r, proposal=r.proposal,
                verdict=rng.choices(["satisfied", "basically_satisfied", "dissatisfied"], [80, 17, 3])[0],
                evaluated_by_id=r.proposal.created_by_id, evaluated_at=r.replied_at + datetime.timedelta(days=10),
            ))
        events.append(Event(committee=committee, action="proposal.reply", content_type=proposal_ct, created_at=r.replied_at,
                            object_id=str(r.proposal_id), object_repr="", from_state="handling", to_state="replied"))
    _bulk(Evaluation, evaluations)
    _bulk(Event, events)
    return {"proposals": len(proposals), "assignments": len(assignments), "replies": len(replies),
            "evaluations": len(evaluations), "events": len(events)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--proposals", type=int, default=int(os.environ.get("BENCH_SIZE", "10000")))
    parser.add_argument("--committees", type=int, default=0, help="default: one per 2,500 proposals, at least 4")
    parser.add_argument("--big-share", type=float, default=0.1, help="share of all proposals in the first (large) committee")
    parser.add_argument("--prefix", default="bench")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--members", type=int, default=0, help="members per committee (default: a third of its proposals, 20–300)")
    args = parser.parse_args()
    n_committees = args.committees or max(4, args.proposals // 2500)
    result = generate(args.proposals, n_committees, args.prefix, seed=args.seed, big_share=args.big_share, members=args.members)
    print(f"{'database':<16}{result['database']}")
    for key in ("committees", "big_committee_proposals", "proposals", "assignments", "replies", "evaluations", "events"):
        print(f"{key:<24}{result[key]:>12,}")
    for key, value in result["seconds"].items():
        print(f"{'seconds ' + key:<24}{value:>12,.1f}")
    print(f"{'proposals per second':<24}{result['proposals_per_second']:>12,}")
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
