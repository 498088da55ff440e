"""The text engine as users meet it: suggestion latency per request and the similar-items panel's response time.

A fresh SQLite database in a temporary data folder; one committee with a generated history of `--size`
decided proposals (synthetic Chinese text: 12 topics, each with its unit; a third also with a co unit),
trained as the nightly job trains (`store.train_committee`). Then, in this process (Django's test client:
the view, the services, the selectors and the template, no network):

- suggestion: `services.suggest(committee, "proposal", title, body)` — categories and units — per request;
- `POST /api/v1/text/suggest` as office staff;
- the drafting panel `POST /text/similar/` (htmx) as a member, and `POST /api/v1/text/similar` as staff;
- the review panel `GET /text/review/proposal/<id>/` as staff (suggestions + similar items + merge links).

Each is asked `--requests` times with different texts (half rewritten copies of history rows, half new
text); wall time per request, median and p95, and the CPU time of the process per request.

    python benchmarks/text_ui.py [--size 2000] [--requests 100]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

TOPICS = [
    ("economy", "发展改革委", ["民营企业", "营商环境", "融资", "产业园", "招商", "数字经济", "中小企业", "税费"]),
    ("culture", "教育局", ["学校", "教师", "学生", "课程", "课后服务", "义务教育", "职业教育", "师资"]),
    ("ecology", "生态环境局", ["河道", "污水", "垃圾分类", "空气质量", "绿化", "湿地", "排放", "噪声"]),
    ("society", "住房城乡建设局", ["老旧小区", "加装电梯", "停车", "物业", "燃气管道", "公厕", "排水", "路灯"]),
    ("agriculture", "农业农村局", ["种业", "耕地", "农机", "合作社", "乡村旅游", "冷链", "灌溉", "农产品"]),
    ("politics", "司法局", ["法律援助", "调解", "普法", "社区矫正", "公证", "行政复议", "执法", "信访"]),
]
VERBS = ["加强", "完善", "推进", "优化", "落实", "建立", "提升", "规范"]
FILLER = ["当前", "部分地区", "群众反映", "存在不足", "亟待解决", "建议有关部门", "统筹协调", "加大投入"]


def sentence(rng, words):
    return "".join([rng.choice(FILLER), rng.choice(VERBS), rng.choice(words), "和", rng.choice(words),
                    rng.choice(["工作", "机制", "管理", "服务", "建设"]), "。"])


def text(rng, words):
    title = f"关于{rng.choice(VERBS)}{rng.choice(words)}{rng.choice(['工作', '管理', '服务'])}的提案"
    return title, "".join(sentence(rng, words) for _ in range(rng.randint(8, 16)))


def timed(fn, n):
    fn(n)  # one warm-up call (imports, caches of the first request of a worker): not counted
    walls, started_cpu = [], time.process_time()
    for i in range(n):
        t = time.perf_counter()
        fn(i)
        walls.append((time.perf_counter() - t) * 1000)
    cpu = (time.process_time() - started_cpu) * 1000 / n
    walls.sort()
    return {"median_ms": round(statistics.median(walls), 1), "p95_ms": round(walls[int(0.95 * (n - 1))], 1),
            "cpu_ms": round(cpu, 1), "n": n}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=2000, help="decided proposals in the history (2000)")
    parser.add_argument("--requests", type=int, default=100)
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="xieshang-text-ui-")
    os.environ["XIESHANG_DATA_DIR"] = folder
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xieshang.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()
    settings.ALLOWED_HOSTS = ["*"]
    started = time.monotonic()
    call_command("migrate", verbosity=0)
    migrate_s = time.monotonic() - started

    from xieshang.api.tests.conftest import issue_token
    from xieshang.proposals.models import Assignment, Proposal, Session
    from xieshang.proposals.tests.factories import make_committee, make_member, make_role_user, make_unit
    from xieshang.text import services, store

    rng = random.Random(16)
    committee = make_committee("bench-text")
    session = Session.objects.filter(term__committee=committee, is_current=True).first()
    units = {code: make_unit(committee, name=name)[0] for code, name, _w in TOPICS}
    finance, _u = make_unit(committee, name="财政局")
    staff = make_role_user(committee, "staff")
    member = make_member(committee)
    member_row = member.memberships.get(committee=committee)
    started = time.monotonic()
    history, rows = [], []
    for i in range(args.size):
        code, _name, words = TOPICS[i % len(TOPICS)]
        title, body = text(rng, words)
        history.append((code, title, body))
        rows.append(Proposal(committee=committee, session=session, state="closed", category=code, title=title,
                             body=body, lead_proposer=member_row, created_by=member, is_public=i % 2 == 0))
    Proposal.objects.bulk_create(rows, batch_size=500)
    from django.utils import timezone

    now = timezone.now()
    assignments = []
    for i, p in enumerate(Proposal.objects.filter(committee=committee).order_by("pk")):
        code = history[i][0]
        assignments.append(Assignment(proposal=p, unit=units[code], role="lead" if i % 3 == 0 else "sole",
                                      state="replied", assigned_at=now, objection_due=now.date(), due_date=now.date(),
                                      original_due_date=now.date()))
        if i % 3 == 0:
            assignments.append(Assignment(proposal=p, unit=finance, role="co", state="replied", assigned_at=now,
                                          objection_due=now.date(), due_date=now.date(), original_due_date=now.date()))
    Assignment.objects.bulk_create(assignments, batch_size=500)
    generate_s = time.monotonic() - started

    started = time.monotonic()
    status = store.train_committee(committee)
    train_s = time.monotonic() - started
    review_target = Proposal.objects.create(committee=committee, session=session, state="submitted",
                                            title=history[0][1], body=history[0][2], lead_proposer=member_row,
                                            created_by=member)

    def query_text(i):
        r = random.Random(i)
        if i % 2:
            _code, title, body = history[r.randrange(len(history))]
            sentences = [s for s in body.split("。") if s]
            r.shuffle(sentences)
            return "", "。".join(sentences[: max(1, int(len(sentences) * 0.8))]) + "。"
        return text(r, TOPICS[r.randrange(len(TOPICS))][2])

    texts = [query_text(i) for i in range(args.requests + 1)]
    services.suggest(committee, "proposal", *texts[0])  # load the model once (as the first request of a worker)
    store.similar_index(committee)
    results = {"suggest_service": timed(lambda i: services.suggest(committee, "proposal", *texts[i]), args.requests)}

    staff_token, member_client, staff_client = issue_token(staff), Client(), Client()
    member_client.force_login(member)
    staff_client.force_login(staff)
    headers = {"Authorization": f"Bearer {staff_token}"}

    def api(path, body):
        response = Client().post(path, json.dumps(body), content_type="application/json", headers=headers)
        assert response.status_code == 200, response.content[:300]

    results["suggest_api"] = timed(lambda i: api("/api/v1/text/suggest", {"kind": "proposal", "title": texts[i][0],
                                                                          "body": texts[i][1]}), args.requests)

    def panel(i):
        response = member_client.post("/text/similar/", {"title": texts[i][0], "body": texts[i][1]},
                                      headers={"HX-Request": "true"})
        assert response.status_code == 200 and b"similar-item" in response.content

    results["drafting_panel"] = timed(panel, args.requests)
    results["similar_api"] = timed(lambda i: api("/api/v1/text/similar", {"title": texts[i][0], "body": texts[i][1]}),
                                   args.requests)

    def review(_i):
        response = staff_client.get(f"/text/review/proposal/{review_target.pk}/", headers={"HX-Request": "true"})
        assert response.status_code == 200 and b"suggested-categories" in response.content

    results["review_panel"] = timed(review, max(10, args.requests // 4))
    out = {"size": args.size, "migrate_s": round(migrate_s, 1), "generate_s": round(generate_s, 1),
           "train_s": round(train_s, 1), "trained": status, "load": os.getloadavg(), **results}
    for name, r in results.items():
        print(f"{name:16} median {r['median_ms']:7.1f} ms   p95 {r['p95_ms']:7.1f} ms   cpu {r['cpu_ms']:6.1f} ms/request")
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
