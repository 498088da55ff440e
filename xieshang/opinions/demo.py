"""Demo opinion reports (社情民意信息) of 昌吉州政协: `load(demo, stdout=None)`, called by `xieshang demo`
(declared in declarations.py: `Declarations.demo_loaders`; runs after the proposals' loader).

What it makes
-------------
* Recipients (报送对象): 州委, 州政府 (prefecture) and 自治区政协 (province; what it passes on to 全国政协 is
  recorded as a national adoption by it).
* 2024 and 2025, complete: some 360–390 reports received a year, each submitted by a member (some with
  co-authors), a party or group, a special committee or a liaison station keeper. About 44 % are not used
  (不予采用, with the office's reason), 15 % are combined (2–4 at a time) into combined reports (综合), a
  few are returned for more information and resubmitted or withdrawn; the rest — with the combined
  reports, about 45 % of those received — are edited, approved by the leader (签发) and forwarded in
  numbered bulletin issues (《社情民意》第 N 期, 专报 or 综合; a few issues carry two or three reports) to
  州委 / 州政府 / 自治区政协. About half of the forwarded reports are adopted at prefecture level, a share
  of those sent to 自治区政协 at province level and a few of these at national level (single or combined;
  采用, 摘报 or 转送); about one in ten gets a leader's instruction (批示). Forwarded reports are closed some
  weeks later. Three calls for reports (约稿) a year, each answered by the reports on its topic.
* 2026: the same until the end of September (closed where their time has come), and about twenty reports
  in progress walked through the real services in every state — draft, submitted (one overdue for the
  office), returned, editing, awaiting approval, approved, forwarded (with adoptions and an instruction),
  closed, combined (and the combined report being edited), declined and withdrawn — with an open call
  for reports. `member` and `member2` have reports in several states; `staff`, `leader` and `station`
  have work.

Texts: the themes below (agriculture, education, health care, business environment, ecology, tourism,
social affairs, grassroots governance), written for this project and combined at random with a fixed
seed, so every run writes the same texts.

How (speed and honesty)
-----------------------
Walking some 1,100 reports step by step through `services.opinion_act` would take minutes, so the closed
part of each year is written in bulk, as the proposals' loader does: rows built in Python and inserted with
multi-row INSERTs that keep the timestamps of the year (`raw_insert`, the path `loaddata` uses), with what
the services would have written beside them — one audit event per step (the same actions, states and
payloads), the text versions (the submitter's and the office's edit), the numbers (收稿编号 and 期号 per
year), the forwardings, adoptions and instructions, the "opinion.edit" and "commission.due" deadlines
(met on the day the office decided), the duty facts (submitted; adopted and instruction per level, for
every member author, `authors` and `lead` as the services set them) and the search index. Nobody is
notified about history. The reports in progress in 2026 go through the services with the clock set to the
moment of each step, so their deadlines, timelines and notifications are exactly the application's.

Idempotent: a year that already has opinion reports of the committee is left alone (so a second run
creates nothing, and a year imported from elsewhere is not doubled).
"""

from __future__ import annotations

import datetime
import random
from collections import Counter
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from xieshang.core import calendar, search, timers
from xieshang.core.demo_kit import at, clock, raw_insert
from xieshang.core.models import Deadline, DutyFact, Event, Member, Role, RoleAssignment

from . import services
from .models import (
    Adoption,
    Bulletin,
    Commission,
    Forwarding,
    Instruction,
    Level,
    OpinionAuthor,
    OpinionCategory,
    OpinionReport,
    OpinionState,
    OpinionVersion,
    Recipient,
    SubmitterKind,
)

S = OpinionState
C = OpinionCategory
SEED = 20241205
HISTORY = {2024: 372, 2025: 388}  # reports received a year (the bulk part)
CURRENT_YEAR = 2026
CURRENT_BULK = 280  # 2026 until the end of September
CURRENT_BULK_END = (9, 30)

RECIPIENTS = [("州委", Level.PREFECTURE, 1), ("州政府", Level.PREFECTURE, 2), ("自治区政协", Level.PROVINCE, 3)]
PLACES = ["昌吉市", "阜康市", "呼图壁县", "玛纳斯县", "奇台县", "吉木萨尔县", "木垒县", "准东开发区", "我州"]
LEADERS = {
    Level.PREFECTURE: [("王建国", "州委书记"), ("李明华", "州长"), ("张志强", "州委副书记"), ("刘海燕", "副州长"),
                       ("周文斌", "副州长")],
    Level.PROVINCE: [("陈立新", "自治区政协副主席"), ("赵国庆", "自治区副主席")],
    Level.NATIONAL: [("孙卫东", "全国政协副秘书长")],
}
DECLINE_REASONS = [
    "所反映问题已有部门正在办理，暂不编报。",
    "与近期已报送信息内容重复，留存参考。",
    "反映内容较为笼统，缺少具体事例和数据，留存备查。",
    "所提问题属个案诉求，已转相关部门处理。",
    "信息时效性已过，不再编报。",
]
RETURN_REASONS = [
    "请补充涉及的具体乡镇、村和受影响群众人数。",
    "请补充问题产生的主要原因分析。",
    "建议部分不够具体，请提出可操作的措施。",
]
FILLER = "笔者在走访调研中了解到，群众对此反映较为集中。"

# =====================================================================================================
# Themes (written for this demo): titles, situations, analyses, suggestions; {place} and {a-b} numbers
# =====================================================================================================


@dataclass(frozen=True)
class Theme:
    """A subject: the i-th title, situation, analysis and suggestion belong together (the titles after the
    texts' count are spare wordings, not used for a report's text)."""

    key: str
    category: str
    topic: str  # of a combined report: 关于{topic}的综合建议
    weight: int
    titles: tuple
    situations: tuple
    analyses: tuple
    suggestions: tuple

    def text(self, rng: random.Random, place: str) -> tuple[int, str, str, str, str]:
        """(subject, title, situation, analysis, suggestion) of one subject of the theme, for `place`."""
        k = rng.randrange(len(self.situations))
        title = _fill(rng, self.titles[k], place)
        if rng.random() < 0.3 and title.startswith("关于") and not title.startswith("关于进一步"):
            title = "关于进一步" + title[2:]
        return (k, title[:100], _fill(rng, self.situations[k], place), _fill(rng, self.analyses[k], place),
                _fill(rng, self.suggestions[k], place))


