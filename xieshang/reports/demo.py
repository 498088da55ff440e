"""Demo data of the reports: the demo committee's 2024 proposals, as the seed review counts them.

"2024年，293件立案提案办理实现办复率100%" — `load_past_proposals()` imports 293 registered proposals
of 昌吉州政协's 2024 session (十三届三次会议) through the same import as an office would use
(`proposals.services.proposals_import`), every one replied (A/B/C) and most evaluated, so that
`xieshang stats proposals --committee changji --year 2024` prints 293 registered and a reply rate
of 100%. A few of them, with their replies, are published on the public portal.

Idempotent: when the 2024 session already has imported proposals, nothing is done. Meant to be
called from `xieshang demo` after the core demo data (`core.demo_data.load_demo`).
"""

from __future__ import annotations

import io
import random

TOTAL = 293
SEED = 20240108
YEAR = 2024

# (subject, category) from the fields the seed review names.
TOPICS = [
    ("加快自治州数字农业发展", "农业农村"), ("加强农业面源污染防治", "生态文明建设"),
    ("推动番茄加工产业提质增效", "经济建设"), ("做大做强粮油加工产业", "经济建设"),
    ("促进葡萄酒产业高质量发展", "经济建设"), ("支持硅基新材料产业发展", "经济建设"),
    ("推进铝基新材料产业链延伸", "经济建设"), ("推进法治昌吉、法治政府、法治社会一体建设", "政治建设"),
    ("健全普惠托育服务体系", "社会建设"), ("推动医养康养融合发展", "社会建设"),
    ("将铸牢中华民族共同体意识教育融入各学段", "文化建设"), ("推动传统媒体与新媒体融合发展", "文化建设"),
    ("改善农村人居环境", "农业农村"), ("加强高标准农田建设", "农业农村"), ("提升县域医疗服务能力", "社会建设"),
    ("优化营商环境", "经济建设"), ("加强基层社会治理", "政治建设"), ("发展文化旅游产业", "文化建设"),
    ("加强职业教育与产业对接", "文化建设"), ("推进城市更新和老旧小区改造", "社会建设"),
    ("加强水资源节约集约利用", "生态文明建设"), ("推进准东开发区绿色低碳转型", "生态文明建设"),
    ("促进高校毕业生就业创业", "社会建设"), ("完善养老服务体系", "社会建设"),
    ("支持民营企业和中小微企业发展", "经济建设"), ("加强乡村人才队伍建设", "农业农村"),
]
VERBS = ["关于", "关于进一步", "关于切实"]
OUTCOMES = ["A"] * 50 + ["B"] * 35 + ["C"] * 15
VERDICTS = ["满意"] * 80 + ["基本满意"] * 15 + [""] * 5
PUBLIC = 12


def _workbook(names, units, rng) -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["标题", "正文", "提案人", "类别", "届次/年份", "承办单位", "答复类别", "评价", "提案号", "答复内容"])
    for index in range(TOTAL):
        topic, category = TOPICS[index % len(TOPICS)]
        title = f"{VERBS[(index // len(TOPICS)) % len(VERBS)]}{topic}的建议"
        body = (f"一、基本情况\n近年来，自治州围绕“{topic}”做了大量工作，取得了积极成效。\n"
                "二、存在的问题\n一是统筹不够；二是投入不足；三是机制不健全。\n"
                "三、意见建议\n一是加强统筹协调；二是加大政策和资金支持；三是完善长效机制。")
        chosen = rng.sample(units, 1 if rng.random() < 0.6 else 2)
        outcome = rng.choice(OUTCOMES)
        reply = (f"经研究，现就您提出的“{topic}”的建议答复如下：\n一、高度重视，认真研究办理。\n"
                 "二、已采取的措施及取得的成效。\n三、下一步工作打算。\n感谢您对我们工作的关心和支持！")
        sheet.append([title, body, rng.choice(names), category, str(YEAR), "、".join(chosen), outcome,
                      rng.choice(VERDICTS), "", reply])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def load_past_proposals(stdout=None) -> int:
    """Import the demo committee's 2024 proposals; returns how many were created (0 if already there)."""
    from django.contrib.auth import get_user_model
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import transaction

    from xieshang.core.models import Committee, HandlingUnit, Member, Role, RoleAssignment, Session
    from xieshang.proposals.models import Proposal, Reply
    from xieshang.proposals.services import proposals_import

    committee = Committee.objects.filter(code="changji").first()
    session = Session.objects.filter(term__committee=committee, year=YEAR).first() if committee else None
    if session is None:
        return 0
    if Proposal.objects.filter(session=session, imported=True).exists():
        return 0
    staff = (
        get_user_model().objects.filter(
            pk__in=RoleAssignment.objects.filter(committee=committee, role__in=(Role.STAFF, Role.ADMIN)).values("user_id")
        ).order_by("pk").first()
    )
    members = list(Member.objects.filter(committee=committee, is_active=True).values_list("name", flat=True))
    names = sorted({n for n in members if members.count(n) == 1})
    units = list(HandlingUnit.objects.filter(committee=committee, is_active=True).order_by("name").values_list("name", flat=True))
    if staff is None or not names or not units:
        return 0
    rng = random.Random(SEED)
    upload = SimpleUploadedFile(f"{committee.short_name}{YEAR}年提案.xlsx", _workbook(names, units, rng))
    result = proposals_import(actor=staff, committee=committee, file=upload, session=session)
    if not result.ok:
        raise RuntimeError(f"demo proposals could not be imported: {result.errors[:5]}")
    # A few published on the public portal, with their replies (the office's decision to disclose).
    with transaction.atomic():
        public = list(
            Proposal.objects.filter(session=session, imported=True, state="closed").order_by("sequence")
            .values_list("pk", flat=True)[:PUBLIC]
        )
        Proposal.objects.filter(pk__in=public).update(is_public=True)
        Reply.objects.filter(proposal_id__in=public).update(is_public=True)
        Proposal.objects.filter(pk__in=public[:3]).update(is_excellent=True)
    if stdout is not None:
        stdout.write(f"  past proposals ({YEAR}): {result.created} imported, {len(public)} published\n")
    return result.created
