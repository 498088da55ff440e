"""Excel export of the staff list: time and peak memory, at N rows and at N/10 rows — the memory must
not grow with the row count. Three ways: "worker" (the background export that lists above
XIESHANG_EXPORT_INLINE_MAX_ROWS get: `export_request`, then the task's body `core.exports.run`, as the
worker runs it), "web" (/proposals/export.xlsx streamed in the request) and "api"
(/api/v1/proposals/export.xlsx). The benchmark servers' settings lift the inline limit so that the two
inline ways can still be timed at any size.

    python benchmarks/bench_export.py --db sqlite|postgres --size 10000 [--rows 100000]

The rows come from two committees of their own (prefix "export": N and N/10 proposals, generated
once). Each export runs in a fresh child process; the peak memory is the growth of its peak
resident set (ru_maxrss) during the export, over the process after a warm-up request.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks import common  # noqa: E402

PREFIX = "export"
TARGETS = {"worker": None, "web": "/proposals/export.xlsx", "api": "/api/v1/proposals/export.xlsx"}


def worker_child(committee, staff) -> None:
    """The background export as the worker runs it, in this process."""
    from xieshang.core import exports
    from xieshang.core.services import export_request

    def export(params):
        job = export_request(actor=staff, committee=committee, kind="proposals", params=params)
        assert exports.run(job.pk).startswith("done"), "the export did not finish"
        job.refresh_from_db()
        return job

    export({"q": "—nothing—"})  # warm-up: imports, translations, storage
    base_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t = time.perf_counter()
    job = export({})
    seconds = time.perf_counter() - t
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"status": job.state, "seconds": round(seconds, 2), "bytes": job.file.size,
                      "peak_growth_mb": round((peak_kb - base_kb) / 1024, 1), "peak_rss_mb": round(peak_kb / 1024, 1)}))


def child(args) -> None:
    common.setup(args.db, args.size)
    from django.test import Client

    from xieshang.core.models import Committee

    committee = Committee.objects.get(code=args.committee)
    staff = common.user(f"{committee.code}-staff")
    if args.target == "worker":
        return worker_child(committee, staff)
    client, headers = Client(), {}
    if args.target == "api":
        headers["Authorization"] = f"Bearer {common.api_token(staff)}"
    else:
        name, value = common.session_cookie(staff, committee.pk).split("=", 1)
        client.cookies[name] = value
    path = TARGETS[args.target]
    # warm-up: imports, templates, translations (a filter that matches nothing)
    response = client.get(path + "?q=%E2%80%94nothing%E2%80%94", headers=headers)
    b"".join(response.streaming_content) if response.streaming else response.content
    base_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t = time.perf_counter()
    response = client.get(path, headers=headers)
    size = sum(len(chunk) for chunk in response.streaming_content) if response.streaming else len(response.content)
    seconds = time.perf_counter() - t
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"status": response.status_code, "seconds": round(seconds, 2), "bytes": size,
                      "peak_growth_mb": round((peak_kb - base_kb) / 1024, 1), "peak_rss_mb": round(peak_kb / 1024, 1)}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    common.add_common_args(parser)
    parser.add_argument("--rows", type=int, default=0, help="rows of the large export (default: the size, at most 100,000)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--committee", help=argparse.SUPPRESS)
    parser.add_argument("--target", choices=tuple(TARGETS), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args)
    rows = args.rows or min(args.size, 100_000)
    env = common.setup(args.db, args.size)
    common.prepare_data(args.db, args.size)
    from xieshang.proposals.models import Proposal

    total = int(rows * 1.1)
    generated = None
    if Proposal.objects.filter(committee__code=f"{PREFIX}-0000").count() != rows:
        out = common.run([sys.executable, str(common.ROOT / "benchmarks" / "generate.py"), "--proposals", str(total),
                          "--committees", "2", "--big-share", str(rows / total), "--prefix", PREFIX], env, timeout=7200)
        generated = json.loads(out.strip().splitlines()[-1])
    results = []
    for target in TARGETS:
        for code in (f"{PREFIX}-0001", f"{PREFIX}-0000"):
            n = Proposal.objects.filter(committee__code=code).exclude(state="draft").count()
            out = common.run([sys.executable, __file__, "--child", "--db", args.db, "--size", str(args.size),
                              "--committee", code, "--target", target], env, timeout=3600)
            r = json.loads(out.strip().splitlines()[-1])
            results.append({"export": target, "rows": n, **r, "rows_per_second": round(n / r["seconds"]) if r["seconds"] else None})
    common.print_table(f"Excel export on {args.db}", results,
                       ["export", "rows", "status", "seconds", "rows_per_second", "bytes", "peak_growth_mb", "peak_rss_mb"])
    flat = {}
    for target in TARGETS:
        small, large = [r for r in results if r["export"] == target]
        # flat: ten times the rows may not take more than a few MB more (allocator noise)
        flat[target] = large["peak_growth_mb"] <= small["peak_growth_mb"] + 16
    print(f"\nmemory flat (10× rows, ≤ 16 MB more): {flat}")
    common.emit({"bench": "export", "db": args.db, "size": args.size, "rows": rows, "generated": generated,
                 "results": results, "memory_flat": flat, "target_met": all(flat.values()), "machine": common.machine()},
                args.json_out)


if __name__ == "__main__":
    main()