THEMES = [
    Theme("farmland", C.AGRICULTURE, "农业基础设施和农业社会化服务", 10, (
        "关于加快{place}高标准农田后续管护的建议",
        "关于完善{place}农业社会化服务体系的建议",
        "关于加强{place}农产品冷链物流设施建设的建议",
        "关于解决{place}农田灌溉“最后一公里”问题的建议",
        "关于稳定{place}番茄种植面积保障加工原料的建议",
    ), (
        "{place}近年来建成高标准农田{20-60}万亩，但部分田块的渠系、机耕道因缺少管护资金出现损毁，约{5-15}%的高效节水设施不能正常运行。",
        "{place}农业生产托管服务组织已发展到{40-120}家，但规模小、服务单一，能够提供耕种管收全程服务的不足{10-30}家。",
        "今年以来，{place}部分乡镇农产品收获后集中上市，田头预冷和冷藏库容不足，损耗率达到{8-20}%左右。",
    ), (
        "究其原因，一是建后管护责任主体不明确，二是管护经费没有纳入预算，三是村集体和农户参与管护的积极性不高。",
        "主要原因是服务组织融资难、农机更新慢，农户对托管服务的价格和质量心存顾虑。",
        "产地冷链设施建设投入大、回收周期长，经营主体单独建设的意愿不强，已建设施利用率也不高。",
    ), (
        "建议明确县、乡、村三级管护责任，按亩落实管护经费，推行“田长制”，把管护成效纳入乡镇考核。",
        "建议设立农业社会化服务专项扶持资金，支持服务组织购置大型农机具，制定托管服务指导价格和服务标准。",
        "建议统筹各类项目资金在主产乡镇布局一批产地冷藏保鲜设施，由村集体或合作社运营，对用电用地给予优惠。",
    )),
    Theme("school", C.CULTURE, "教育民生", 9, (
        "关于改善{place}乡村学校寄宿条件的建议",
        "关于增加{place}普惠性学前教育学位的建议",
        "关于推进{place}职业教育产教融合的建议",
        "关于加强{place}中小学心理健康教育的建议",
    ), (
        "{place}现有农村寄宿制学校{10-30}所，部分学校宿舍人均面积不足{2-4}平方米，冬季取暖和热水供应难以保障。",
        "随着城镇化推进，{place}城区幼儿园学位紧张，部分公办园班额超过{35-45}人，而乡镇幼儿园生源不足。",
        "{place}职业院校开设专业与本地主导产业匹配度不高，毕业生本地就业率仅为{40-60}%左右。",
    ), (
        "主要原因是早期建设标准偏低、维修资金不足，后勤管理人员配备也跟不上。",
        "学位供给与人口流动不匹配，普惠性民办园扶持政策落实不到位。",
        "校企合作多停留在协议层面，企业参与办学的动力不足，实训设备更新滞后。",
    ), (
        "建议将寄宿条件改善列入年度民生实事，分批改造宿舍和供暖设施，按标准配齐宿管和后勤人员。",
        "建议优化学前教育资源布局，通过新建、改扩建和购买服务增加城区学位，落实普惠性民办园补助。",
        "建议建立专业设置动态调整机制，对深度参与办学的企业给予税费优惠，共建共享实训基地。",
    )),
    Theme("health", C.SOCIETY, "基层医疗卫生", 9, (
        "关于加强{place}基层卫生院人才队伍建设的建议",
        "关于缓解{place}儿科医疗资源紧张的建议",
        "关于推进{place}医养结合服务的建议",
        "关于方便群众异地就医结算的建议",
    ), (
        "{place}乡镇卫生院现有执业医师{60-150}人，其中45岁以上的占{40-60}%，近三年招聘的医学毕业生流失近三分之一。",
        "每到冬春季呼吸道疾病高发期，{place}医院儿科门诊日接诊量达到{300-600}人次，候诊时间长，群众意见较大。",
        "{place}60岁以上老年人占常住人口的{15-22}%，失能半失能老人的医疗护理需求与养老机构的服务能力不匹配。",
    ), (
        "基层岗位待遇偏低、职称晋升难、发展空间小，是留不住人的主要原因。",
        "儿科医生培养周期长、收入相对较低，部分医院压缩了儿科床位。",
        "医疗和养老分属不同部门管理，医保支付、人员资质等政策衔接不够。",
    ), (
        "建议落实基层卫生人才“县管乡用”，提高乡镇工作补贴，在职称评审中单列基层指标。",
        "建议在县级医院设立儿科联合门诊，推行夜间和周末门诊，开展儿科医生转岗培训。",
        "建议支持基层医疗机构与养老机构签约合作，将符合条件的医养结合机构纳入医保定点。",
    )),
    Theme("business", C.ECONOMY, "优化营商环境", 10, (
        "关于进一步压缩{place}工程建设项目审批时限的建议",
        "关于破解{place}中小微企业融资难题的建议",
        "关于加快清理拖欠民营企业账款的建议",
        "关于推动{place}招商引资优惠政策兑现的建议",
        "关于提升{place}政务服务“一网通办”水平的建议",
    ), (
        "调研中，{place}多家企业反映，一般工业项目从立项到开工仍需{60-120}个工作日，中间环节多、往返次数多。",
        "{place}中小微企业贷款平均利率仍在{5-7}%左右，首贷难、续贷难问题突出，抵押物不足的企业很难获得贷款。",
        "部分企业反映，政府投资项目工程款拖欠时间较长，最长的超过{2-4}年，影响企业正常经营。",
    ), (
        "部门之间数据不共享、标准不统一，并联审批落实不到位，是审批时间长的主要原因。",
        "银企信息不对称，政府性融资担保体系作用发挥不充分，风险补偿资金规模偏小。",
        "项目前期资金筹措不实、预算约束不严，清欠工作缺少刚性考核。",
    ), (
        "建议全面推行告知承诺制和区域评估，建立审批事项清单动态管理，实行全程帮办代办。",
        "建议扩大政府性融资担保覆盖面，设立续贷过桥资金，推广“信易贷”等信用贷款产品。",
        "建议建立拖欠账款台账和定期通报制度，把清欠成效纳入营商环境评价。",
    )),
    Theme("ecology", C.ECOLOGY, "生态环境保护", 8, (
        "关于加强{place}农业面源污染防治的建议",
        "关于遏制{place}地下水超采的建议",
        "关于推进{place}农村生活垃圾分类处理的建议",
        "关于加强天山北坡生态保护修复的建议",
    ), (
        "{place}每年使用农膜{1-3}万吨，残膜回收率不足{70-85}%，部分地块土壤中残膜量较高。",
        "{place}地下水位近十年累计下降{5-15}米，部分机电井出水量明显减少。",
        "{place}农村生活垃圾收运体系已基本覆盖，但分类投放率不高，末端处理设施负荷较重。",
    ), (
        "回收网点少、回收价格低，农户回收积极性不高，执法监管也存在薄弱环节。",
        "农业灌溉用水量大，节水措施覆盖不全，取水计量和监管手段不足。",
        "群众分类意识不强，分类收运设施不配套，缺少长效运行经费。",
    ), (
        "建议推广加厚高强度地膜和全生物降解地膜，健全“谁生产谁回收”机制，对回收企业给予补贴。",
        "建议严格地下水取水总量控制，推进机电井计量全覆盖，实行超采区分级管控。",
        "建议因地制宜推行“两次四分”模式，建立积分兑换等激励机制，保障运行经费。",
    )),
    Theme("tourism", C.CULTURE, "文化旅游发展", 7, (
        "关于打造{place}冬季冰雪旅游品牌的建议",
        "关于规范发展{place}乡村民宿的建议",
        "关于提升天山天池景区服务品质的建议",
        "关于推进{place}文旅融合发展的建议",
    ), (
        "{place}冰雪资源丰富，但冬季游客量仅占全年的{10-20}%左右，旅游淡季明显。",
        "{place}乡村民宿已发展到{80-200}家，但经营水平参差不齐，部分民宿消防、卫生条件不达标。",
        "旅游旺季，景区停车场、换乘车辆、餐饮等配套服务紧张，游客投诉主要集中在排队时间长。",
    ), (
        "冰雪旅游产品单一、配套设施不足，宣传推介力度不够。",
        "民宿准入标准和监管职责不明确，从业人员缺少培训。",
        "景区承载能力与客流高峰不匹配，智慧化管理水平不高。",
    ), (
        "建议整合滑雪、温泉、民俗等资源，推出冬季精品线路，加大对冰雪旅游项目的扶持。",
        "建议出台乡村民宿管理办法，明确准入条件和部门职责，开展等级评定和从业人员培训。",
        "建议推行分时预约、错峰游览，增加高峰期换乘运力，完善游客投诉快速处理机制。",
    )),
    Theme("community", C.SOCIETY, "民生保障", 9, (
        "关于加快{place}老旧小区改造的建议",
        "关于完善{place}居家社区养老服务的建议",
        "关于恢复{place}农村客运班线的建议",
        "关于缓解{place}城区停车难的建议",
        "关于促进高校毕业生在{place}就业的建议",
    ), (
        "{place}2000年以前建成的老旧小区还有{40-120}个，普遍存在管网老化、无物业管理、缺少停车位等问题。",
        "{place}社区日间照料中心已建成{20-50}个，但部分中心服务内容少、使用率低，老人“用不上、用不起”。",
        "{place}部分乡镇农村客运班线因客源减少停运，群众出行只能依靠私家车或非法营运车辆。",
    ), (
        "改造资金主要依靠财政投入，居民出资意愿不强，后续管理机制不健全。",
        "运营补贴不足，专业护理人员缺乏，服务项目与老人需求脱节。",
        "客源减少、运营成本上升，补贴政策落实不到位。",
    ), (
        "建议统筹各类资金，按照“先地下后地上”的原则推进改造，同步建立长效管理机制。",
        "建议引入专业机构连锁运营社区养老设施，落实运营补贴，发展助餐、助浴等服务。",
        "建议推行预约响应式公交和城乡客运一体化，落实农村客运运营补贴。",
    )),
    Theme("governance", C.POLITICS, "基层治理", 6, (
        "关于加强{place}基层矛盾纠纷多元化解的建议",
        "关于减轻{place}村（社区）干部负担的建议",
        "关于加强{place}农村法律援助服务的建议",
    ), (
        "{place}基层调解组织每年受理矛盾纠纷{1500-4000}件，其中婚姻家庭、土地流转纠纷占比较高。",
        "调研发现，{place}村（社区）需要填报的各类表格和台账仍有{20-50}项，干部疲于应付。",
        "{place}农村群众法律意识逐步增强，但就近获得法律服务的渠道不多。",
    ), (
        "调解力量分散，专职调解员少，诉调、访调衔接不够顺畅。",
        "部门工作任务层层下沉，准入机制落实不严。",
        "基层法律服务人员不足，法律援助经费偏少。",
    ), (
        "建议整合调解资源，建设县乡两级矛盾纠纷调处化解中心，推广“一站式”服务。",
        "建议严格落实村（社区）工作事项准入制度，精简考核和台账，推行“一表通”。",
        "建议推行“一村一法律顾问”，加大法律援助经费投入，开展巡回法律服务。",
    )),
]
COMMISSION_TOPICS = [
    ("优化营商环境", "围绕审批服务、融资、政策兑现等方面，反映企业和群众的意见建议。", "business"),
    ("乡村振兴和农业现代化", "围绕高标准农田、农业社会化服务、农产品加工和冷链物流等方面征集社情民意信息。", "farmland"),
    ("民生实事", "围绕教育、医疗、养老、出行等群众急难愁盼问题征集社情民意信息。", "community"),
]


