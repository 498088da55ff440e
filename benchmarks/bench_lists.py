"""Requests per second of the main list pages and API lists, against two floors measured in the
same run: a bare Django page and a bare view running hand-written SQL for the same rows
(benchmarks/floor_urls.py). Also the queries per request at 10 and at 100 rows a page (a fixed
number of queries means the two are equal).

    python benchmarks/bench_lists.py --db sqlite|postgres --size 10000 [--seconds 5] [--concurrency 4]

The pages are loaded in turn, in `--rounds` slices of `--seconds / rounds` each, so that a busy spell
of the machine falls on the floors and the pages alike. "cost vs SQL" is floor rps / page rps: how many times more a request costs than the hand-written
one (target for the staff list: at most 2). The pages read the large committee (bench-0000).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks import common  # noqa: E402

PAGES = [
    # (name, path, who, floor it is compared with)
    ("bare Django page (floor)", "/_bench/bare/", "staff", None),
    ("hand-written SQL page (floor)", "/_bench/sql/list/", "staff", None),
    ("staff list /proposals/", "/proposals/", "staff", "sql"),
    ("staff list, page 20", "/proposals/?page=20", "staff", None),
    ("staff list, filtered+sorted", "/proposals/?state=handling&sort=number", "staff", None),
    ("staff list, text search", "/proposals/?q=%E6%95%B0%E5%AD%97", "staff", None),
    ("review queue", "/proposals/review/", "staff", None),
    ("unit inbox", "/proposals/unit/?tab=handling", "unit", None),
    ("member: my proposals", "/proposals/mine/", "member", None),
    ("hand-written SQL API (floor)", "/_bench/sql/api/", "token", None),
    ("API list /api/v1/proposals", "/api/v1/proposals", "token", "sql_api"),
]


def queries_per_request(path: str, cookie: str | None, token: str | None) -> dict:
    """Queries of one request at 10 and 100 rows a page (in-process, through the whole stack)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    out = {}
    for size in (10, 100):
        client = Client()
        headers = {}
        if cookie:
            name, value = cookie.split("=", 1)
            client.cookies[name] = value
        if token:
            headers["Authorization"] = f"Bearer {token}"
        sep = "&" if "?" in path else "?"
        target = path if path.startswith("/_bench/bare") else f"{path}{sep}page_size={size}"
        client.get(target, headers=headers)  # warm caches (timers, translations)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(target, headers=headers)
        if response.status_code != 200:
            raise SystemExit(f"{target} answered {response.status_code}")
        out[size] = len(ctx.captured_queries)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    common.add_common_args(parser)
    parser.add_argument("--seconds", type=float, default=5.0, help="load per page")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=5, help="the pages are loaded in turn, in this many slices each")
    parser.add_argument("--workers", type=int, default=None, help="gunicorn processes (default: as deployed, 2 × cores + 1)")
    parser.add_argument("--threads", type=int, default=1, help="threads per process (1: sync workers, as deployed)")
    args = parser.parse_args()
    env = common.setup(args.db, args.size)
    generated = common.prepare_data(args.db, args.size)

    from xieshang.core.models import Committee, Member
    from xieshang.proposals.models import Proposal

    committee = Committee.objects.get(code=f"{common.PREFIX}-0000")
    staff = common.user(f"{committee.code}-staff")
    unit_user = common.user(f"{committee.code}-u00")
    top = (Proposal.objects.filter(committee=committee).values("lead_proposer").order_by("lead_proposer").first())
    member = Member.objects.get(pk=top["lead_proposer"]).user
    cookies = {"staff": common.session_cookie(staff, committee.pk), "unit": common.session_cookie(unit_user, committee.pk),
               "member": common.session_cookie(member, committee.pk)}
    token = common.api_token(staff)
    rows_in_committee = Proposal.objects.filter(committee=committee).count()

    results = []
    for name, path, who, _floor in PAGES:
        q = queries_per_request(path, cookies.get(who), token if who == "token" else None)
        results.append({"page": name, "path": path, "who": who, "queries_10": q[10], "queries_100": q[100],
                        "fixed_queries": q[10] == q[100]})
    with common.Server(env, workers=args.workers, threads=args.threads) as server:
        targets = [(r["path"], {"Authorization": f"Bearer {token}"} if r["who"] == "token" else {"Cookie": cookies[r["who"]]})
                   for r in results]
        for r, figures in zip(results, common.load_interleaved(server.port, targets, args.seconds, args.concurrency,
                                                               args.rounds)):
            r.update(figures)
    by_path = {r["path"]: r for r in results}
    bare = by_path["/_bench/bare/"]["rps"]
    floors = {"sql": by_path["/_bench/sql/list/"]["rps"], "sql_api": by_path["/_bench/sql/api/"]["rps"]}
    for (name, path, who, floor), r in zip(PAGES, results):
        r["cost_vs_bare"] = round(bare / r["rps"], 2) if r["rps"] else None
        floor_rps = floors["sql_api"] if who == "token" else floors["sql"]
        r["cost_vs_sql"] = round(floor_rps / r["rps"], 2) if r["rps"] else None
    staff_ratio = by_path["/proposals/"]["cost_vs_sql"]
    api_ratio = by_path["/api/v1/proposals"]["cost_vs_sql"]
    common.print_table(
        f"List pages on {args.db}, {args.size:,} proposals ({rows_in_committee:,} in the committee read), "
        f"{args.concurrency} clients × {args.seconds:g} s, gunicorn {server.workers}×{server.threads}",
        results, ["page", "rps", "p50_ms", "p95_ms", "errors", "queries_10", "queries_100", "cost_vs_bare", "cost_vs_sql"],
    )
    print(f"\nstaff list costs {staff_ratio}× the hand-written SQL view (target ≤ 2); API list {api_ratio}×")
    common.emit({
        "bench": "lists", "db": args.db, "size": args.size, "committee_rows": rows_in_committee, "generated": generated,
        "seconds": args.seconds, "concurrency": args.concurrency,
        "staff_list_cost_vs_sql": staff_ratio, "api_list_cost_vs_sql": api_ratio,
        "staff_list_target_met": staff_ratio is not None and staff_ratio <= 2,
        "all_fixed_queries": all(r["fixed_queries"] for r in results),
        "pages": {r["page"]: {k: r[k] for k in ("rps", "p50_ms", "p95_ms", "errors", "queries_10", "queries_100",
                                                 "cost_vs_bare", "cost_vs_sql")} for r in results},
        "server": {"workers": server.workers, "threads": server.threads}, "machine": common.machine(),
    }, args.json_out)


if __name__ == "__main__":
    main()
