"""A plenary peak: N members at once drafting, co-signing and submitting through the API on loopback,
for a fixed time. Reports errors and lost writes (both must be 0), p50/p95 latency, and p95 as a ratio
to p95 of the same requests without load (one member alone).

    python benchmarks/bench_peak.py --db sqlite|postgres [--members 200] [--seconds 20] [--think 0.5]

Each member repeats: create a draft (POST /api/v1/proposals), autosave it (PATCH), invite two
colleagues (invite_cosigners), submit; between those steps it co-signs the invitations other members
sent it. After the run the database is checked against every acknowledged write: each created
proposal exists once, holds the last saved text, is in co-signing when its submission was
acknowledged, and every acknowledged co-signature is recorded.
"""

from __future__ import annotations

import argparse
import collections
import http.client
import json
import random
import sys
import threading
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks import common  # noqa: E402

PREFIX = "peak"


class Member:
    def __init__(self, user_id: int, member_id: int, token: str):
        self.user_id, self.member_id, self.token = user_id, member_id, token
        self.inbox: collections.deque = collections.deque()


class Ledger:
    """What the server acknowledged (2xx), to be found in the database afterwards."""

    def __init__(self):
        self.lock = threading.Lock()
        self.latencies: dict[str, list[float]] = collections.defaultdict(list)
        self.errors: collections.Counter = collections.Counter()
        self.created: dict[int, dict] = {}
        self.cosigned: set[tuple[int, int]] = set()

    def note(self, kind: str, seconds: float, ok: bool, detail: str = "") -> None:
        with self.lock:
            self.latencies[kind].append(seconds)
            if not ok:
                self.errors[f"{kind} {detail}"] += 1


def call(conn, port, method, path, token, body=None):
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json", "Accept-Language": "en"}
    data = json.dumps(body, ensure_ascii=False).encode() if body is not None else None
    t = time.perf_counter()
    try:
        status, payload = common.request(port, method, path, headers, data, conn=conn)
    except (OSError, http.client.HTTPException) as exc:
        return 0, {"error": type(exc).__name__}, time.perf_counter() - t
    try:
        parsed = json.loads(payload) if payload else {}
    except ValueError:
        parsed = {"raw": payload[:200].decode(errors="replace")}
    return status, parsed, time.perf_counter() - t


def member_loop(me: Member, everyone: list[Member], port: int, stop: float, think: float, ledger: Ledger, seed: int):
    rng = random.Random(seed)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

    def step(kind, method, path, body=None, expect=200):
        nonlocal conn
        status, data, seconds = call(conn, port, method, path, me.token, body)
        if status == 0:
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        ok = status == expect
        ledger.note(kind, seconds, ok, f"{status} {data.get('code', '') if isinstance(data, dict) else ''}")
        if think:
            time.sleep(rng.uniform(0, 2 * think))
        return ok, data

    def cosign_pending():
        while me.inbox and time.monotonic() < stop:
            pid = me.inbox.popleft()
            ok, _ = step("cosign", "POST", f"/api/v1/proposals/{pid}/actions/cosign", {})
            if ok:
                with ledger.lock:
                    ledger.cosigned.add((pid, me.member_id))

    while time.monotonic() < stop:
        cosign_pending()
        key = uuid.uuid4().hex
        ok, data = step("create", "POST", "/api/v1/proposals",
                        {"title": f"关于全会期间提案{key[:6]}的建议", "body": "初稿。", "category": "economy", "client_key": key},
                        expect=201)
        if not ok:
            continue
        pid = data["id"]
        record = {"body": "初稿。", "submitted": False, "user": me.user_id}
        with ledger.lock:
            ledger.created[pid] = record
        if time.monotonic() >= stop:
            break
        body = "建议内容：" + "加快发展。" * rng.randint(10, 60) + key
        ok, _ = step("autosave", "PATCH", f"/api/v1/proposals/{pid}", {"body": body})
        if ok:
            record["body"] = body
        cosign_pending()
        others = rng.sample([m for m in everyone if m is not me], k=2)
        ok, _ = step("invite", "POST", f"/api/v1/proposals/{pid}/actions/invite_cosigners",
                     {"members": [m.member_id for m in others]})
        if not ok:
            continue
        ok, _ = step("submit", "POST", f"/api/v1/proposals/{pid}/actions/submit", {"cosign_days": 3})
        if ok:
            record["submitted"] = True
            for m in others:
                m.inbox.append(pid)
    conn.close()