def _fill(rng: random.Random, template: str, place: str) -> str:
    import re

    text = template.replace("{place}", place)
    return re.sub(r"\{(\d+)-(\d+)\}", lambda m: str(rng.randint(int(m.group(1)), int(m.group(2)))), text)


# =====================================================================================================
# Infrastructure: the clock and raw inserts are xieshang.core.demo_kit
# =====================================================================================================


class Context:
    """The committee, its people and calendar."""

    def __init__(self, demo: dict):
        self.committee = demo["committee"]
        users = demo["users"]
        self.staff = users["staff"]
        self.leader = users["leader"]
        self.station_user = users.get("station")
        members = demo["members"]
        self.member = members["member"]
        self.member2 = members["member2"]
        self.members = list(Member.objects.filter(committee=self.committee, is_active=True)
                            .select_related("user", "organization").order_by("user__username"))
        self.orgs = list(demo["organizations"].values())
        self.specials = list(demo["special_committees"].values()) if isinstance(
            demo.get("special_committees"), dict) else list(demo.get("special_committees") or [])
        self.station = (RoleAssignment.objects.filter(user=self.station_user, committee=self.committee,
                                                      role=Role.STATION, liaison_station__isnull=False)
                        .values_list("liaison_station_id", flat=True).first()) if self.station_user else None
        self.edit_timer = timers.timer(self.committee, "opinion.edit")
        self.ct = ContentType.objects.get_for_model(OpinionReport)
        self.commission_ct = ContentType.objects.get_for_model(Commission)

    def edit_due(self, day: datetime.date) -> datetime.date:
        return timers.apply(self.committee, *self.edit_timer, day)

    def wd(self, day: datetime.date, n: int) -> datetime.date:
        return calendar.add_working_days(day, n, self.committee)

    def working(self, day: datetime.date) -> datetime.date:
        return calendar.next_working_day(day, self.committee)


def recipients(ctx: Context) -> dict[str, Recipient]:
    out = {}
    for name, level, order in RECIPIENTS:
        row, _created = Recipient.objects.get_or_create(committee=ctx.committee, name=name,
                                                        defaults={"level": level, "sort_order": order})
        out[name] = row
    return out


# =====================================================================================================
# The closed part of a year, in bulk
# =====================================================================================================


