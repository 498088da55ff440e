"""The public door of grassroots consultation under load (no account).

1. Pages: requests per second of a demand's tracking page (/public/track/<code>/), the directory of places
   (/public/places/) and the published answers (/public/answers/), against the bare Django page of the same
   run (target: each at most 2× its cost), with the queries of one request.
2. Submissions: 1,000 demands in a minute through the public API — `POST /api/v1/public/phone-codes`, the
   code read from the SMS file (FileSmsBackend), `POST /api/v1/public/demands` — paced to 1,000 in 60 s from
   `--concurrency` clients, each simulated citizen with a phone of its own and one of 100 addresses (sent in
   X-Forwarded-For; 127.0.0.1 is a trusted proxy in benchmarks/grassroots_settings.py). Every 10th submission
   is sent again after its answer (a retry after a lost answer) and every 50th twice at once: each must answer
   the same tracking code. Then the rows are counted: 0 lost (every acknowledged code is a row, every row was
   acknowledged) and 0 doubled (one row per text).

    python benchmarks/grassroots_public.py --db sqlite|postgres --size 100000 [--seconds 10] [--submissions 1000]
"""

from __future__ import annotations

import argparse
import json
import queue
import re
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks import common, grassroots_data  # noqa: E402
from benchmarks.bench_lists import queries_per_request  # noqa: E402

TEXT = "小区门口的路灯坏了两个多月，晚上老人孩子出行很不方便，希望尽快修好。"


class CodeReader(threading.Thread):
    """Follows the SMS file and keeps the last code sent to each phone."""

    def __init__(self, path: Path):
        super().__init__(daemon=True)
        self.path, self.codes, self.stop = path, {}, threading.Event()
        self.lock = threading.Lock()

    def run(self) -> None:
        offset = self.path.stat().st_size if self.path.exists() else 0
        while not self.stop.is_set():
            if self.path.exists():
                with open(self.path, "rb") as fh:
                    fh.seek(offset)
                    chunk = fh.read()
                end = chunk.rfind(b"\n") + 1
                offset += end
                for line in chunk[:end].decode("utf-8").splitlines():
                    row = json.loads(line)
                    found = re.search(r"(?<!\d)(\d{6})(?!\d)", row["text"])
                    if found and not row.get("key", "").startswith("demand:"):
                        with self.lock:
                            self.codes[row["phone"]] = found.group(1)
            time.sleep(0.02)

    def wait_for(self, phone: str, timeout: float = 10) -> str | None:
        until = time.monotonic() + timeout
        while time.monotonic() < until:
            with self.lock:
                if phone in self.codes:
                    return self.codes.pop(phone)
            time.sleep(0.01)
        return None


def _post(port, path, body: dict, address: str, conn=None):
    status, data = common.request(port, "POST", path, {"Content-Type": "application/json", "X-Forwarded-For": address},
                                  json.dumps(body, ensure_ascii=False).encode(), conn=conn)
    try:
        return status, json.loads(data or b"{}")
    except ValueError:
        return status, {"raw": data[:200].decode("utf-8", "replace")}


