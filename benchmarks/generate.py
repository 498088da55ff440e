"""Generate a large, realistic data set for the benchmarks: many committees, each with its units,
members, proposals in every state, assignments, replies, evaluations and audit events.

    python benchmarks/generate.py --proposals 100000 [--committees 40] [--prefix bench]

Bulk inserts through the ORM (no services: this is data, not behaviour), in batches, so 100,000
proposals take a few minutes on SQLite and PostgreSQL alike. Re-running with the same prefix first
removes that prefix's committees (audit events are kept out of it: it writes none for removal).
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
from xieshang.proposals.models import (  # noqa: E402
    Assignment,
    Category,
    Evaluation,
    Proposal,
    Reply,
)

BATCH = 5000
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


def weighted_states(rng: random.Random, n: int) -> list[str]:
    states, weights = zip(*STATE_MIX)
    return rng.choices(states, weights=weights, k=n)


def remove_prefix(prefix: str) -> None:
    ids = list(Committee.objects.filter(code__startswith=f"{prefix}-").values_list("pk", flat=True))
    if not ids:
        return
    from xieshang.core.audit import allow_purge

    allow_purge(connection, True)
    with transaction.atomic():
        pids = Proposal.objects.filter(committee_id__in=ids).values_list("pk", flat=True)
        Evaluation.objects.filter(proposal__committee_id__in=ids).delete()
        Reply.objects.filter(proposal__committee_id__in=ids).delete()
        Assignment.objects.filter(proposal__committee_id__in=ids).delete()
        ct = ContentType.objects.get_for_model(Proposal)
        Event.objects.filter(committee_id__in=ids).delete() if False else None
        with connection.cursor() as cursor:
            cursor.execute(
                f"DELETE FROM {Event._meta.db_table} WHERE committee_id IN ({','.join(map(str, ids))})"
            )
        Proposal.objects.filter(pk__in=list(pids)).delete()
        RoleAssignment.objects.filter(committee_id__in=ids).delete()
        members = Member.objects.filter(committee_id__in=ids)
        user_ids = list(members.values_list("user_id", flat=True))
        members.delete()
        User.objects.filter(pk__in=user_ids).delete()
        HandlingUnit.objects.filter(committee_id__in=ids).delete()
        Sector.objects.filter(committee_id__in=ids).delete()
        Session.objects.filter(term__committee_id__in=ids).delete()
        Term.objects.filter(committee_id__in=ids).delete()
        Committee.objects.filter(pk__in=ids).delete()
        del ct
    allow_purge(connection, False)


def generate(n_proposals: int, n_committees: int, prefix: str, seed: int = 7) -> dict:
    rng = random.Random(seed)
    started = time.perf_counter()
    timings: dict[str, float] = {}
    remove_prefix(prefix)
    timings["clean"] = time.perf_counter() - started
    now = timezone.now()
    per_committee = max(1, n_proposals // n_committees)

    t = time.perf_counter()
    committees = Committee.objects.bulk_create(
        [Committee(code=f"{prefix}-{i:04d}", name=f"基准测试政协{i:04d}", level="county") for i in range(n_committees)]
    )
    if not committees[0].pk:  # SQLite before RETURNING support
        committees = list(Committee.objects.filter(code__startswith=f"{prefix}-").order_by("code"))
    terms = Term.objects.bulk_create(
        [Term(committee=c, number=13, start_year=2022, end_year=2026, is_current=True) for c in committees]
    )
    sessions = Session.objects.bulk_create(
        [Session(term=term, number=k + 3, year=2024 + k) for term in terms for k in range(3)]
    )
    sessions_by_c: dict[int, list[Session]] = {}
    for s in sessions:
        sessions_by_c.setdefault(s.term.committee_id, []).append(s)
    sectors = Sector.objects.bulk_create(
        [Sector(committee=c, name=f"界别{k}") for c in committees for k in range(12)]
    )
    sectors_by_c: dict[int, list[Sector]] = {}
    for s in sectors:
        sectors_by_c.setdefault(s.committee_id, []).append(s)
    units = HandlingUnit.objects.bulk_create(
        [HandlingUnit(committee=c, name=f"测试局{k:02d}") for c in committees for k in range(40)]
    )
    units_by_c: dict[int, list[HandlingUnit]] = {}
    for u in units:
        units_by_c.setdefault(u.committee_id, []).append(u)
    members_per = max(20, min(300, per_committee // 3))
    users = User.objects.bulk_create(
        [User(username=f"{prefix}-{c.code}-m{k}", full_name=f"委员{k}", password="!") for c in committees for k in range(members_per)],
        batch_size=BATCH,
    )
    members = Member.objects.bulk_create(
        [
            Member(
                committee=c, user=users[i * members_per + k], name=f"委员{k}", term=terms[i],
                sector=rng.choice(sectors_by_c[c.pk]),
            )
            for i, c in enumerate(committees)
            for k in range(members_per)
        ],
        batch_size=BATCH,
    )
    members_by_c: dict[int, list[Member]] = {}
    for m in members:
        members_by_c.setdefault(m.committee_id, []).append(m)
    staff_users = User.objects.bulk_create([User(username=f"{prefix}-{c.code}-staff", full_name="办公人员", password="!") for c in committees])
    RoleAssignment.objects.bulk_create(
        [RoleAssignment(committee=c, user=u, role="staff") for c, u in zip(committees, staff_users)]
    )
    timings["organisation"] = time.perf_counter() - t

    counts = {"proposals": 0, "assignments": 0, "replies": 0, "evaluations": 0, "events": 0}
    proposal_ct = ContentType.objects.get_for_model(Proposal)
    t = time.perf_counter()
    remaining = n_proposals
    for ci, committee in enumerate(committees):
        count = per_committee if ci < n_committees - 1 else remaining
        remaining -= count
        c_sessions = sessions_by_c[committee.pk]
        c_units = units_by_c[committee.pk]
        c_members = members_by_c[committee.pk]
        seq = {s.pk: 0 for s in c_sessions}
        for start in range(0, count, BATCH):
            size = min(BATCH, count - start)
            states = weighted_states(rng, size)
            batch = []
            for state in states:
                session = rng.choice(c_sessions)
                member = rng.choice(c_members)
                created = now - datetime.timedelta(days=rng.randint(1, 900))
                numbered = state in HANDLED or state in {"registered", "merged", "converted"}
                number = sequence = None
                if numbered:
                    seq[session.pk] += 1
                    sequence = seq[session.pk]
                    number = f"13-{session.number}-{sequence:04d}"
                batch.append(
                    Proposal(
                        committee=committee, session=session, state=state, number=number, sequence=sequence,
                        title=rng.choice(SUBJECTS), body="建议内容。" * rng.randint(20, 80),
                        category=rng.choice(Category.values), lead_proposer=member,
                        sector_name=member.sector.name if member.sector_id else "",
                        created_by_id=member.user_id, submitted_at=created if state != "draft" else None,
                        registered_at=created if numbered else None,
                        assigned_at=created if state in HANDLED else None,
                        is_key=rng.random() < 0.03, is_public=state in REPLIED and rng.random() < 0.3,
                    )
                )
            proposals = Proposal.objects.bulk_create(batch, batch_size=BATCH)
            if proposals[0].pk is None:
                raise SystemExit("this database does not return primary keys from bulk_create")
            assignments, events = [], []
            for p in proposals:
                events.append(Event(committee=committee, action="proposal.submit", content_type=proposal_ct,
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
                events.append(Event(committee=committee, action="proposal.assign", content_type=proposal_ct,
                                    object_id=str(p.pk), object_repr=p.title[:200], from_state="registered", to_state="assigned"))
            assignments = Assignment.objects.bulk_create(assignments, batch_size=BATCH)
            replies = []
            for a in assignments:
                if a.state == "replied" and a.role != "co":
                    replied = a.assigned_at + datetime.timedelta(days=rng.randint(20, 110))
                    replies.append(Reply(
                        assignment=a, proposal=a.proposal, outcome=rng.choices(["adopted", "planned", "explained"], [60, 30, 10])[0],
                        text="答复内容。" * 30, replied_by_id=a.proposal.created_by_id, replied_at=replied,
                        is_on_time=replied.date() <= a.due_date,
                    ))
            replies = Reply.objects.bulk_create(replies, batch_size=BATCH)
            evaluations = []
            for r in replies:
                if r.proposal.state in {"closed", "archived"} or rng.random() < 0.5:
                    evaluations.append(Evaluation(
                        reply=r, proposal=r.proposal,
                        verdict=rng.choices(["satisfied", "basically_satisfied", "dissatisfied"], [80, 17, 3])[0],
                        evaluated_by_id=r.proposal.created_by_id, evaluated_at=r.replied_at + datetime.timedelta(days=10),
                    ))
                events.append(Event(committee=committee, action="proposal.reply", content_type=proposal_ct,
                                    object_id=str(r.proposal_id), object_repr="", from_state="handling", to_state="replied"))
            Evaluation.objects.bulk_create(evaluations, batch_size=BATCH)
            Event.objects.bulk_create(events, batch_size=BATCH)
            counts["proposals"] += len(proposals)
            counts["assignments"] += len(assignments)
            counts["replies"] += len(replies)
            counts["evaluations"] += len(evaluations)
            counts["events"] += len(events)
    timings["proposals"] = time.perf_counter() - t
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    elif connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    timings["total"] = time.perf_counter() - started
    return {"database": connection.vendor, "committees": n_committees, **counts,
            "seconds": {k: round(v, 1) for k, v in timings.items()},
            "proposals_per_second": round(counts["proposals"] / max(timings["proposals"], 1e-9))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--proposals", type=int, default=int(os.environ.get("BENCH_PROPOSALS", "10000")))
    parser.add_argument("--committees", type=int, default=0, help="default: one per 2,500 proposals, at least 4")
    parser.add_argument("--prefix", default="bench")
    args = parser.parse_args()
    n_committees = args.committees or max(4, args.proposals // 2500)
    result = generate(args.proposals, n_committees, args.prefix)
    print(f"{'database':<14}{result['database']}")
    for key in ("committees", "proposals", "assignments", "replies", "evaluations", "events"):
        print(f"{key:<14}{result[key]:>12,}")
    print(f"{'seconds':<14}{result['seconds']}")
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