@dataclass
class Item:
    report: OpinionReport
    theme: Theme
    authors: list  # [(user, member or None)]
    submitted: datetime.date
    fate: str  # forward, decline, combine, return_withdraw, withdraw, combined (a combined report)
    events: list = field(default_factory=list)  # (when, actor, action, from, to, payload)
    versions: list = field(default_factory=list)
    recipients: list = field(default_factory=list)
    decided: datetime.date | None = None  # the office's decision (the "opinion.edit" deadline met)
    forward_day: datetime.date | None = None
    sources: list = field(default_factory=list)  # of a combined report


class Bulk:
    def __init__(self, ctx: Context, year: int, count: int, last_day: datetime.date, now: datetime.datetime,
                 recipients: dict):
        self.ctx, self.year, self.count, self.last_day, self.now = ctx, year, count, last_day, now
        self.today = timezone.localtime(now).date()
        self.rng = random.Random(SEED + year)
        self.recipients = recipients
        self.items: list[Item] = []
        self.rows: dict[str, list] = {k: [] for k in ("forwardings", "adoptions", "instructions", "bulletins")}
        self.bulletin_recipients: list = []
        self.commissions: list = []

    # -- people ------------------------------------------------------------------------------------------
    def _submitter(self, i: int):
        """(kind, authors [(user, member)], organization, special committee, station)."""
        ctx, rng = self.ctx, self.rng
        if i % 40 == 3:
            forced = ctx.member
        elif i % 40 == 23:
            forced = ctx.member2
        else:
            forced = None
        roll = rng.random()
        if forced is None and roll < 0.08 and ctx.orgs:
            org = rng.choice(ctx.orgs)
            drafter = next((m for m in ctx.members if m.organization_id == org.pk), None)
            return SubmitterKind.ORGANIZATION, [(drafter.user if drafter else ctx.staff, None)], org, None, None
        if forced is None and roll < 0.11 and ctx.specials:
            return SubmitterKind.SPECIAL_COMMITTEE, [(ctx.staff, None)], None, rng.choice(ctx.specials), None
        if forced is None and roll < 0.14 and ctx.station_user is not None:
            return SubmitterKind.STATION, [(ctx.station_user, None)], None, None, ctx.station
        lead = forced or rng.choice(ctx.members)
        authors = [(lead.user, lead)]
        if rng.random() < 0.15:
            for other in rng.sample(ctx.members, rng.choice((1, 1, 2))):
                if other.pk != lead.pk:
                    authors.append((other.user, other))
        return SubmitterKind.MEMBER, authors, None, None, None

    def _day(self, start: datetime.date, lo: int, hi: int) -> datetime.date:
        return self.ctx.wd(start, self.rng.randint(lo, hi))

    def _event(self, item, day, actor, action, frm, to, payload=None, minutes=None):
        when = at(day, minutes if minutes is not None else self.rng.randint(9 * 60 + 30, 18 * 60))
        item.events.append((when, actor, action, frm, to, payload or {}))
        return when

    # -- plan ------------------------------------------------------------------------------------------------
    def plan(self) -> Bulk:
        ctx, rng = self.ctx, self.rng
        first = ctx.working(datetime.date(self.year, 1, 5))
        span = (self.last_day - first).days
        fates = [("decline", 44), ("combine", 15), ("forward", 36), ("return_forward", 3), ("return_withdraw", 1.5),
                 ("withdraw", 0.5)]
        self._commissions()
        for i in range(self.count):
            theme = rng.choices(THEMES, weights=[t.weight for t in THEMES])[0]
            place = rng.choice(PLACES)
            submitted = ctx.working(first + datetime.timedelta(days=int(span * i / self.count)))
            kind, authors, org, special, station = self._submitter(i)
            subject, title, situation, analysis, suggestion = theme.text(rng, place)
            fate = rng.choices([f for f, _w in fates], weights=[w for _f, w in fates])[0]
            lead_member = authors[0][1]
            report = OpinionReport(
                committee=ctx.committee, year=self.year, state=S.SUBMITTED, title=title,
                situation=situation + FILLER, analysis=analysis, suggestion=suggestion, category=theme.category,
                submitter_kind=kind, member=lead_member, organization=org, special_committee=special,
                liaison_station_id=station, created_by=authors[0][0],
            )
            item = Item(report, theme, authors, submitted, fate)
            item.subject = subject
            report._edited_text = (situation, analysis, suggestion)
            commission = self._answers(theme, submitted)
            if commission is not None:
                report.commission = commission
            self.items.append(item)
        for number, item in enumerate(sorted(self.items, key=lambda it: it.submitted), start=1):
            item.report.number = number
        self._walk_all()
        self._bulletins()
        return self

    def _commissions(self) -> None:
        for index, (topic, description, theme_key) in enumerate(COMMISSION_TOPICS):
            start = self.ctx.working(datetime.date(self.year, 2 + index * 3, 10))
            due = self.ctx.working(start + datetime.timedelta(days=45))
            if due >= self.last_day:
                continue
            row = Commission(committee=self.ctx.committee, topic=f"{self.year}年{topic}专题约稿", description=description,
                             due_on=due, state=Commission.State.CLOSED, created_by=self.ctx.staff,
                             created_at=at(start, 10 * 60), closed_at=at(self.ctx.wd(due, 1), 11 * 60), version=2)
            row._theme = theme_key
            row._start = start
            self.commissions.append(row)

    def _answers(self, theme, submitted):
        for row in self.commissions:
            if row._theme == theme.key and row._start <= submitted <= row.due_on and self.rng.random() < 0.8:
                return row
        return None

    def _walk_all(self) -> None:
        combine_pool: dict[tuple, list] = {}  # (theme, subject): reports on one subject are combined
        for item in sorted(self.items, key=lambda it: it.report.number):
            self._walk(item)
            if item.fate == "combine":
                combine_pool.setdefault((item.theme.key, item.subject), []).append(item)
        for (theme_key, _subject), pool in combine_pool.items():
            theme = next(t for t in THEMES if t.key == theme_key)
            while len(pool) >= 2:
                size = min(len(pool), self.rng.choice((2, 2, 3, 3, 4)))
                if len(pool) - size == 1:
                    size = len(pool)
                group, pool = pool[:size], pool[size:]
                self._combine(theme, group)
            for item in pool:  # one left alone: forwarded on its own after all
                item.fate = "forward"
                self._forward_path(item, item.events[-1][0].date())

    def _walk(self, item: Item) -> None:
        ctx, r, rng = self.ctx, item.report, self.rng
        author = item.authors[0][0]
        r.submitted_at = at(item.submitted, rng.randint(9 * 60, 20 * 60))
        r.created_at = r.submitted_at - datetime.timedelta(hours=rng.randint(2, 72))
        item.events.append((r.created_at, author, "create", "", S.DRAFT, {}))
        item.events.append((r.submitted_at, author, "submit", S.DRAFT, S.SUBMITTED, {"number": f"{r.year}-{r.number}"}))
        item.versions.append((1, r.submitted_at, author, False, "提交稿", (r.situation, r.analysis, r.suggestion)))
        day = item.submitted
        if item.fate == "withdraw":
            d = self._day(day, 1, 3)
            self._event(item, d, author, "withdraw", S.SUBMITTED, S.WITHDRAWN)
            r.state = S.WITHDRAWN
            item.decided = None
            item.waived = True
            return
        if item.fate in ("return_forward", "return_withdraw"):
            d = self._day(day, 2, 6)
            reason = rng.choice(RETURN_REASONS)
            self._event(item, d, ctx.staff, "return", S.SUBMITTED, S.RETURNED, {"reason": reason})
            item.decided = d
            if item.fate == "return_withdraw":
                d2 = self._day(d, 5, 15)
                self._event(item, d2, author, "withdraw", S.RETURNED, S.WITHDRAWN)
                r.state = S.WITHDRAWN
                r.return_reason = reason
                return
            day = self._day(d, 3, 8)
            self._event(item, day, author, "resubmit", S.RETURNED, S.SUBMITTED, {"number": f"{r.year}-{r.number}"})
            r.situation = r.situation.replace(FILLER, "") + "据初步统计，涉及群众约" + str(rng.randint(200, 3000)) + "人。" + FILLER
            item.versions.append((2, item.events[-1][0], author, False, "补充后重新提交",
                                  (r.situation, r.analysis, r.suggestion)))
            item.resubmitted_on = day
        if item.fate == "decline":
            d = self._day(day, 1, 3)
            if rng.random() < 0.5:
                self._event(item, d, ctx.staff, "start_editing", S.SUBMITTED, S.EDITING)
                frm = S.EDITING
            else:
                frm = S.SUBMITTED
            d2 = self._day(d, 1, 6)
            reason = rng.choice(DECLINE_REASONS)
            self._event(item, d2, ctx.staff, "decline", frm, S.DECLINED, {"reason": reason})
            r.state, r.decline_reason, item.decided = S.DECLINED, reason, d2
            return
        if item.fate == "combine":
            d = self._day(day, 1, 4)
            self._event(item, d, ctx.staff, "start_editing", S.SUBMITTED, S.EDITING)
            r.state = S.EDITING
            return
        self._forward_path(item, day)

    def _edit(self, item: Item, day: datetime.date, frm: str) -> datetime.date:
        ctx, r = self.ctx, item.report
        d = self._day(day, 1, 3)
        if frm == S.SUBMITTED:
            self._event(item, d, ctx.staff, "start_editing", S.SUBMITTED, S.EDITING)
        situation, analysis, suggestion = r._edited_text if hasattr(r, "_edited_text") else (r.situation, r.analysis,
                                                                                            r.suggestion)
        r.situation, r.analysis, r.suggestion = situation, analysis, suggestion
        d2 = self._day(d, 0, 2)
        number = len(item.versions) + 1
        when = self._event(item, d2, ctx.staff, "edit", S.EDITING, S.EDITING, {"text_version": number})
        item.versions.append((number, when, ctx.staff, True, "文字编辑", (situation, analysis, suggestion)))
        return d2

    def _forward_path(self, item: Item, day: datetime.date) -> None:
        ctx, r, rng = self.ctx, item.report, self.rng
        frm = S.EDITING if r.state == S.EDITING else S.SUBMITTED
        d = self._edit(item, day, frm)
        d = self._day(d, 1, 3)
        self._event(item, d, ctx.staff, "send_for_approval", S.EDITING, S.AWAITING_APPROVAL)
        d = self._day(d, 1, 3)
        r.approved_at = self._event(item, d, ctx.leader, "approve", S.AWAITING_APPROVAL, S.APPROVED)
        r.approved_by = ctx.leader
        item.decided = d
        r.state = S.APPROVED
        item.forward_day = self._day(d, 1, 4)
        roll = rng.random()
        names = (["州委", "州政府"] if roll < 0.5 else ["州委", "州政府", "自治区政协"] if roll < 0.8
                 else ["州委"] if roll < 0.9 else ["自治区政协"])
        item.recipients = [self.recipients[n] for n in names]

    def _combine(self, theme: Theme, group: list[Item]) -> None:
        ctx, rng = self.ctx, self.rng
        day = self._day(max(it.events[-1][0].date() for it in group), 1, 3)
        primary = group[0].report
        authors, seen = [], set()
        for it in group:
            for user, member in it.authors:
                if user.pk not in seen:
                    seen.add(user.pk)
                    authors.append((user, member))
        title = group[0].report.title
        for place in PLACES[:-1]:
            title = title.replace(place, "我州")
        title = title.replace("的建议", "的综合建议")
        situation = "；".join(it.report._edited_text[0].rstrip("。") for it in group[:3]) + "。"
        analysis = group[0].report._edited_text[1]
        suggestion = "综合委员们的意见，" + "另外，".join(it.report._edited_text[2] for it in group[:2])
        report = OpinionReport(
            committee=ctx.committee, year=self.year, state=S.EDITING, title=title[:100],
            situation=situation[:700], analysis=analysis, suggestion=suggestion[:700], category=theme.category,
            submitter_kind=primary.submitter_kind, member=primary.member, organization=primary.organization,
            special_committee=primary.special_committee, liaison_station_id=primary.liaison_station_id,
            is_combined=True, created_by=ctx.staff,
        )
        combined = Item(report, theme, authors, day, "combined", sources=group)
        when = at(day, rng.randint(10 * 60, 17 * 60))
        report.created_at = report.submitted_at = when
        report.editing_by = ctx.staff
        combined.events.append((when, ctx.staff, "create_combined", "", S.EDITING, {"from": group}))
        combined.versions.append((1, when, ctx.staff, True, f"由{len(group)}篇信息综合", (report.situation, report.analysis,
                                                                                     report.suggestion)))
        for it in group:
            it.events.append((when, ctx.staff, "combine", S.EDITING, S.COMBINED,
                              {"into": report, "into_title": report.title, "reports": group}))
            it.report.state = S.COMBINED
            it.report.combined_into = report
            it.decided = day
        report._combined_day = day
        if rng.random() < 0.12:
            d = self._day(day, 2, 6)
            reason = "综合后内容与已报送信息重复，留存参考。"
            self._event(combined, d, ctx.staff, "decline", S.EDITING, S.DECLINED, {"reason": reason})
            report.state, report.decline_reason, combined.decided = S.DECLINED, reason, d
        else:
            self._forward_path(combined, day)
        self.items.append(combined)

    # -- bulletins, adoptions, instructions, closing ---------------------------------------------------------
    def _bulletins(self) -> None:
        ctx, rng = self.ctx, self.rng
        forwarded = sorted([it for it in self.items if it.forward_day is not None], key=lambda it: (it.forward_day,
                                                                                                   it.report.number or 0))
        number, i = 0, 0
        while i < len(forwarded):
            size = rng.choices((1, 2, 3), weights=(65, 25, 10))[0]
            issue = forwarded[i:i + size]
            i += size
            number += 1
            day = max(it.forward_day for it in issue)  # issued when its last report is ready (none before its approval)
            kind = Bulletin.Kind.COMBINED if (len(issue) > 1 or issue[0].report.is_combined) else Bulletin.Kind.SPECIAL
            bulletin = Bulletin(committee=ctx.committee, year=self.year, number=number, kind=kind,
                                title=issue[0].report.title[:100], issued_on=day, signed_by=ctx.leader,
                                signed_by_name=ctx.leader.display_name, created_by=ctx.staff,
                                created_at=at(day, 16 * 60))
            self.rows["bulletins"].append(bulletin)
            names = set()
            for it in issue:
                it.forward_day = day
                self._forwarded(it, bulletin)
                names |= {r.name for r in it.recipients}
            bulletin._recipients = [self.recipients[n] for n, _l, _o in RECIPIENTS if n in names]

    def _forwarded(self, item: Item, bulletin: Bulletin) -> None:
        ctx, r, rng = self.ctx, item.report, self.rng
        day = item.forward_day
        when = self._event(item, day, ctx.staff, "forward", S.APPROVED, S.FORWARDED, {
            "recipients": [x.name for x in item.recipients], "recipient_ids": [x.pk for x in item.recipients],
            "bulletin": f"{bulletin.year}年第{bulletin.number}期", "bulletin_id": bulletin})
        r.forwarded_at = when
        r.bulletin = bulletin
        r.state = S.FORWARDED
        for recipient in item.recipients:
            self.rows["forwardings"].append(Forwarding(report=r, recipient=recipient, bulletin=bulletin, forwarded_on=day))
        last = day
        levels = []
        names = {x.name for x in item.recipients}
        prefecture = [x for x in item.recipients if x.level == Level.PREFECTURE]
        if prefecture and rng.random() < 0.52:
            levels.append((rng.choice(prefecture), Level.PREFECTURE))
        if "自治区政协" in names and rng.random() < 0.35:
            levels.append((self.recipients["自治区政协"], Level.PROVINCE))
            if rng.random() < 0.2:
                levels.append((self.recipients["自治区政协"], Level.NATIONAL))
        adopted_on = day
        for recipient, level in levels:
            adopted_on = adopted_on + datetime.timedelta(days=rng.randint(7, 40))
            if adopted_on >= self.today:
                break
            kind = Adoption.Kind.COMBINED if (r.is_combined or rng.random() < 0.15) else Adoption.Kind.SINGLE
            manner = rng.choices(list(Adoption.Manner.values), weights=(70, 10, 20))[0]
            recorded = at(adopted_on, rng.randint(10 * 60, 17 * 60))
            self.rows["adoptions"].append(Adoption(report=r, recipient=recipient, level=level, kind=kind, manner=manner,
                                                   adopted_on=adopted_on, recorded_by=ctx.staff, recorded_at=recorded))
            item.events.append((recorded, ctx.staff, "record_adoption", "", "", {
                "recipient": recipient.name, "recipient_id": recipient.pk, "level": level, "kind": kind,
                "manner": manner, "adopted_on": adopted_on.isoformat(), "updated": False}))
            item.adopted_levels = [*getattr(item, "adopted_levels", []), (level, adopted_on)]
            last = max(last, adopted_on)
        if rng.random() < (0.25 if levels else 0.03):
            level = levels[0][1] if levels and rng.random() < 0.7 else Level.PREFECTURE
            leader, title = rng.choice(LEADERS[level])
            date = day + datetime.timedelta(days=rng.randint(4, 35))
            if date < self.today:
                text = rng.choice(["请相关部门认真研究，提出具体措施。", "所提建议很有价值，请认真研究吸收。",
                                   "请牵头部门会同有关单位抓好落实，及时反馈。", "此件反映的问题要高度重视，请研究解决。"])
                recorded = at(date, rng.randint(10 * 60, 17 * 60))
                self.rows["instructions"].append(Instruction(report=r, leader_name=leader, leader_title=title,
                                                             level=level, date=date, text=text, recorded_by=ctx.staff,
                                                             recorded_at=recorded))
                item.events.append((recorded, ctx.staff, "record_instruction", "", "", {
                    "leader": leader, "leader_title": title, "level": level, "date": date.isoformat(), "text": text}))
                item.instruction_levels = [*getattr(item, "instruction_levels", []), (level, date)]
                last = max(last, date)
        close_day = ctx.working(last + datetime.timedelta(days=rng.randint(20, 50)))
        if close_day < self.today:
            r.closed_at = self._event(item, close_day, ctx.staff, "close", S.FORWARDED, S.CLOSED)
            r.state = S.CLOSED

    # -- writing -----------------------------------------------------------------------------------------------
    def write(self) -> dict:
        ctx = self.ctx
        late = [e[0] for it in self.items for e in it.events if e[0] >= self.now]
        if late:
            raise ValueError(f"demo opinion reports of {self.year} would have events in the future ({min(late)})")
        raw_insert(Commission, self.commissions)
        raw_insert(Bulletin, self.rows["bulletins"])
        through = Bulletin.recipients.through
        through.objects.bulk_create([through(bulletin_id=b.pk, recipient_id=r.pk) for b in self.rows["bulletins"]
                                     for r in b._recipients])
        combined = [it for it in self.items if it.fate == "combined"]
        last_number = max(it.report.number for it in self.items if it.report.number)
        for n, it in enumerate(sorted(combined, key=lambda it: it.report.created_at), start=last_number + 1):
            it.report.number = n
        for it in self.items:
            it.events.sort(key=lambda e: e[0])
            r = it.report
            r.version = len(it.events)
            r.updated_at = it.events[-1][0]
            r.text_version = len(it.versions)
            if r.state != S.EDITING:
                r.editing_by = None
            else:
                r.editing_by, r.editing_since = ctx.staff, it.events[-1][0]
        raw_insert(OpinionReport, [it.report for it in combined])
        for it in self.items:
            if it.report.combined_into is not None:
                it.report.combined_into_id = it.report.combined_into.pk
        raw_insert(OpinionReport, [it.report for it in self.items if it.fate != "combined"])
        OpinionAuthor.objects.bulk_create([
            OpinionAuthor(report=it.report, user=user, member=member, order=order)
            for it in self.items for order, (user, member) in enumerate(it.authors)
        ])
        raw_insert(OpinionVersion, [
            OpinionVersion(report=it.report, number=n, title=it.report.title, situation=text[0], analysis=text[1],
                           suggestion=text[2], edited_by=who, is_staff_edit=staff, note=note, created_at=when)
            for it in self.items for n, when, who, staff, note, text in it.versions
        ])
        Forwarding.objects.bulk_create(self.rows["forwardings"])
        raw_insert(Adoption, self.rows["adoptions"])
        raw_insert(Instruction, self.rows["instructions"])
        events = []
        for it in self.items:
            r = it.report
            for when, actor, action, frm, to, payload in it.events:
                events.append(Event(
                    created_at=when, actor=actor, committee=ctx.committee, action=f"opinion.{action}",
                    content_type=ctx.ct, object_id=str(r.pk), object_repr=str(r)[:200], from_state=frm, to_state=to,
                    payload=_resolve(payload),
                ))
        for c in self.commissions:
            events.append(Event(created_at=c.created_at, actor=ctx.staff, committee=ctx.committee,
                                action="commission.create", content_type=ctx.commission_ct, object_id=str(c.pk),
                                object_repr=c.topic[:200], to_state="open",
                                payload={"topic": c.topic, "due_on": c.due_on.isoformat()}))
            events.append(Event(created_at=c.closed_at, actor=ctx.staff, committee=ctx.committee,
                                action="commission.close", content_type=ctx.commission_ct, object_id=str(c.pk),
                                object_repr=c.topic[:200], from_state="open", to_state="closed", payload={}))
        events.sort(key=lambda e: e.created_at)
        raw_insert(Event, events)
        self._deadlines()
        self._duty_facts()
        search.index("opinion", [it.report.pk for it in self.items])
        states = Counter(it.report.state for it in self.items)
        return {"reports": len(self.items), "events": len(events), "states": dict(states),
                "bulletins": len(self.rows["bulletins"])}

    def _deadlines(self) -> None:
        ctx = self.ctx
        rows = []
        for it in self.items:
            r = it.report
            start = it.submitted if it.fate != "combined" else r._combined_day
            due = ctx.edit_due(start)
            if r.state == S.WITHDRAWN and it.decided is None:
                state, met = Deadline.State.WAIVED, None
            elif it.decided is not None:
                state, met = Deadline.State.MET, it.decided
            else:
                state, met = Deadline.State.OPEN, None
            rows.append(Deadline(committee=ctx.committee, content_type=ctx.ct, object_id=r.pk, kind="opinion.edit",
                                 party="", due_on=due, original_due_on=due, state=state, met_on=met))
        for c in self.commissions:
            rows.append(Deadline(committee=ctx.committee, content_type=ctx.commission_ct, object_id=c.pk,
                                 kind="commission.due", party="", due_on=c.due_on, original_due_on=c.due_on,
                                 state=Deadline.State.MET, met_on=c.closed_at.date()))
        Deadline.objects.bulk_create(rows, ignore_conflicts=True)

    def _duty_facts(self) -> None:
        ctx = self.ctx
        rows = []
        for it in self.items:
            r = it.report
            members = [m for _u, m in it.authors if m is not None]
            if not members:
                continue
            facts = []
            if it.fate != "combined":  # recorded at (re)submission; a combined report is not submitted
                facts.append(("opinion.submitted", getattr(it, "resubmitted_on", it.submitted)))
            for level, day in getattr(it, "adopted_levels", []):
                facts.append((f"opinion.adopted.{level}", day))
            for level, day in getattr(it, "instruction_levels", []):
                facts.append((f"opinion.instruction.{level}", day))
            for kind, day in dict((k, d) for k, d in facts).items():
                for index, member in enumerate(members):
                    rows.append(DutyFact(committee_id=member.committee_id, member=member, kind=kind, content_type=ctx.ct,
                                         object_id=r.pk, quantity=1, authors=len(members), lead=index == 0,
                                         occurred_on=day))
        DutyFact.objects.bulk_create(rows, ignore_conflicts=True)