def submissions(port: int, places: list[int], sms: Path, n: int, seconds: float, concurrency: int, run: int) -> dict:
    # The benchmark's own SMS spool starts empty: FileSmsBackend reads the whole file for each message's key (a
    # test backend; a gateway de-duplicates by itself), which earlier runs' lines would make slower and slower.
    sms.write_text("")
    reader = CodeReader(sms)
    reader.start()
    jobs: queue.Queue = queue.Queue()
    for i in range(n):
        jobs.put(i)
    results: dict[int, dict] = {}
    lock = threading.Lock()
    started = time.monotonic()

    def one(i: int, conn) -> dict:
        phone = f"137{run:04d}{i:04d}"
        address = f"10.{run % 250}.0.{i % 100 + 1}"
        body = {"phone": phone, "text": f"{TEXT}（基准 {run}-{i}）", "place": places[i % len(places)],
                "category": "society"}
        t0 = time.perf_counter()
        status, data = _post(port, "/api/v1/public/phone-codes", {"phone": phone, "purpose": "submit"}, address, conn)
        code_ms = (time.perf_counter() - t0) * 1000
        if status != 202:
            return {"ok": False, "step": "code", "status": status, "data": data}
        code = reader.wait_for(phone)
        if code is None:
            return {"ok": False, "step": "sms", "status": 0}
        body["code"] = code
        t1 = time.perf_counter()
        if i % 50 == 7:  # the same request twice at once (a double tap)
            answers = []
            twins = [threading.Thread(target=lambda: answers.append(_post(port, "/api/v1/public/demands", body, address)))
                     for _k in range(2)]
            for th in twins:
                th.start()
            for th in twins:
                th.join()
            codes = {a[1].get("tracking_code") for a in answers}
            statuses = [a[0] for a in answers]
            ok = statuses == [201, 201] and len(codes) == 1
            return {"ok": ok, "step": "twins", "status": statuses, "tracking": codes.pop() if ok else None,
                    "code_ms": code_ms, "submit_ms": (time.perf_counter() - t1) * 1000, "retried": 1}
        status, data = _post(port, "/api/v1/public/demands", body, address, conn)
        submit_ms = (time.perf_counter() - t1) * 1000
        if status != 201:
            return {"ok": False, "step": "submit", "status": status, "data": data}
        out = {"ok": True, "tracking": data["tracking_code"], "code_ms": code_ms, "submit_ms": submit_ms, "retried": 0}
        if i % 10 == 3:  # the answer was lost: the citizen sends it again
            again, data2 = _post(port, "/api/v1/public/demands", body, address, conn)
            out["retried"] = 1
            if again != 201 or data2.get("tracking_code") != out["tracking"]:
                out.update(ok=False, step="retry", status=again, data=data2)
        return out

    def worker():
        import http.client

        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while True:
            try:
                i = jobs.get_nowait()
            except queue.Empty:
                break
            wait = started + i * seconds / n - time.monotonic()  # paced: n in `seconds`
            if wait > 0:
                time.sleep(wait)
            try:
                r = one(i, conn)
            except (OSError, http.client.HTTPException) as exc:
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                r = {"ok": False, "step": "connection", "status": 0, "data": str(exc)}
            with lock:
                results[i] = r
        conn.close()

    threads = [threading.Thread(target=worker) for _k in range(concurrency)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    elapsed = time.monotonic() - started
    reader.stop.set()
    good = [r for r in results.values() if r["ok"]]
    failed = [r for r in results.values() if not r["ok"]]
    return {"results": results, "good": good, "failed": failed, "elapsed": elapsed}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    grassroots_data.add_args(parser)
    parser.add_argument("--submissions", type=int, default=1000)
    parser.add_argument("--submit-seconds", type=float, default=60.0, help="the submissions are paced to this")
    parser.add_argument("--submit-concurrency", type=int, default=16)
    args = parser.parse_args()
    env, generated, committee = grassroots_data.start(args)

    from xieshang.grassroots.models import Demand, Place

    tracked = Demand.objects.filter(committee=committee, state="closed", public=True).order_by("id").first()
    pages = [
        ("bare Django page (floor)", "/_bench/bare/"),
        ("tracking page /public/track/<code>/", f"/public/track/{tracked.tracking_code}/"),
        ("directory /public/places/", "/public/places/"),
        ("published answers /public/answers/", "/public/answers/"),
    ]
    results = []
    for name, path in pages:
        q = queries_per_request(path, None, None)
        results.append({"page": name, "path": path, "queries_10": q[10], "queries_100": q[100],
                        "fixed_queries": q[10] == q[100]})
    places = list(Place.objects.filter(committee=committee, public=True).values_list("pk", flat=True))
    before = Demand.objects.filter(committee=committee).count()
    run = int(time.time()) % 10000
    sms = Path(env["XIESHANG_SMS_FILE"])
    with common.Server(env, workers=args.workers, settings=grassroots_data.SETTINGS) as server:
        for r, figures in zip(results, common.load_interleaved(server.port, [(r["path"], {}) for r in results],
                                                               args.seconds, args.concurrency, args.rounds), strict=True):
            r.update(figures)
        sub = submissions(server.port, places, sms, args.submissions, args.submit_seconds, args.submit_concurrency, run)
    bare = results[0]["rps"]
    for r in results:
        r["cost_vs_bare"] = round(bare / r["rps"], 2) if r["rps"] else None
    common.print_table(
        f"Public pages on {args.db}, {before:,} demands ({Demand.objects.filter(committee=committee, public=True).count():,}"
        f" published, {len(places)} places), {args.concurrency} clients × {args.seconds:g} s", results,
        ["page", "rps", "p50_ms", "p95_ms", "errors", "queries_10", "queries_100", "cost_vs_bare"])

    # --- the rows: nothing lost, nothing doubled ---------------------------------------------------------------
    mine = Demand.objects.filter(committee=committee, text__contains=f"（基准 {run}-")
    rows = list(mine.values_list("tracking_code", "text"))
    acknowledged = {r["tracking"] for r in sub["good"]}
    stored = {code for code, _t in rows}
    texts = [t for _c, t in rows]
    lost = len(acknowledged - stored)
    unacknowledged = len(stored - acknowledged)
    doubled = len(texts) - len(set(texts))
    code_ms = [r["code_ms"] / 1000 for r in sub["good"]]
    submit_ms = [r["submit_ms"] / 1000 for r in sub["good"]]
    figures = {
        "submissions": args.submissions, "acknowledged": len(sub["good"]), "failed": len(sub["failed"]),
        "retried": sum(r["retried"] for r in sub["good"]), "rows": len(rows), "lost": lost,
        "rows_not_acknowledged": unacknowledged, "doubled": doubled, "seconds": round(sub["elapsed"], 1),
        "per_minute": round(len(sub["good"]) / sub["elapsed"] * 60),
        "code_p50_ms": round(common.percentile(code_ms, 50) * 1000, 1),
        "code_p95_ms": round(common.percentile(code_ms, 95) * 1000, 1),
        "submit_p50_ms": round(common.percentile(submit_ms, 50) * 1000, 1),
        "submit_p95_ms": round(common.percentile(submit_ms, 95) * 1000, 1),
    }
    print(f"\nSubmissions: {figures['acknowledged']:,} of {args.submissions:,} acknowledged in {figures['seconds']} s "
          f"({figures['per_minute']:,}/min; {figures['retried']} sent again), {figures['failed']} failed; "
          f"rows {figures['rows']:,}: lost {lost}, not acknowledged {unacknowledged}, doubled {doubled}; "
          f"code p50/p95 {figures['code_p50_ms']}/{figures['code_p95_ms']} ms, "
          f"submit p50/p95 {figures['submit_p50_ms']}/{figures['submit_p95_ms']} ms")
    for r in sub["failed"][:5]:
        print("  failed:", {k: v for k, v in r.items() if k in ("step", "status", "data")})
    worst = max(r["cost_vs_bare"] or 0 for r in results[1:])
    common.emit({
        "bench": "grassroots_public", "db": args.db, "size": args.size, "generated": generated,
        "pages": {r["page"]: {k: r[k] for k in ("rps", "p50_ms", "p95_ms", "errors", "queries_10", "queries_100",
                                                 "cost_vs_bare")} for r in results},
        "pages_target_met": worst <= 2, "submissions": figures,
        "submissions_target_met": figures["lost"] == 0 and figures["doubled"] == 0 and figures["failed"] == 0
        and figures["rows"] == args.submissions and figures["seconds"] <= args.submit_seconds * 1.1,
        "machine": common.machine(),
    }, args.json_out)


if __name__ == "__main__":
    main()