def run_phase(port, members, seconds, think, seed) -> Ledger:
    ledger = Ledger()
    stop = time.monotonic() + seconds
    threads = [threading.Thread(target=member_loop, args=(m, members, port, stop, think, ledger, seed + i), daemon=True)
               for i, m in enumerate(members)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(seconds + 180)  # bounded: a request may still be in flight at the stop time
    return ledger


def verify(ledgers: list[Ledger]) -> dict:
    from xieshang.proposals.models import CoSigner, Proposal

    created = {pid: rec for led in ledgers for pid, rec in led.created.items()}
    cosigned = set().union(*(led.cosigned for led in ledgers))
    rows = {p.pk: p for p in Proposal.objects.filter(pk__in=list(created))}
    lost = []
    for pid, rec in created.items():
        p = rows.get(pid)
        if p is None:
            lost.append(f"{pid} missing")
        elif p.body != rec["body"]:
            lost.append(f"{pid} text")
        elif rec["submitted"] and p.state not in ("cosigning", "submitted"):
            lost.append(f"{pid} state {p.state}")
    signed = set(CoSigner.objects.filter(proposal_id__in=list(created), state="signed").values_list("proposal_id", "member_id"))
    lost += [f"cosign {pid}/{mid}" for pid, mid in cosigned - signed]
    users = {rec["user"] for rec in created.values()}
    in_db = Proposal.objects.filter(created_by_id__in=users, committee__code__startswith=f"{PREFIX}-",
                                    client_key__isnull=False).count()  # not the generated ones
    return {"acknowledged_proposals": len(created), "proposals_in_db": in_db, "acknowledged_cosignatures": len(cosigned),
            "lost_writes": len(lost), "lost_examples": lost[:10], "duplicates": max(0, in_db - len(created))}


def summary(ledger: Ledger) -> dict:
    every = [s for values in ledger.latencies.values() for s in values]
    return {"requests": len(every), "errors": sum(ledger.errors.values()), "error_kinds": dict(ledger.errors.most_common(8)),
            "p50_ms": round(common.percentile(every, 50) * 1000, 1), "p95_ms": round(common.percentile(every, 95) * 1000, 1),
            "by_kind": {k: {"n": len(v), "p50_ms": round(common.percentile(v, 50) * 1000, 1),
                            "p95_ms": round(common.percentile(v, 95) * 1000, 1)} for k, v in sorted(ledger.latencies.items())}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    common.add_common_args(parser)
    parser.add_argument("--members", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--baseline-seconds", type=float, default=5.0)
    parser.add_argument("--think", type=float, default=0.5, help="mean pause between a member's requests (s)")
    parser.add_argument("--workers", type=int, default=None, help="gunicorn processes (default: as deployed, 2 × cores + 1)")
    parser.add_argument("--threads", type=int, default=1, help="threads per process (1: sync workers, as deployed)")
    args = parser.parse_args()
    env = common.setup(args.db, args.size)
    common.prepare_data(args.db, args.size)
    out = common.run([sys.executable, str(common.ROOT / "benchmarks" / "generate.py"), "--proposals", "100",
                      "--committees", "1", "--members", str(args.members + 1), "--prefix", PREFIX], env)
    del out
    from xieshang.core.models import Member as MemberRow

    rows = list(MemberRow.objects.filter(committee__code=f"{PREFIX}-0000").order_by("pk").select_related("user"))
    members = [Member(r.user_id, r.pk, common.api_token(r.user)) for r in rows]
    alone, crowd = members[:1], members[1 : args.members + 1]
    with common.Server(env, workers=args.workers, threads=args.threads) as server:
        # without load: one member alone, no pauses (its invitations go to members who stay idle)
        solo = run_phase_solo(server.port, alone[0], members, args.baseline_seconds)
        loaded = run_phase(server.port, crowd, args.seconds, args.think, 100)
    check = verify([solo, loaded])
    s0, s1 = summary(solo), summary(loaded)
    ratio = round(s1["p95_ms"] / s0["p95_ms"], 2) if s0["p95_ms"] else None
    rows_out = [{"phase": "alone (1 member)", **{k: s0[k] for k in ("requests", "errors", "p50_ms", "p95_ms")}},
                {"phase": f"peak ({len(crowd)} members)", **{k: s1[k] for k in ("requests", "errors", "p50_ms", "p95_ms")}}]
    common.print_table(f"Plenary peak on {args.db}: {len(crowd)} members × {args.seconds:g} s, think {args.think:g} s, "
                       f"gunicorn {server.workers}×{server.threads}", rows_out, ["phase", "requests", "errors", "p50_ms", "p95_ms"])
    common.print_table("by request (peak)", [{"request": k, **v} for k, v in s1["by_kind"].items()],
                       ["request", "n", "p50_ms", "p95_ms"])
    print(f"\nerrors {s1['errors'] + s0['errors']}, lost writes {check['lost_writes']}, p95 under load / alone = {ratio}")
    if s1["error_kinds"]:
        print("error kinds:", s1["error_kinds"])
    common.emit({"bench": "peak", "db": args.db, "members": len(crowd), "seconds": args.seconds, "think": args.think,
                 "alone": s0, "peak": s1, "p95_ratio": ratio, "rps": round(s1["requests"] / args.seconds, 1),
                 **check, "errors": s0["errors"] + s1["errors"],
                 "target_met": s0["errors"] + s1["errors"] == 0 and check["lost_writes"] == 0,
                 "machine": common.machine()}, args.json_out)


def run_phase_solo(port, me: Member, everyone: list[Member], seconds: float) -> Ledger:
    ledger = Ledger()
    member_loop(me, everyone, port, time.monotonic() + seconds, 0, ledger, 1)
    return ledger


if __name__ == "__main__":
    main()