def _resolve(value):
    if hasattr(value, "_meta") and hasattr(value, "pk"):
        return value.pk
    if isinstance(value, Item):
        return value.report.pk
    if isinstance(value, dict):
        return {k: _resolve(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_resolve(v) for v in value]
    return value


# =====================================================================================================
# 2026 in progress, through the services
# =====================================================================================================


class Stories:
    """Reports in progress, each step a service call made at its own moment (counted back from today)."""

    def __init__(self, ctx: Context, recipients: dict, today: datetime.date):
        self.ctx, self.recipients, self.today = ctx, recipients, today
        self.rng = random.Random(SEED + 2026)
        self.steps: list = []  # (when, order, fn)
        self.made: dict[str, OpinionReport] = {}

    def ago(self, days: int, minutes: int = 600) -> datetime.datetime:
        day = calendar.add_working_days(self.today, -days, self.ctx.committee) if days else self.today
        return at(day, minutes)

    def _step(self, when, fn):
        self.steps.append((when, len(self.steps), fn))

    def report(self, key: str, author, *, theme=None, when, co=(), **extra):
        rng = self.rng
        theme = theme or rng.choice(THEMES)
        place = rng.choice(PLACES)

        _subject, title, situation, analysis, suggestion = theme.text(rng, place)

        def make():
            self.made[key] = services.opinion_create(
                actor=author, committee=self.ctx.committee, title=title, situation=situation, analysis=analysis,
                suggestion=suggestion, category=theme.category, co_authors=list(co), **extra)

        self._step(when, make)
        return key

    def act(self, key: str, when, actor, action, **data):
        def run():
            result = services.opinion_act(actor=actor, report=self.made[key].pk, action=action, data=data)
            self.made[key] = result
        self._step(when, run)

    def build(self) -> Stories:
        ctx, rc = self.ctx, self.recipients
        staff, leader, m, m2 = ctx.staff, ctx.leader, ctx.member, ctx.member2
        others = [x for x in ctx.members if x.pk not in (m.pk, m2.pk)]
        pick = self.rng.sample(others, 12)
        call = {}

        def open_call():
            call["row"] = services.commission_create(
                actor=staff, committee=ctx.committee, topic=f"{self.today.year}年冬季民生保障专题约稿",
                description="围绕冬季供暖、道路除雪、困难群众生活保障等方面征集社情民意信息。",
                due_on=calendar.add_working_days(self.today, 15, ctx.committee))
        self._step(self.ago(12, 540), open_call)

        self.report("draft", m.user, when=self.ago(2))
        self.report("submitted", m2.user, when=self.ago(3))
        self.act("submitted", self.ago(2, 660), m2.user, "submit")
        self.report("overdue", pick[0].user, when=self.ago(16))
        self.act("overdue", self.ago(15), pick[0].user, "submit")
        self.report("returned", m2.user, when=self.ago(10))
        self.act("returned", self.ago(9), m2.user, "submit")
        self.act("returned", self.ago(6), staff, "return", reason=RETURN_REASONS[0])
        self.report("editing", m.user, when=self.ago(8), co=[m2])
        self.act("editing", self.ago(7), m.user, "submit")
        self.act("editing", self.ago(5), staff, "start_editing")
        self.act("editing", self.ago(4), staff, "edit", body="经编辑的文本：" + FILLER + "建议有关部门尽快研究解决。",
                 note="压缩篇幅")
        self.report("awaiting", pick[1].user, when=self.ago(12))
        self.act("awaiting", self.ago(11), pick[1].user, "submit")
        self.act("awaiting", self.ago(9), staff, "start_editing")
        self.act("awaiting", self.ago(3), staff, "send_for_approval")
        self.report("approved", m.user, when=self.ago(14))
        self.act("approved", self.ago(13), m.user, "submit")
        self.act("approved", self.ago(10), staff, "start_editing")
        self.act("approved", self.ago(6), staff, "send_for_approval")
        self.act("approved", self.ago(2), leader, "approve")
        self.report("forwarded", m.user, when=self.ago(30))
        self.act("forwarded", self.ago(29), m.user, "submit")
        self.act("forwarded", self.ago(27), staff, "start_editing")
        self.act("forwarded", self.ago(25), staff, "send_for_approval")
        self.act("forwarded", self.ago(23), leader, "approve")
        self.act("forwarded", self.ago(22), staff, "forward", recipients=[rc["州委"].pk, rc["州政府"].pk])
        self.act("forwarded", self.ago(10), staff, "record_adoption", recipient=rc["州委"].pk, level="prefecture",
                 kind="single", manner="adopted")
        self.act("forwarded", self.ago(6), staff, "record_instruction", level="prefecture", leader="李明华",
                 leader_title="州长", date=self.ago(7).date().isoformat(), text="请州发改委牵头研究，提出具体措施。")
        self.report("closed", m2.user, when=self.ago(45))
        self.act("closed", self.ago(44), m2.user, "submit")
        self.act("closed", self.ago(42), staff, "start_editing")
        self.act("closed", self.ago(41), staff, "send_for_approval")
        self.act("closed", self.ago(40), leader, "approve")
        self.act("closed", self.ago(39), staff, "forward", recipients=[rc["州委"].pk, rc["自治区政协"].pk])
        self.act("closed", self.ago(25), staff, "record_adoption", recipient=rc["自治区政协"].pk, level="province",
                 kind="single", manner="excerpted")
        self.act("closed", self.ago(12), staff, "record_adoption", recipient=rc["自治区政协"].pk, level="national",
                 kind="combined", manner="adopted")
        self.act("closed", self.ago(3), staff, "close")
        theme = THEMES[2]
        self.report("combine_a", m.user, theme=theme, when=self.ago(9))
        self.act("combine_a", self.ago(8), m.user, "submit")
        self.report("combine_b", pick[2].user, theme=theme, when=self.ago(9, 700))
        self.act("combine_b", self.ago(8, 700), pick[2].user, "submit")

        def combine():
            combined = services.opinion_combine(
                actor=staff, reports=[self.made["combine_a"], self.made["combine_b"]],
                title="关于加强基层医疗卫生人才队伍建设的综合建议",
                situation="多名委员反映，我州基层卫生院人才引不进、留不住，部分乡镇卫生院缺少全科医生。",
                analysis="基层岗位待遇偏低、职称晋升难、发展空间小。",
                suggestion="建议落实“县管乡用”，提高乡镇工作补贴，在职称评审中单列基层指标。",
                category=theme.category)
            self.made["combined"] = combined
        self._step(self.ago(4), combine)
        self.report("declined", pick[3].user, when=self.ago(11))
        self.act("declined", self.ago(10), pick[3].user, "submit")
        self.act("declined", self.ago(7), staff, "decline", reason=DECLINE_REASONS[1])
        self.report("withdrawn", pick[4].user, when=self.ago(6))
        self.act("withdrawn", self.ago(5), pick[4].user, "submit")
        self.act("withdrawn", self.ago(4), pick[4].user, "withdraw")
        if ctx.station_user is not None and ctx.station:
            self.report("station", ctx.station_user, when=self.ago(5), submitter_kind=SubmitterKind.STATION,
                        liaison_station=ctx.station)
            self.act("station", self.ago(5, 800), ctx.station_user, "submit")

        def answer():
            self.made["answer"] = services.opinion_create(
                actor=m2.user, committee=ctx.committee, title="关于做好冬季城区道路除雪保障的建议",
                situation="入冬以来我州出现多次降雪，部分背街小巷和小区出入口积雪清除不及时，老人出行不便。",
                analysis="除雪力量主要集中在主干道，背街小巷责任划分不清。",
                suggestion="建议明确背街小巷除雪责任单位，发动社区和物业共同参与，对重点路段及时撒布融雪剂。",
                category=C.SOCIETY, commission=call["row"])
            services.opinion_act(actor=m2.user, report=self.made["answer"], action="submit")
        self._step(self.ago(1), answer)
        for index, member in enumerate(pick[5:10]):
            key = f"inbox{index}"
            self.report(key, member.user, when=self.ago(index + 1, 480))
            self.act(key, self.ago(index + 1, 520), member.user, "submit")
        return self

    def run(self) -> dict:
        now = timezone.now()
        for when, _order, fn in sorted(self.steps, key=lambda s: s[:2]):
            if when >= now:
                when = now - datetime.timedelta(minutes=5)
            with clock(when):
                fn()
        states = Counter(OpinionReport.objects.filter(pk__in=[r.pk for r in self.made.values()])
                         .values_list("state", flat=True))
        return {"reports": len(self.made), "steps": len(self.steps), "states": dict(states)}


# =====================================================================================================
# The loader
# =====================================================================================================


def load(demo: dict, stdout=None) -> dict:
    """Create the demo opinion reports of 2024–2026 (skipping every year that already has reports)."""
    from xieshang.core import clock as core_clock

    ctx = Context(demo)
    rc = recipients(ctx)
    now = core_clock.now()
    today = timezone.localtime(now).date()
    lines = []
    plan = [(year, count, datetime.date(year, 12, 15)) for year, count in HISTORY.items()]
    plan.append((CURRENT_YEAR, CURRENT_BULK, datetime.date(CURRENT_YEAR, *CURRENT_BULK_END)))
    for year, count, last_day in plan:
        if year > today.year or (year == today.year and last_day >= today):
            continue
        if OpinionReport.objects.filter(committee=ctx.committee, year=year).exists():
            lines.append(f"  opinion reports {year}: already there")
            continue
        done = Bulk(ctx, year, count, last_day, now, rc).plan().write()
        line = (f"  opinion reports {year}: {done['reports']} written in bulk ({done['bulletins']} bulletin issues,"
                f" {done['events']} audit events)")
        if year == CURRENT_YEAR == today.year:
            walked = Stories(ctx, rc, today).build().run()
            line += f"; {walked['reports']} in progress through the services ({walked['steps']} steps)"
        lines.append(line)
    if stdout is not None:
        stdout.write("Demo opinion reports:\n" + "\n".join(lines) + "\n")
    return {"opinion_recipients": rc}
