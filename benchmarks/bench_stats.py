"""The year's proposal statistics (reports/proposal_stats.py) against the equivalent hand-written SQL.

    python benchmarks/bench_stats.py --db sqlite|postgres --size 10000 [--repeat 5] [--year 2025]

Both compute every figure of `proposal_statistics` for the large committee (bench-0000) and one year:
the proposal totals, the final-reply totals, per unit, per category and per sector — six queries each.
The script checks that both give the same numbers, then reports the median time and the ratio
(target: the ORM at most 1.5× the SQL).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks import common  # noqa: E402

HANDLED = "('registered','assigned','handling','replied','closed','archived')"
ANSWERING = "('sole','lead','split')"
SCOPE = "p.committee_id = %s AND s.year = %s"
RECEIVED = "p.state NOT IN ('draft','cosigning') AND NOT (p.state = 'withdrawn' AND p.submitted_at IS NULL)"
REPLIED = f"""p.state IN {HANDLED}
  AND EXISTS (SELECT 1 FROM proposals_assignment a WHERE a.proposal_id = p.id AND a.role IN {ANSWERING} AND a.state <> 'cancelled')
  AND NOT EXISTS (SELECT 1 FROM proposals_assignment a WHERE a.proposal_id = p.id AND a.role IN {ANSWERING} AND a.state <> 'cancelled'
                  AND NOT EXISTS (SELECT 1 FROM proposals_reply r WHERE r.assignment_id = a.id))"""
PROPOSALS_SQL = f"""
SELECT COUNT(*) FILTER (WHERE {RECEIVED}),
       COUNT(*) FILTER (WHERE p.state IN ('submitted','returned')),
       COUNT(*) FILTER (WHERE p.state IN {HANDLED}),
       COUNT(*) FILTER (WHERE p.state = 'merged'),
       COUNT(*) FILTER (WHERE p.state = 'converted'),
       COUNT(*) FILTER (WHERE p.state = 'rejected'),
       COUNT(*) FILTER (WHERE p.state = 'withdrawn' AND p.submitted_at IS NOT NULL),
       COUNT(*) FILTER (WHERE {REPLIED}),
       COUNT(*) FILTER (WHERE p.state IN {HANDLED} AND p.is_key),
       COUNT(*) FILTER (WHERE p.state IN {HANDLED} AND p.is_excellent)
  FROM proposals_proposal p JOIN core_session s ON s.id = p.session_id
 WHERE {SCOPE}"""
PROPOSAL_KEYS = ["received", "under_review", "registered", "merged", "converted", "rejected", "withdrawn", "replied",
                 "key", "excellent"]
FINAL = f"""
  FROM proposals_reply r
  JOIN proposals_assignment a ON a.id = r.assignment_id
  JOIN proposals_proposal p ON p.id = r.proposal_id
  JOIN core_session s ON s.id = p.session_id
  LEFT JOIN proposals_evaluation e ON e.reply_id = r.id
 WHERE {SCOPE} AND p.state IN {HANDLED} AND a.role IN {ANSWERING} AND a.state <> 'cancelled'
   AND NOT EXISTS (SELECT 1 FROM proposals_reply r2 WHERE r2.assignment_id = r.assignment_id AND r2.round > r.round)"""
REPLY_COLUMNS = """COUNT(*),
       COUNT(*) FILTER (WHERE r.outcome = 'adopted'), COUNT(*) FILTER (WHERE r.outcome = 'planned'),
       COUNT(*) FILTER (WHERE r.outcome = 'explained'), COUNT(*) FILTER (WHERE r.is_on_time),
       COUNT(e.id), COUNT(*) FILTER (WHERE e.verdict = 'satisfied'),
       COUNT(*) FILTER (WHERE e.verdict = 'basically_satisfied'), COUNT(*) FILTER (WHERE e.verdict = 'dissatisfied'),
       COUNT(*) FILTER (WHERE e.id IS NULL)"""
REPLY_KEYS = ["replies", "outcome_a", "outcome_b", "outcome_c", "on_time", "evaluated", "satisfied", "basically_satisfied",
              "dissatisfied", "not_evaluated"]
REPLIES_SQL = f"SELECT {REPLY_COLUMNS} {FINAL}"
UNIT_REPLIES_SQL = f"SELECT a.unit_id, {REPLY_COLUMNS} {FINAL} GROUP BY a.unit_id"
UNIT_ASSIGNMENTS_SQL = f"""
SELECT u.id, u.name, COUNT(*), COUNT(*) FILTER (WHERE a.role IN {ANSWERING}), COUNT(*) FILTER (WHERE a.role = 'co')
  FROM proposals_assignment a JOIN core_handlingunit u ON u.id = a.unit_id
  JOIN proposals_proposal p ON p.id = a.proposal_id JOIN core_session s ON s.id = p.session_id
 WHERE {SCOPE} AND p.state IN {HANDLED} AND a.state <> 'cancelled'
 GROUP BY u.id, u.name"""
GROUP_SQL = f"""
SELECT p.{{field}}, COUNT(*) FILTER (WHERE {RECEIVED}) AS received, COUNT(*) FILTER (WHERE p.state IN {HANDLED}) AS registered,
       COUNT(*) FILTER (WHERE {REPLIED})
  FROM proposals_proposal p JOIN core_session s ON s.id = p.session_id
 WHERE {SCOPE}
 GROUP BY p.{{field}} HAVING COUNT(*) FILTER (WHERE {RECEIVED}) > 0
 ORDER BY registered DESC, received DESC, p.{{field}}"""


def hand_written(committee_id: int, year: int) -> dict:
    from django.db import connection

    args = [committee_id, year]
    with connection.cursor() as cursor:
        cursor.execute(PROPOSALS_SQL, args)
        out = dict(zip(PROPOSAL_KEYS, cursor.fetchone()))
        cursor.execute(REPLIES_SQL, args)
        out.update(zip(REPLY_KEYS, cursor.fetchone()))
        cursor.execute(UNIT_ASSIGNMENTS_SQL, args)
        units = {row[0]: {"unit": row[1], "assignments": row[2], "answering": row[3], "co": row[4]} for row in cursor.fetchall()}
        cursor.execute(UNIT_REPLIES_SQL, args)
        for row in cursor.fetchall():
            if row[0] in units:
                units[row[0]].update(zip(REPLY_KEYS, row[1:]))
        out["by_unit"] = units
        for field in ("category", "sector_name"):
            cursor.execute(GROUP_SQL.format(field=field), args)
            out[f"by_{field}"] = [(r[0] or "", r[1], r[2], r[3]) for r in cursor.fetchall()]
    return out


def same_figures(orm: dict, sql: dict) -> list[str]:
    diffs = [k for k in PROPOSAL_KEYS + REPLY_KEYS if orm[k] != sql[k]]
    units = {u["unit_id"]: u for u in orm["by_unit"]}
    if set(units) != set(sql["by_unit"]):
        diffs.append("by_unit: units")
    for uid, row in sql["by_unit"].items():
        for k in ("assignments", "answering", "co", "replies", "satisfied"):
            if units.get(uid, {}).get(k) != row.get(k, 0):
                diffs.append(f"by_unit {uid} {k}")
    for field, key in (("category", "by_category"), ("sector_name", "by_sector")):
        o = [(r["key"], r["received"], r["registered"], r["replied"]) for r in orm[key]]
        if o != sql[f"by_{field}"]:
            diffs.append(key)
    return diffs


def timed(fn, repeat: int) -> tuple[float, object]:
    result = fn()  # warm
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    common.add_common_args(parser)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--year", type=int, default=2025)
    args = parser.parse_args()
    common.setup(args.db, args.size)
    generated = common.prepare_data(args.db, args.size)

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from xieshang.core.models import Committee
    from xieshang.reports.proposal_stats import proposal_statistics

    rows = []
    result = {"bench": "stats", "db": args.db, "size": args.size, "year": args.year, "generated": generated, "committees": {}}
    for code in (f"{common.PREFIX}-0000", f"{common.PREFIX}-0001"):
        committee = Committee.objects.get(code=code)
        with CaptureQueriesContext(connection) as ctx:
            proposal_statistics(committee, year=args.year)
        orm_s, orm = timed(lambda: proposal_statistics(committee, year=args.year), args.repeat)
        sql_s, sql = timed(lambda: hand_written(committee.pk, args.year), args.repeat)
        diffs = same_figures(orm, sql)
        row = {"committee": code, "received": orm["received"], "queries": len(ctx.captured_queries),
               "orm_ms": round(orm_s * 1000, 1), "sql_ms": round(sql_s * 1000, 1),
               "ratio": round(orm_s / sql_s, 2) if sql_s else None, "same_figures": not diffs}
        rows.append(row)
        result["committees"][code] = {**row, "differences": diffs}
    common.print_table(f"Statistics of {args.year} on {args.db}, {args.size:,} proposals (median of {args.repeat})", rows,
                       ["committee", "received", "queries", "orm_ms", "sql_ms", "ratio", "same_figures"])
    result["ratio"] = rows[0]["ratio"]
    result["target_met"] = rows[0]["ratio"] is not None and rows[0]["ratio"] <= 1.5
    result["same_figures"] = all(r["same_figures"] for r in rows)
    result["machine"] = common.machine()
    print(f"\nthe large committee's statistics cost {rows[0]['ratio']}× the hand-written SQL (target ≤ 1.5)")
    common.emit(result, args.json_out)


if __name__ == "__main__":
    main()
