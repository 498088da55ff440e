"""Requests per second of one proposal's detail: the page, `GET /api/v1/proposals/{id}` and its `/events`,
with the queries per request and the in-process time, beside the bare Django page (the floor).

    python benchmarks/bench_details.py --db sqlite|postgres --size 10000 [--seconds 4] [--concurrency 4]

The proposal is the busiest handled one of the large committee (bench-0000): the most assignments, then
the most audit events. The page is read as the committee's office staff (who sees every button), the API
with a staff token. "in-process ms" is the median time of `--calls` requests through the whole stack in
this process (django.test.Client, no network); rps, p50 and p95 come from the deployed server (gunicorn as
`xieshang serve` starts it), the targets loaded in turn in `--rounds` slices as in bench_lists.py.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks import common  # noqa: E402


def busiest_proposal(committee):
    from django.db.models import Count

    from xieshang.core.audit import timeline
    from xieshang.proposals.models import Proposal

    candidates = list(
        Proposal.objects.filter(committee=committee, state__in=["handling", "replied", "closed"])
        .annotate(units=Count("assignments", distinct=True), n_replies=Count("replies", distinct=True))
        .order_by("-units", "-n_replies", "id")[:20]
    )
    return max(candidates, key=lambda p: (p.units, timeline(p).count()))


def in_process(path: str, cookie: str | None, token: str | None, calls: int) -> dict:
    """Queries of one request and the median time of `calls` requests, in this process."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    headers = {}
    if cookie:
        name, value = cookie.split("=", 1)
        client.cookies[name] = value
    if token:
        headers["Authorization"] = f"Bearer {token}"
    for _ in range(3):  # warm: caches, translations, templates
        response = client.get(path, headers=headers)
        if response.status_code != 200:
            raise SystemExit(f"{path} answered {response.status_code}")
    with CaptureQueriesContext(connection) as ctx:
        client.get(path, headers=headers)
    queries = len(ctx.captured_queries)  # now: the next requests empty the connection's log
    times = []
    for _ in range(calls):
        t = time.perf_counter()
        client.get(path, headers=headers)
        times.append(time.perf_counter() - t)
    return {"queries": queries, "in_process_ms": round(statistics.median(times) * 1000, 2),
            "in_process_min_ms": round(min(times) * 1000, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    common.add_common_args(parser)
    parser.add_argument("--seconds", type=float, default=4.0, help="load per target")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--calls", type=int, default=200, help="in-process requests per target")
    parser.add_argument("--workers", type=int, default=None, help="gunicorn processes (default: as deployed)")
    parser.add_argument("--no-server", action="store_true", help="in-process figures only")
    args = parser.parse_args()
    env = common.setup(args.db, args.size)
    generated = common.prepare_data(args.db, args.size)

    from xieshang.core.audit import timeline
    from xieshang.core.models import Committee

    committee = Committee.objects.get(code=f"{common.PREFIX}-0000")
    staff = common.user(f"{committee.code}-staff")
    proposal = busiest_proposal(committee)
    cookie = common.session_cookie(staff, committee.pk)
    token = common.api_token(staff)
    targets = [
        ("bare Django page (floor)", "/_bench/bare/", "cookie"),
        ("detail page /proposals/{id}/", f"/proposals/{proposal.pk}/", "cookie"),
        ("API detail /api/v1/proposals/{id}", f"/api/v1/proposals/{proposal.pk}", "token"),
        ("API events /api/v1/proposals/{id}/events", f"/api/v1/proposals/{proposal.pk}/events", "token"),
    ]
    results = []
    for name, path, who in targets:
        figures = in_process(path, cookie if who == "cookie" else None, token if who == "token" else None, args.calls)
        results.append({"target": name, "path": path, "who": who, **figures})
    server_info = {}
    if not args.no_server:
        with common.Server(env, workers=args.workers) as server:
            loads = [(r["path"], {"Authorization": f"Bearer {token}"} if r["who"] == "token" else {"Cookie": cookie})
                     for r in results]
            for r, figures in zip(results, common.load_interleaved(server.port, loads, args.seconds, args.concurrency,
                                                                   args.rounds)):
                r.update(figures)
            server_info = {"workers": server.workers, "threads": server.threads}
    bare = results[0].get("rps")
    for r in results:
        r["cost_vs_bare"] = round(bare / r["rps"], 2) if bare and r.get("rps") else None
    common.print_table(
        f"Proposal detail on {args.db}, {args.size:,} proposals: #{proposal.pk} ({proposal.state}, "
        f"{proposal.units} units, {proposal.n_replies} replies, {timeline(proposal).count()} events), "
        f"{args.concurrency} clients × {args.seconds:g} s"
        + (f", gunicorn {server_info['workers']}×{server_info['threads']}" if server_info else ""),
        results, ["target", "rps", "p50_ms", "p95_ms", "errors", "queries", "in_process_ms", "cost_vs_bare"],
    )
    common.emit({
        "bench": "details", "db": args.db, "size": args.size, "generated": generated,
        "proposal": {"id": proposal.pk, "state": proposal.state, "units": proposal.units, "replies": proposal.n_replies,
                     "events": timeline(proposal).count()},
        "seconds": args.seconds, "concurrency": args.concurrency,
        "targets": {r["target"]: {k: r.get(k) for k in ("rps", "p50_ms", "p95_ms", "errors", "queries", "in_process_ms",
                                                         "in_process_min_ms", "cost_vs_bare")} for r in results},
        "server": server_info, "machine": common.machine(),
    }, args.json_out)


if __name__ == "__main__":
    main()
