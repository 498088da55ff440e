"""One page in-process, with no load: the median time of N requests through the whole stack, its
queries (with their times), the CPU time of this process (the Python side; the database's work is in
its own process), and optionally a cProfile of the requests.

    python benchmarks/profile_page.py --db postgres --size 100000 /proposals/ /_bench/sql/list/
    python benchmarks/profile_page.py --db sqlite --size 100000 --as unit --profile 25 /proposals/unit/

`--as` picks the generated user of the large committee (staff, unit, member, token). The paths are
requested interleaved, so a slow spell of the machine hits them alike. Prints a table, then one JSON line.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks import common  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    common.add_common_args(parser)
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--as", dest="who", default="staff", choices=("staff", "unit", "member", "token"))
    parser.add_argument("--repeat", type=int, default=25)
    parser.add_argument("--profile", type=int, default=0, help="profile this many requests of the first path")
    parser.add_argument("--sort", default="cumulative", help="cProfile sort key (cumulative, tottime)")
    parser.add_argument("--callers", help="with --profile: print the callers of functions matching this")
    parser.add_argument("--match", help="with --profile: only the functions whose path matches this regex")
    parser.add_argument("--lines", type=int, default=45, help="with --profile: how many functions to print")
    parser.add_argument("--queries", action="store_true", help="print the queries of one request of each path")
    args = parser.parse_args()
    common.setup(args.db, args.size)
    common.prepare_data(args.db, args.size)

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from xieshang.core.models import Committee, Member
    from xieshang.proposals.models import Proposal

    committee = Committee.objects.get(code=f"{common.PREFIX}-0000")
    if args.who == "member":
        top = Proposal.objects.filter(committee=committee).values("lead_proposer").order_by("lead_proposer").first()
        user = Member.objects.get(pk=top["lead_proposer"]).user
    else:
        user = common.user(f"{committee.code}-{'u00' if args.who == 'unit' else 'staff'}")
    client = Client()
    headers = {}
    if args.who == "token":
        headers["Authorization"] = f"Bearer {common.api_token(user)}"
    else:
        name, value = common.session_cookie(user, committee.pk).split("=", 1)
        client.cookies[name] = value

    def get(path):
        response = client.get(path, headers=headers)
        if response.status_code != 200:
            raise SystemExit(f"{path} answered {response.status_code}")
        return response

    for path in args.paths:
        get(path)  # warm up
    times: dict[str, list[float]] = {p: [] for p in args.paths}
    cpu: dict[str, list[float]] = {p: [] for p in args.paths}
    for _ in range(args.repeat):
        for path in args.paths:
            t, c = time.perf_counter(), time.process_time()
            get(path)
            times[path].append((time.perf_counter() - t) * 1000)
            cpu[path].append((time.process_time() - c) * 1000)
    rows = []
    for path in args.paths:
        with CaptureQueriesContext(connection) as ctx:
            get(path)
        sql_ms = sum(float(q["time"]) for q in ctx.captured_queries) * 1000
        rows.append({"path": path, "median_ms": round(statistics.median(times[path]), 1),
                     "min_ms": round(min(times[path]), 1),
                     "python_cpu_ms": round(statistics.median(cpu[path]), 1), "queries": len(ctx.captured_queries),
                     "sql_ms": round(sql_ms, 1)})
        if args.queries:
            print(f"\n-- {path}")
            for q in ctx.captured_queries:
                print(f"{float(q['time']) * 1000:7.2f} ms  {q['sql'][:300]}")
    common.print_table(f"In-process on {args.db}, {args.size:,} proposals, median of {args.repeat}", rows,
                       ["path", "median_ms", "min_ms", "python_cpu_ms", "queries", "sql_ms"])
    if args.profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(args.profile):
            get(args.paths[0])
        profiler.disable()
        stats = pstats.Stats(profiler).sort_stats(args.sort)
        stats.print_stats(*([args.match] if args.match else []), args.lines)
        if args.callers:
            stats.print_callers(args.callers)
    common.emit({"bench": "profile_page", "db": args.db, "size": args.size, "pages": rows}, args.json_out)


if __name__ == "__main__":
    main()
