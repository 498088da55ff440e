"""Requests per second of the station board and a unit's demand inbox at N demands (default 100,000), against
the floors of the same run: the bare Django page and hand-written SQL for the same rows
(benchmarks/grassroots_floors.py); and the queries per request at 10 and at 100 rows a page (a fixed number
of queries means the two are equal). The targets are the proposals' list targets (docs/performance.md):
a fixed number of queries, and at most 2× the hand-written SQL page.

    python benchmarks/grassroots_lists.py --db sqlite|postgres --size 100000 [--seconds 10] [--concurrency 4]

The keeper's board reads 10 % of the demands (its place's), the unit's inbox the demands referred to it now
(about 1 % of them), its answered tab about 6 %. Pages are loaded in turn, in `--rounds` slices.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks import common, grassroots_data  # noqa: E402
from benchmarks.bench_lists import queries_per_request  # noqa: E402

PAGES = [
    # (name, path, who, floor it is compared with)
    ("bare Django page (floor)", "/_bench/bare/", "keeper", None),
    ("hand-written SQL board (floor)", "/_bench/sql/board/", "keeper", None),
    ("station board /grassroots/board/", "/grassroots/board/", "keeper", "board"),
    ("station board, page 20", "/grassroots/board/?page=20", "keeper", "board"),
    ("station board, late only", "/grassroots/board/?late=1", "keeper", "board"),
    ("hand-written SQL inbox (floor)", "/_bench/sql/inbox/", "unit", None),
    ("unit inbox /grassroots/inbox/", "/grassroots/inbox/", "unit", "inbox"),
    ("unit inbox, answered tab", "/grassroots/inbox/?tab=answered", "unit", "inbox"),
]
FLOORS = {"board": "/_bench/sql/board/", "inbox": "/_bench/sql/inbox/"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    grassroots_data.add_args(parser)
    args = parser.parse_args()
    env, generated, committee = grassroots_data.start(args)

    from xieshang.grassroots.models import Demand

    keeper = common.user(f"{committee.code}-keeper")
    unit = common.user(f"{committee.code}-u00")
    cookies = {"keeper": common.session_cookie(keeper, committee.pk), "unit": common.session_cookie(unit, committee.pk)}
    demands = Demand.objects.filter(committee=committee)
    read = {"keeper": demands.filter(place__station__roles__user=keeper).count(),
            "unit": demands.filter(unit__roleassignment__user=unit, state="referred").count()}

    results = []
    for name, path, who, _floor in PAGES:
        q = queries_per_request(path, cookies[who], None)
        results.append({"page": name, "path": path, "who": who, "queries_10": q[10], "queries_100": q[100],
                        "fixed_queries": q[10] == q[100]})
    with common.Server(env, workers=args.workers, settings=grassroots_data.SETTINGS) as server:
        targets = [(r["path"], {"Cookie": cookies[r["who"]]}) for r in results]
        for r, figures in zip(results, common.load_interleaved(server.port, targets, args.seconds, args.concurrency,
                                                               args.rounds), strict=True):
            r.update(figures)
    by_path = {r["path"]: r for r in results}
    bare = by_path["/_bench/bare/"]["rps"]
    for (_name, _path, _who, floor), r in zip(PAGES, results, strict=True):
        r["cost_vs_bare"] = round(bare / r["rps"], 2) if r["rps"] else None
        floor_rps = by_path[FLOORS[floor]]["rps"] if floor else None
        r["cost_vs_sql"] = round(floor_rps / r["rps"], 2) if floor and r["rps"] else None
    board = by_path["/grassroots/board/"]["cost_vs_sql"]
    inbox = by_path["/grassroots/inbox/"]["cost_vs_sql"]
    common.print_table(
        f"Grassroots lists on {args.db}, {demands.count():,} demands (board reads {read['keeper']:,}, inbox "
        f"{read['unit']:,}), {args.concurrency} clients × {args.seconds:g} s, gunicorn {server.workers}×1",
        results, ["page", "rps", "p50_ms", "p95_ms", "errors", "queries_10", "queries_100", "cost_vs_bare",
                  "cost_vs_sql"],
    )
    print(f"\nstation board costs {board}× its hand-written SQL page, the unit inbox {inbox}× (target ≤ 2)")
    common.emit({
        "bench": "grassroots_lists", "db": args.db, "size": args.size, "generated": generated, "read": read,
        "seconds": args.seconds, "concurrency": args.concurrency, "board_cost_vs_sql": board,
        "inbox_cost_vs_sql": inbox, "target_met": all(x is not None and x <= 2 for x in (board, inbox)),
        "all_fixed_queries": all(r["fixed_queries"] for r in results),
        "pages": {r["page"]: {k: r[k] for k in ("rps", "p50_ms", "p95_ms", "errors", "queries_10", "queries_100",
                                                 "cost_vs_bare", "cost_vs_sql")} for r in results},
        "server": {"workers": server.workers}, "machine": common.machine(),
    }, args.json_out)


if __name__ == "__main__":
    main()
