"""Run every benchmark at one size on SQLite and (when reachable) PostgreSQL; print each table,
then a summary and one JSON line of all figures. `--compare old.json` prints the change in % of
every figure against an earlier run's JSON (the file `--out` wrote, or a saved final line).

    python benchmarks/run_all.py [--size 10000] [--db sqlite,postgres] [--only lists,stats]
                                 [--out benchmarks/results/latest.json] [--compare old.json]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks import common  # noqa: E402

BENCHES = ["lists", "details", "peak", "stats", "export"]


def flatten(obj, prefix="") -> dict:
    out = {}
    if isinstance(obj, dict):
        for k, v in obj.items():
            if k in ("machine", "generated", "lost_examples", "error_kinds", "differences"):
                continue
            out.update(flatten(v, f"{prefix}{k}."))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            key = v.get("export", "") + str(v.get("rows", i)) if isinstance(v, dict) else str(i)
            out.update(flatten(v, f"{prefix}{key}."))
    elif isinstance(obj, (int, float)) and not isinstance(obj, bool):
        out[prefix.rstrip(".")] = obj
    return out


def compare(new: dict, old: dict) -> None:
    a, b = flatten(old), flatten(new)
    print(f"\nChange against the earlier run ({len(set(a) & set(b))} common figures):")
    for key in sorted(set(a) & set(b)):
        if a[key] == b[key]:
            continue
        change = f"{(b[key] - a[key]) / a[key] * 100:+.1f}%" if a[key] else "new"
        print(f"  {key:<70} {a[key]:>12,.2f} → {b[key]:>12,.2f}  {change}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=common.DEFAULT_SIZE)
    parser.add_argument("--db", default="sqlite,postgres")
    parser.add_argument("--only", default=",".join(BENCHES))
    parser.add_argument("--seconds", type=float, default=None, help="load time per list page / of the peak")
    parser.add_argument("--out", default=str(common.RESULTS / "latest.json"))
    parser.add_argument("--compare", help="an earlier JSON file to compare with")
    args = parser.parse_args()
    started = time.monotonic()
    dbs = [d for d in args.db.split(",") if d]
    if "postgres" in dbs and not common.pg_reachable():
        print("PostgreSQL is not reachable on 127.0.0.1:5432: SQLite only")
        dbs.remove("postgres")
    results: dict = {"size": args.size, "runs": {}}
    for db in dbs:
        for bench in [b for b in BENCHES if b in args.only.split(",")]:
            cmd = [sys.executable, str(common.ROOT / "benchmarks" / f"bench_{bench}.py"), "--db", db, "--size", str(args.size)]
            if args.seconds and bench in ("lists", "details", "peak"):
                cmd += ["--seconds", str(args.seconds)]
            print(f"\n=== {bench} on {db} ({args.size:,} proposals)", flush=True)
            t = time.monotonic()
            proc = subprocess.run(cmd, cwd=common.ROOT, text=True, capture_output=True,
                                  env={**os.environ, "PYTHONPATH": str(common.ROOT)})
            lines = proc.stdout.rstrip().splitlines()
            print("\n".join(lines[:-1]))
            if proc.returncode or not lines:
                print(proc.stderr[-3000:])
                results["runs"][f"{bench}.{db}"] = {"failed": proc.returncode}
                continue
            data = json.loads(lines[-1])
            data["wall_seconds"] = round(time.monotonic() - t, 1)
            results["runs"][f"{bench}.{db}"] = data
            print(f"({data['wall_seconds']} s)")
    results["wall_seconds"] = round(time.monotonic() - started, 1)
    import django  # noqa: F401  (machine() reads versions only)

    results["machine"] = common.machine()
    summary = []
    for key, r in results["runs"].items():
        bench, db = key.split(".")
        figure = {"lists": lambda r: f"staff list {r.get('staff_list_cost_vs_sql')}× SQL floor, API {r.get('api_list_cost_vs_sql')}×, fixed queries {r.get('all_fixed_queries')}",
                  "details": lambda r: "; ".join(f"{k.split(' ')[0]} {k.split(' ')[1]} {v.get('rps')} rps, {v.get('queries')} queries"
                                                 for k, v in r.get("targets", {}).items() if "floor" not in k),
                  "peak": lambda r: f"{r.get('members')} members: errors {r.get('errors')}, lost {r.get('lost_writes')}, p95 {r.get('peak', {}).get('p95_ms')} ms ({r.get('p95_ratio')}× alone)",
                  "stats": lambda r: f"{r.get('ratio')}× hand-written SQL, same figures {r.get('same_figures')}",
                  "export": lambda r: f"memory flat {r.get('memory_flat')}"}[bench]
        summary.append({"bench": bench, "db": db, "target met": r.get("target_met", r.get("staff_list_target_met")),
                        "figures": "failed" if "failed" in r else figure(r)})
    common.print_table(f"Summary ({args.size:,} proposals, {results['wall_seconds']:,} s)", summary, ["bench", "db", "target met", "figures"])
    if args.compare:
        compare(results, json.loads(Path(args.compare).read_text().strip().splitlines()[-1]))
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(results, ensure_ascii=False) + "\n")
    print(json.dumps(results, ensure_ascii=False))


if __name__ == "__main__":
    main()
