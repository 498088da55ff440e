"""Demo grassroots consultation (基层协商) of 昌吉州政协: `load(demo, stdout=None)`, called by `xieshang demo`
(declared in declarations.py: `Declarations.demo_loaders`; runs after the proposals' and opinions' loaders).

What it makes (after the committee's 2024 work review: "全州75个基层委员联络站、33个委员工作室 …依托专委会成立
7个界别委员工作室 … 2024年各委员联络站、委员工作室组织协商议事活动近500场次，回应解决各类诉求矛盾300余件")
--------------------------------------------------------------------------------------------------------------
* Places: 75 liaison stations (委员联络站) in the towns and streets of 昌吉市, 阜康市, 呼图壁县, 玛纳斯县, 奇台县,
  吉木萨尔县 and 木垒县, 33 member studios (委员工作室, each named after its member) and 7 sector studios
  (界别委员工作室, each on a special committee) — the core demo's four stations and three studios among them —
  with addresses, opening hours, resident members of the county, and a reception rota (接待日: the 10th and
  20th, or the 15th) at fourteen of them. The demo account `keeper` (password of the demo) keeps 阜康市城关镇委员联络站
  and the member studio of 阜康市; contact accounts (zdgly001 …, no password) keep the other places of the
  first rank; `station` keeps 昌吉市宁边路街道委员联络站 as before.
* 2024 and 2025, complete, under the brand "有事昌商量·邀你建吉言": about 500 activities held a year —
  consultation activities (协商议事活动: topic, notice, invited members and departments, attendance, citizens,
  minutes, an outcome list with owners and due dates) and reception days on the rota (members on duty) —, a
  few cancelled; the members present earn the duty facts "grassroots.activity" / "grassroots.reception_day".
  About 350–380 citizens' demands a year (portal, recorded by a keeper at a reception day, recorded by a
  member): some declined with a reason, most referred to a handling unit (a county government or a bureau
  of the prefecture) and answered — some late, some returned by the unit and referred on, some reopened once
  by an unsatisfied citizen —, others answered by the place itself, a few carried on as a member's opinion
  report; each answer confirmed by the citizen (satisfied or not) or closed without confirmation after the
  quiet period, a third published on the portal with a summary without personal data.
* The current year (2026): the same until some weeks ago, then demands in progress in every state (some
  past their due date against the demo's clock), activities held but not yet closed with open outcomes;
  and about fifteen demands and activities walked through the real services at their own moment (the
  demo accounts `station`, `keeper`, `unit` and `member` have work: to accept, to answer, a reopened one, a
  draft proposal made from a demand), and the reception days of the coming month from the rota (the
  scheduler's `reception_days_plan`).

Texts: the themes below (roads, heating, water, schools, elderly care, farm produce sales, …), written for
this project and combined at random with a fixed seed; citizens' names and phone numbers are made up.

How (speed and honesty)
-----------------------
As the proposals' and opinions' loaders do, the history is written in bulk — rows built in Python and
inserted with the timestamps of their day (`raw_insert`) — with what the services would have written
beside them: one audit event per step (the services' actions, states and payloads), the deadlines
("demand.accept", "demand.answer" per party, "activity.outcome": met on the day, waived or open as the
services leave them), the duty facts of the members present (the rows `core.duty.duty_fact_record` writes,
kinds checked against the declarations), the search index. Nobody is notified about history; no SMS.

Idempotent: a year that already has grassroots activities or demands of the committee is left alone; the
places and accounts are matched by name.
"""

from __future__ import annotations

import datetime
import random
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from xieshang.core import calendar, demo_data, duty, search, timers
from xieshang.core.demo_kit import at, clock, raw_insert
from xieshang.core.models import (
    Deadline, DutyFact, Event, HandlingUnit, LiaisonStation, Member, Role, RoleAssignment, SpecialCommittee, Studio,
)

from . import services
from .models import (
    Activity, ActivityKind, ActivityMember, ActivityState, Attendance, Demand, DemandCategory, DemandSource,
    DemandState, Outcome, OutcomeState, Place, PlaceKind, PlaceMember, Satisfaction,
)
from .services import DUTY_KINDS, TRACKING_ALPHABET, TRACKING_LENGTH

User = get_user_model()
D = DemandState
A = ActivityState
C = DemandCategory
SEED = 20241218
BRAND = "有事昌商量·邀你建吉言"
FIRST_YEAR = 2024
# demands received and consultation activities planned a year (reception days come from the rota)
VOLUME = {2024: (352, 246), 2025: (376, 258)}
CURRENT_VOLUME = (390, 262)  # a whole year at the current rate
IN_PROGRESS_DAYS = 45  # the current year's last weeks: demands still in progress
KEEPER_USERNAME = "zdgly{:03d}"  # 站点管理员: the contact account keeping the n-th place
COUNTY_UNITS = {
    "昌吉市": "昌吉市政府", "阜康市": "阜康市政府", "呼图壁县": "呼图壁县政府", "玛纳斯县": "玛纳斯县政府",
    "奇台县": "奇台县政府", "吉木萨尔县": "吉木萨尔县政府", "木垒县": "木垒县政府",
}

# =====================================================================================================
# Places
# =====================================================================================================

# (county, township or street, station count there) — 75 stations; the core demo's four among them.
STATION_PLAN = {
    "昌吉市": [("宁边路街道", 2), ("延安北路街道", 2), ("北京南路街道", 2), ("中山路街道", 2), ("绿洲路街道", 1),
              ("建国路街道", 1), ("榆树沟街道", 1), ("二六工镇", 1), ("三工镇", 1), ("榆树沟镇", 1), ("硫磺沟镇", 1),
              ("大西渠镇", 1), ("六工镇", 1), ("滨湖镇", 1), ("佃坝镇", 1), ("阿什里哈萨克民族乡", 1)],
    "阜康市": [("城关镇", 1), ("博峰街街道", 1), ("阜新街街道", 1), ("准东街道", 1), ("九运街镇", 1),
              ("滋泥泉子镇", 1), ("上户沟哈萨克族乡", 1), ("水磨沟乡", 1), ("三工河哈萨克族乡", 1), ("城关镇", 1)],
    "呼图壁县": [("呼图壁镇", 2), ("大丰镇", 1), ("五工台镇", 1), ("园户村镇", 1), ("二十里店镇", 1),
                ("雀尔沟镇", 1), ("石梯子哈萨克族乡", 1), ("芳草湖农场", 1)],
    "玛纳斯县": [("玛纳斯镇", 2), ("乐土驿镇", 1), ("包家店镇", 1), ("凉州户镇", 1), ("北五岔镇", 1),
                ("六户地镇", 1), ("兰州湾镇", 1), ("广东地乡", 1), ("塔西河哈萨克族乡", 1)],
    "奇台县": [("奇台镇", 2), ("老奇台镇", 1), ("半截沟镇", 1), ("吉布库镇", 1), ("西地镇", 1), ("碧流河镇", 1),
              ("三个庄子镇", 1), ("东湾镇", 1), ("西北湾镇", 1), ("七户乡", 1)],
    "吉木萨尔县": [("吉木萨尔镇", 2), ("三台镇", 1), ("泉子街镇", 1), ("北庭镇", 1), ("二工镇", 1), ("大有镇", 1), ("庆阳湖乡", 1)],
    "木垒县": [("木垒镇", 2), ("西吉尔镇", 1), ("东城镇", 1), ("英格堡乡", 1), ("照壁山乡", 1), ("大石头乡", 1)],
}
COMMUNITIES = ["幸福社区", "团结社区", "康乐社区", "东苑社区", "文化社区", "育才社区", "和谐社区", "金泉社区"]
CORE_STATIONS = {  # the core demo's stations: (county, township) → name
    ("昌吉市", "宁边路街道"): "昌吉市宁边路街道委员联络站",
    ("昌吉市", "延安北路街道"): "昌吉市延安北路街道委员联络站",
    ("阜康市", "城关镇"): "阜康市城关镇委员联络站",
    ("呼图壁县", "呼图壁镇"): "呼图壁县呼图壁镇委员联络站",
}
# the 7 sector studios: (name, special committee, county, township, sectors of its resident members)
SECTOR_STUDIOS = [
    ("农业界委员工作室", "农业和农村委员会", "昌吉市", "大西渠镇", ("农业界",)),
    ("医药卫生界委员工作室", "教科卫体委员会", "昌吉市", "北京南路街道", ("医药卫生界",)),
    ("经济界委员工作室", "经济委员会", "昌吉市", "延安北路街道", ("经济界", "工商联")),
    ("社会福利和社会保障界委员工作室", "社会和法制委员会", "阜康市", "博峰街街道", ("社会福利和社会保障界", "妇联")),
    ("环境资源界委员工作室", "人口资源环境委员会", "玛纳斯县", "玛纳斯镇", ("科技界", "农业界")),
    ("文化艺术界委员工作室", "文化文史和学习委员会", "奇台县", "奇台镇", ("文化艺术界", "新闻出版界")),
    ("民族宗教界委员工作室", "民族和宗教委员会", "吉木萨尔县", "吉木萨尔镇", ("少数民族界", "宗教界")),
]
MEMBER_STUDIO_COUNTIES = {"昌吉市": 12, "阜康市": 4, "呼图壁县": 4, "玛纳斯县": 4, "奇台县": 4, "吉木萨尔县": 3, "木垒县": 2}
ROTA_PLACES = 14  # places with a reception rota: eight on the 10th and 20th, six on the 15th
OPENING = ["周一至周五 10:00—13:30，16:00—19:30", "周一至周五 10:00—14:00", "每周二、周四 16:00—19:00",
           "工作日 10:30—13:30，16:00—19:30"]
# streets, estates and villages of the addresses in demands (the core demo's)
STREETS = demo_data.ROADS
VILLAGES = demo_data.VILLAGES + ["头屯河村", "小渠子村", "二道渠村", "沙梁子村"]
ESTATES = demo_data.ESTATES + ["康居小区", "供销社家属院"]

# =====================================================================================================
# Demand themes (written for this demo): texts, the place's answer, a unit's answer, the public summary
# =====================================================================================================


@dataclass(frozen=True)
class Theme:
    key: str
    category: str
    weight: int
    bureau: str  # the prefecture's bureau (else the county government answers)
    texts: tuple
    place_answers: tuple
    unit_answers: tuple
    summary: str  # {where}


DEMAND_THEMES = [
    Theme("road", C.SOCIETY, 12, "州交通运输局", (
        "{where}通往镇上的村道有一段三百多米坑洼不平，下雨天积水，电动车和三轮车经常陷住，学生上学也不安全，希望修一修。",
        "{where}小区门口的道路破损严重，井盖松动，晚上开车经过很危险，反映过几次没有结果。",
        "{where}新修的道路没有设置减速带和人行横道，学校门口车速很快，家长们很担心孩子安全。",
    ), (
        "联络站已联系镇村两级现场查看，坑洼路段由村里先用砂石填平，列入明年农村公路养护计划。",
        "经联络站协调，社区和物业已更换松动井盖，路面破损处已临时修补。",
    ), (
        "经现场核实，该路段已纳入今年农村公路养护工程，已于近期完成路面修补和排水边沟清理。",
        "已安排交警和路政部门在学校路段增设减速带、人行横道和警示标志，上下学时段安排人员值守。",
        "该道路维修已列入年度城市道路提升改造计划，施工期间将做好交通疏导。",
    ), "{where}群众反映道路破损、出行不便的问题"),
    Theme("heating", C.SOCIETY, 11, "州住建局", (
        "{where}今年供暖以来室温一直只有十五六度，家里有老人和婴儿，打供热公司电话说在排查但一直没解决。",
        "{where}老楼供暖管道老化，暖气片上热下凉，几户人家反映多次，希望供热单位上门检修。",
        "{where}楼栋单元门坏了关不上，楼道里冷风直灌，水管冬天容易冻，希望物业尽快修好。",
    ), (
        "联络站当天联系供热企业，维修人员已上门排气、清洗过滤器，室温恢复到二十度以上。",
        "经联络站协调，物业已更换单元门闭门器并加装门帘，楼道管道做了保温。",
    ), (
        "供热企业已对该小区二次管网进行水力平衡调整，更换老化阀门，入户复测室温均达到十八度以上。",
        "该小区供热管网已列入明年老旧小区改造计划，今冬先安排专人每日巡查，发现问题随时处理。",
    ), "{where}群众反映冬季供暖温度不达标的问题"),
    Theme("water", C.SOCIETY, 10, "州水利局", (
        "{where}最近自来水经常停水，有时候一停就是一整天，也没有提前通知，生活很不方便。",
        "{where}的自来水有时发黄，烧开后有沉淀，大家担心水质问题，希望有关部门检测一下。",
        "{where}春灌期间渠道渗漏严重，下游几户的地浇不上水，希望对渠道进行防渗改造。",
    ), (
        "联络站联系供水站查明是主管道阀门故障，已维修恢复供水，并约定今后停水提前一天在村群通知。",
        "经联络站协调，村委会组织劳力对渗漏渠段进行了临时修补，保障了本轮灌溉。",
    ), (
        "经水质检测，出厂水和末梢水各项指标均符合国家标准；发黄系管网老化所致，已对该片区管网进行冲洗并列入改造计划。",
        "渠道防渗改造已纳入明年高效节水项目，今年先由水管站加强巡渠，确保按轮次供水。",
        "供水公司已更换老化管段并建立停水提前告知制度，通过短信和社区群提前发布停水信息。",
    ), "{where}群众反映供水不稳定、水质的问题"),
    Theme("school", C.CULTURE, 9, "州教育局", (
        "{where}孩子上学要到镇上，早上天不亮就出门，冬天路上很危险，希望开通校车或者调整上学时间。",
        "{where}附近幼儿园学位紧张，报名要排队，很多孩子只能去很远的地方上学，希望增加学位。",
        "{where}学校门口流动摊贩多，卖的零食没有标签，家长担心食品安全问题。",
    ), (
        "联络站联系学校和教育部门，冬季上学时间推迟半小时，村里安排护学岗。",
        "经联络站协调，市场监管所和学校联合清理了校门口无证摊贩，并设立家长护学岗。",
    ), (
        "已协调开通该线路定制校车，安排专人跟车，冬季根据天气情况调整发车时间。",
        "经统筹，附近公办幼儿园新增两个班、六十个学位，已于秋季学期开始招生。",
        "已组织市场监管、城管部门开展校园周边食品安全专项整治，建立常态化巡查机制。",
    ), "{where}群众反映孩子上学难、学校周边安全的问题"),
    Theme("elderly", C.SOCIETY, 9, "州民政局", (
        "{where}独居老人多，吃饭是个问题，希望社区能办个老年食堂或者提供送餐服务。",
        "{where}老年活动室冬天没有暖气，老人们没地方去，希望能给活动室通上暖气。",
        "{where}有几位高龄老人行动不便，高龄津贴每年都要本人到现场认证，希望能上门办理。",
    ), (
        "联络站协调社区与附近餐馆合作，为独居老人提供助餐服务，每餐收费八元。",
        "经联络站协调，社区已为老年活动室接通暖气，冬季每天开放到晚上七点。",
    ), (
        "已将该社区纳入老年助餐服务点建设，由社区日间照料中心提供助餐和送餐上门服务。",
        "高龄津贴认证已开通手机认证和上门认证服务，行动不便的老人可由社区工作人员上门办理。",
    ), "{where}群众反映老年人助餐、养老服务的问题"),
    Theme("produce", C.AGRICULTURE, 10, "州农业农村局", (
        "{where}今年种的西红柿收获后销路不好，收购价压得很低，不少菜烂在地里，希望帮忙找找销路。",
        "{where}村里的冷库太小，葡萄下来以后存不下，只能低价卖掉，希望能建一个大一点的保鲜库。",
        "{where}养殖户反映牛羊收购价格下跌，饲料价格却上涨，希望能有扶持政策。",
    ), (
        "联络站联系农业界委员工作室和本地加工企业，组织企业到村里集中收购，并在电商平台开展直播带货。",
        "经联络站协调，合作社与城区两家超市签订了直供协议，解决了部分滞销问题。",
    ), (
        "已协调加工企业与合作社签订订单收购协议，并将该村纳入产地冷藏保鲜设施建设项目。",
        "已落实养殖户饲草料补贴政策，组织开展肉牛肉羊保险，并联系屠宰企业开展保底收购。",
        "已在该乡镇布局产地冷链设施一座，由村集体经济合作社运营，明年投入使用。",
    ), "{where}农户反映农产品销售难的问题"),
    Theme("lights", C.SOCIETY, 7, "州住建局", (
        "{where}路灯坏了两个多月，晚上黑漆漆的，老人孩子出行很不方便，希望尽快修好。",
        "{where}小区里的监控一直没有启用，最近有电动车被偷，希望加强治安防范。",
    ), (
        "联络站联系市政部门，当周更换了损坏的路灯线路，恢复照明。",
        "经联络站协调，物业已修复小区监控并与派出所联网，夜间加强巡逻。",
    ), (
        "已对该路段路灯线路进行检修更换，并将其纳入日常巡检范围。",
        "公安机关已在该小区增设监控点位，开展夜间巡逻，被盗电动车已追回两辆。",
    ), "{where}群众反映路灯、治安防范的问题"),
    Theme("property", C.SOCIETY, 7, "州住建局", (
        "{where}小区物业服务差，垃圾清运不及时，物业费却年年涨，业主意见很大。",
        "{where}老旧小区想加装电梯，但是一楼住户不同意，希望社区出面协调。",
    ), (
        "联络站组织业主、物业和社区召开协商会，物业承诺每日清运垃圾并公示收支。",
        "经联络站组织协商，一楼住户与其他业主达成补偿协议，加装电梯申请已提交住建部门。",
    ), (
        "已约谈物业企业，责令限期整改，整改情况纳入物业企业信用评价。",
        "该小区已纳入老旧小区改造项目，加装电梯按政策给予补助，已完成方案公示。",
    ), "{where}业主反映物业服务、老旧小区改造的问题"),
    Theme("bus", C.SOCIETY, 6, "州交通运输局", (
        "{where}到县城的班车原来一天四趟，现在只有两趟，看病买东西都不方便，希望恢复班次。",
        "{where}新建小区附近没有公交站点，居民出行要走一公里多，希望增设站点。",
    ), (
        "联络站向交通部门反映后，客运公司在赶集日增开一趟班车。",
        "经联络站协调，公交公司对线路进行了临时调整，在小区门口增设停靠点。",
    ), (
        "已协调客运企业恢复该线路每日四个班次，并推行预约响应式公交。",
        "已优化公交线路，在该小区附近增设站点两个，于下月起运行。",
    ), "{where}群众反映公交班线少、出行不便的问题"),
    Theme("wages", C.POLITICS, 5, "州人社局", (
        "{where}几位村民在工地干活，工程结束半年了工资还没结清，找包工头也找不到人。",
        "{where}有外出务工的村民反映社保转移接续手续复杂，跑了几趟没办成。",
    ), (
        "联络站帮助村民整理了用工证据，陪同到劳动保障监察部门投诉。",
        "经联络站协调，社保经办人员上门为村民办理了转移接续手续。",
    ), (
        "劳动保障监察大队已立案调查，约谈施工总承包单位，拖欠工资已全部支付到位。",
        "已开通社保关系转移网上办理，并在乡镇便民服务中心设立帮办窗口。",
    ), "{where}务工人员反映工资拖欠、社保办理的问题"),
    Theme("medical", C.SOCIETY, 6, "州卫健委", (
        "{where}卫生室医生退休后一直没有人，村民看个小病也要跑到镇上，希望尽快配上村医。",
        "{where}慢性病老人每个月都要去县医院开药，路远不方便，希望能在乡镇卫生院开药。",
    ), (
        "联络站联系卫生院，每周二、周五安排医生到村卫生室坐诊。",
        "经联络站协调，卫生院与县医院建立了慢病处方延伸机制，老人可在乡镇卫生院取药。",
    ), (
        "已通过“县管乡用”为该村卫生室配备一名乡村医生，并开通远程会诊。",
        "已将常用慢性病药品纳入乡镇卫生院配备目录，慢病患者可就近取药并按规定报销。",
    ), "{where}群众反映就医、开药不便的问题"),
    Theme("environment", C.ECOLOGY, 5, "州生态环境局", (
        "{where}附近一家加工厂晚上排放的气味很大，居民晚上不敢开窗，希望环保部门查一查。",
        "{where}村里的垃圾收集点清运不及时，夏天气味很大，苍蝇多，希望增加清运次数。",
    ), (
        "联络站联系乡镇和村委会，垃圾清运由每周两次增加到每天一次。",
        "经联络站反映，乡镇组织对该厂进行了检查，要求其夜间停止露天作业。",
    ), (
        "生态环境部门已对该企业进行现场检查和监测，责令其完成废气收集处理设施整改。",
        "已将该村纳入农村生活垃圾收运体系，增配收集车辆，实行日产日清。",
    ), "{where}群众反映环境污染、垃圾清运的问题"),
]
DECLINE_REASONS = [
    "所反映问题属于民事纠纷，已告知可向人民调解委员会申请调解或依法向人民法院起诉。",
    "该事项已进入司法程序，联络站不再受理，请依法通过诉讼途径解决。",
    "经核实，该问题已由12345热线受理并答复，不再重复受理。",
    "所反映内容不属于本站受理范围，已告知向户籍所在地乡镇反映。",
    "诉求内容不具体，多次联系反映人未能取得联系，暂不受理，欢迎补充后再次反映。",
]
RETURN_REASONS = [
    "该事项不属于本单位职责，建议转县（市）政府协调办理。",
    "该问题涉及属地管理，请转所在县（市）人民政府办理。",
]
UNSATISFIED_COMMENTS = ["问题还没有彻底解决，希望再跟进一下。", "答复只说了计划，没有说什么时候解决。",
                        "现场看了还是老样子。"]
SATISFIED_COMMENTS = ["", "", "谢谢，问题解决了。", "感谢委员和工作人员，办得很快。", "满意。"]

# Consultation activity topics: (topic, notice, minutes, outcomes [(text, owner kind)])
ACTIVITY_TOPICS = [
    ("老旧小区加装电梯怎么装", "围绕老旧小区加装电梯的资金分摊、低层住户意见和施工安排开展协商。",
     "居民代表、物业和住建部门围绕资金分摊和低层住户补偿充分发言，形成加装电梯协商意见。",
     [("制定加装电梯资金分摊和低层补偿指导意见", "unit"), ("社区组织业主逐栋征求意见", "committee")]),
    ("冬季供暖服务质量提升", "邀请供热企业和住建部门与居民面对面协商冬季供暖中的突出问题。",
     "居民反映室温不达标、报修响应慢等问题，供热企业逐条回应并承诺整改时限。",
     [("对室温不达标的楼栋开展水力平衡调整", "unit"), ("公布供暖报修电话和响应时限", "unit")]),
    ("农产品产销对接", "组织合作社、加工企业和电商平台协商解决番茄、葡萄等农产品销售难题。",
     "合作社与两家加工企业现场达成订单意向，电商平台提出直播带货支持措施。",
     [("组织加工企业与合作社签订订单收购协议", "unit"), ("委员牵头开展电商直播带货培训", "member")]),
    ("农村人居环境整治", "围绕农村生活垃圾收运、厕所改造和村庄绿化开展协商议事。",
     "村民代表对垃圾收运频次、改厕后续管护提出意见，乡镇和相关部门作出回应。",
     [("增加垃圾清运频次，实行日产日清", "unit"), ("建立改厕后续管护队伍", "committee")]),
    ("校园周边交通安全", "邀请学校、交警和家长代表协商解决上下学时段交通拥堵和安全隐患。",
     "家长代表建议设置接送区和护学岗，交警部门同意在学校路段增设交通设施。",
     [("学校路段增设减速带和人行横道", "unit"), ("组织家长志愿者护学岗", "committee")]),
    ("社区居家养老服务", "围绕老年助餐、日间照料和上门服务开展协商。",
     "老年人代表希望助餐点价格实惠、离家近，民政部门介绍了助餐补贴政策。",
     [("建设社区老年助餐点", "unit"), ("委员联系医疗机构开展上门义诊", "member")]),
    ("高标准农田建后管护", "围绕高标准农田渠系和机耕道管护责任、经费开展协商。",
     "种植户和村干部提出管护责任不清、经费不足的问题，农业农村部门介绍管护办法。",
     [("明确村级管护责任人和管护经费", "unit"), ("委员开展农田管护情况调研", "member")]),
    ("农村客运班线恢复", "围绕农村客运班次减少、群众出行难开展协商。",
     "群众代表反映赶集日和就医出行需求，交通部门提出预约响应式公交方案。",
     [("恢复赶集日加班车次", "unit"), ("试点预约响应式公交", "unit")]),
    ("根治欠薪和务工人员权益保障", "邀请人社部门、施工企业和务工人员代表协商工资支付保障。",
     "务工人员反映工资结算周期长、维权渠道不清，人社部门介绍欠薪线索反映渠道。",
     [("在工地醒目位置公示维权信息", "unit"), ("委员开展法律宣传进工地活动", "member")]),
    ("基层医疗服务能力", "围绕村卫生室人员配备和慢性病用药开展协商。",
     "村民反映村医短缺、开药不便，卫健部门介绍乡村医生招聘和慢病用药保障措施。",
     [("为空缺村卫生室配备乡村医生", "unit"), ("开通慢性病药品乡镇卫生院取药", "unit")]),
    ("背街小巷环境提升", "围绕背街小巷路面破损、路灯和停车秩序开展协商。",
     "居民代表建议对破损路面和路灯统一维修，规范停车。",
     [("维修背街小巷破损路面和路灯", "unit"), ("划设停车位，规范停车秩序", "committee")]),
    ("民族团结一家亲，邻里和睦共建", "围绕社区各族群众互帮互助、邻里矛盾调解开展协商。",
     "各族居民代表交流邻里互助经验，社区提出建立邻里调解小组的办法。",
     [("成立邻里矛盾调解小组", "committee"), ("委员结对帮扶困难家庭", "member")]),
]
CANCEL_REASONS = ["因天气原因延期举行。", "因防汛工作安排，活动取消，另行通知。", "主要邀请单位临时有紧急任务，活动取消。"]
RECEPTION_MINUTES = "接待日当天，值班委员接待来访群众{n}人次，现场登记诉求并解答政策咨询。"


def fast_insert(model, rows: list[dict], batch: int = 2000) -> None:
    """INSERT plain rows ({attname: value}; a missing field takes its default) with one prepared statement
    per batch — for the many rows no one needs the primary key of (events, attendance, duty facts,
    deadlines). Values are adapted as Django adapts them for the database (dates, times, decimals, JSON)."""
    from django.db import connections, models, router

    if not rows:
        return
    connection = connections[router.db_for_write(model)]
    ops = connection.ops
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    adapt = []
    for f in fields:
        if isinstance(f, models.DateTimeField):
            adapt.append(ops.adapt_datetimefield_value)
        elif isinstance(f, models.DateField):
            adapt.append(ops.adapt_datefield_value)
        elif isinstance(f, models.DecimalField):
            adapt.append(lambda v, f=f: ops.adapt_decimalfield_value(v, f.max_digits, f.decimal_places))
        elif isinstance(f, models.JSONField):
            adapt.append(lambda v, f=f: f.get_db_prep_save(v, connection))
        else:
            adapt.append(None)
    defaults = {f.attname: f.get_default() for f in fields}
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        ops.quote_name(model._meta.db_table), ", ".join(ops.quote_name(f.column) for f in fields),
        ", ".join(["%s"] * len(fields)))
    names = [f.attname for f in fields]
    values = []
    for row in rows:
        out = []
        for name, fn in zip(names, adapt, strict=True):
            v = row[name] if name in row else defaults[name]
            out.append(fn(v) if fn is not None and v is not None else v)
        values.append(out)
    with connection.cursor() as cursor:
        for start in range(0, len(values), batch):
            cursor.executemany(sql, values[start:start + batch])


def _fill(rng: random.Random, text: str, where: str) -> str:
    return text.replace("{where}", where)


# =====================================================================================================
# The context: committee, people, places
# =====================================================================================================


class Context:
    def __init__(self, demo: dict):
        self.demo = demo
        self.committee = demo["committee"]
        users = demo["users"]
        self.staff = users["staff"]
        self.station_user = users.get("station")
        self.members = list(Member.objects.filter(committee=self.committee, is_active=True)
                            .select_related("user", "sector").order_by("user__username", "pk"))
        self.member = demo["members"].get("member")
        self.specials = {sc.name: sc for sc in SpecialCommittee.objects.filter(committee=self.committee)}
        self.units = {u.short_name: u for u in HandlingUnit.objects.filter(committee=self.committee, is_active=True)}
        self.demand_ct = ContentType.objects.get_for_model(Demand)
        self.activity_ct = ContentType.objects.get_for_model(Activity)
        self.outcome_ct = ContentType.objects.get_for_model(Outcome)
        self.timer = {k: timers.timer(self.committee, k) for k in ("demand.accept", "demand.answer", "demand.quiet")}
        self._due: dict = {}
        self._wd: dict = {}
        self.now = timezone.now()
        self._working: dict = {}
        self.places: list[Place] = []
        self.residents: dict[int, list[Member]] = {}
        self.keepers: dict[int, User] = {}

    def due(self, key: str, start: datetime.date) -> datetime.date:
        k = (key, start)
        if k not in self._due:
            self._due[k] = timers.apply(self.committee, *self.timer[key], start)
        return self._due[k]

    def wd(self, day: datetime.date, n: int) -> datetime.date:
        key = (day, n)
        if key not in self._wd:
            self._wd[key] = calendar.add_working_days(day, n, self.committee)
        return self._wd[key]

    def working(self, day: datetime.date) -> datetime.date:
        """`day`, or the next working day when it is not one."""
        if day not in self._working:
            ok = calendar.is_working_day(day, self.committee)
            self._working[day] = day if ok else calendar.next_working_day(day, self.committee)
        return self._working[day]

    def county_of(self, member: Member) -> str:
        address = member.address or ""
        for county in STATION_PLAN:
            if address.startswith(county):
                return county
        return "昌吉市"

    def keeper(self, place: Place):
        return self.keepers.get(place.pk) or self.staff


def _station_rows(ctx: Context) -> list[dict]:
    """The 75 stations: name, county, township, short name."""
    rows = []
    community = 0
    for county, towns in STATION_PLAN.items():
        seen = Counter()
        for town, count in towns:
            for _i in range(count):
                seen[town] += 1
                if seen[town] == 1:
                    name = CORE_STATIONS.get((county, town)) or f"{county}{town}委员联络站"
                    short = f"{town}联络站"
                else:
                    place = COMMUNITIES[community % len(COMMUNITIES)]
                    community += 1
                    name, short = f"{county}{town}{place}委员联络站", f"{place}联络站"
                rows.append({"name": name, "short": short[:40], "county": county, "township": town})
    assert len(rows) == 75 and len({r["name"] for r in rows}) == 75, len(rows)
    return rows


def _address(rng: random.Random, county: str, township: str) -> str:
    if township.endswith("街道"):
        return f"{county}{rng.choice(STREETS[county])}{rng.randint(8, 260)}号{township}党群服务中心"
    return f"{county}{township}便民服务中心{rng.choice(['一楼', '二楼', '东侧'])}"


def places(ctx: Context, rng: random.Random) -> list[Place]:
    """The 115 places, their stations and studios, residents and rota (matched by name: idempotent)."""
    committee = ctx.committee
    stations = _station_rows(ctx)
    by_county: dict[str, list[Member]] = {}
    for m in ctx.members:
        by_county.setdefault(ctx.county_of(m), []).append(m)
    by_sector: dict[str, list[Member]] = {}
    for m in ctx.members:
        by_sector.setdefault(m.sector.name if m.sector_id else "", []).append(m)
    studio_members: list[tuple[Member, str, str]] = []  # (member, county, township)
    used = set()
    if ctx.member is not None:
        studio_members.append((ctx.member, "昌吉市", "二六工镇"))
        used.add(ctx.member.pk)
    for county, count in MEMBER_STUDIO_COUNTIES.items():
        pool = [m for m in by_county.get(county, []) if m.pk not in used and m.user_id]
        pool = pool or [m for m in ctx.members if m.pk not in used]
        towns = [t for t, _n in STATION_PLAN[county]]
        want = count - (1 if county == "昌吉市" and ctx.member is not None else 0)
        if county == "玛纳斯县":
            want -= 1  # the core demo's 马晓燕委员工作室
        for m in rng.sample(pool, min(want, len(pool))):
            used.add(m.pk)
            studio_members.append((m, county, rng.choice(towns)))
    specs = []  # (kind, name, short, county, township, special committee, members)
    for s in stations:
        specs.append(("station", s["name"], s["short"], s["county"], s["township"], None, None))
    specs.append(("member_studio", "马晓燕委员工作室", "马晓燕工作室", "玛纳斯县", "玛纳斯镇", None, None))
    for m, county, town in studio_members:
        specs.append(("member_studio", f"{m.name}委员工作室", f"{m.name}工作室", county, town, None, m))
    for name, sc, county, town, sectors in SECTOR_STUDIOS:
        specs.append(("sector_studio", name, name.replace("委员工作室", "工作室"), county, town, ctx.specials.get(sc),
                      sectors))
    existing_stations = {s.name: s for s in LiaisonStation.objects.filter(committee=committee)}
    existing_studios = {s.name: s for s in Studio.objects.filter(committee=committee)}
    new_stations, new_studios = [], []
    for order, (kind, name, short, county, town, _sc, _m) in enumerate(specs, 1):
        if kind == "station" and name not in existing_stations:
            new_stations.append(LiaisonStation(committee=committee, name=name, short_name=short,
                                               address=_address(rng, county, town), sort_order=order))
        elif kind != "station" and name not in existing_studios:
            new_studios.append(Studio(committee=committee, name=name, short_name=short[:40],
                                      kind="sector" if kind == "sector_studio" else "member",
                                      address=_address(rng, county, town), sort_order=order))
    LiaisonStation.objects.bulk_create(new_stations)
    Studio.objects.bulk_create(new_studios)
    existing_stations = {s.name: s for s in LiaisonStation.objects.filter(committee=committee)}
    existing_studios = {s.name: s for s in Studio.objects.filter(committee=committee)}
    have = {(p.station_id, p.studio_id): p for p in Place.objects.filter(committee=committee)}
    rota_rng = random.Random(SEED + 7)
    rota_names = set(rota_rng.sample([s[1] for s in specs if s[0] == "station"], ROTA_PLACES - 1))
    rota_names.add("昌吉市宁边路街道委员联络站")
    rota_order = sorted(rota_names)
    new_places, member_of_place = [], {}
    for order, (kind, name, _short, county, town, sc, who) in enumerate(specs, 1):
        row = existing_stations[name] if kind == "station" else existing_studios[name]
        key = (row.pk, None) if kind == "station" else (None, row.pk)
        if key in have:
            place = have[key]
        else:
            rota = ""
            if name in rota_names:
                rota = "10,20" if rota_order.index(name) % 7 < 4 else "15"
            place = Place(committee=committee, station=row if kind == "station" else None,
                          studio=row if kind != "station" else None, kind=kind, name=name, county=county,
                          township=town, address=row.address, special_committee=sc, reception_days=rota,
                          on_duty=2, opening_hours=rng.choice(OPENING),
                          phone=f"0994-{rng.choice('2356')}{rng.randrange(10**6):06d}",
                          public=not (kind == "member_studio" and order % 11 == 0), sort_order=order)
            new_places.append(place)
        member_of_place[name] = (place, kind, county, sc, who)
    Place.objects.bulk_create(new_places)
    out = [member_of_place[s[1]][0] for s in specs]
    # Residents (new places only): members of the county; a member studio its member; a sector studio its sectors.
    have_res = set(PlaceMember.objects.filter(place__committee=committee).values_list("place_id", flat=True))
    res_rows = []
    for place, kind, county, _sc, who in member_of_place.values():
        if place.pk in have_res:
            continue
        if kind == "member_studio":
            chosen = [who] if isinstance(who, Member) else []
            pool = [m for m in by_county.get(county, []) if m not in chosen]
            chosen += rng.sample(pool, min(rng.randint(1, 2), len(pool)))
            if not chosen:
                chosen = rng.sample(ctx.members, 2)
        elif kind == "sector_studio":
            pool = [m for s in who for m in by_sector.get(s, [])]
            chosen = rng.sample(pool, min(rng.randint(4, 6), len(pool)))
        else:
            pool = by_county.get(county) or ctx.members
            chosen = rng.sample(pool, min(rng.randint(3, 5), len(pool)))
        res_rows += [PlaceMember(place=place, member=m) for m in {m.pk: m for m in chosen}.values()]
    PlaceMember.objects.bulk_create(res_rows, ignore_conflicts=True)
    ctx.places = out
    ctx.residents = {}
    by_pk = {m.pk: m for m in ctx.members}
    for place_id, member_id in PlaceMember.objects.filter(place__in=out).values_list("place_id", "member_id").order_by("id"):
        if member_id in by_pk:
            ctx.residents.setdefault(place_id, []).append(by_pk[member_id])
    return out


def keepers(ctx: Context) -> dict:
    """The demo account `keeper` and contact accounts for the first-rank places (stations of the towns and
    streets named first in each county, and the sector studios); `station` keeps its station already."""
    committee, password = ctx.committee, ctx.demo.get("password", "xieshang-demo")
    by_name = {p.name: p for p in ctx.places}
    keeper_places = [by_name["阜康市城关镇委员联络站"]]
    fukang_studio = next((p for p in ctx.places if p.kind == PlaceKind.MEMBER_STUDIO and p.county == "阜康市"), None)
    if fukang_studio is not None:
        keeper_places.append(fukang_studio)
    user = User.objects.filter(username="keeper").first()
    if user is None:
        user = User.objects.create(username="keeper", full_name="古丽娜尔·吐尔逊", phone="13909945120",
                                   email="keeper@demo.xieshang.example", password=make_password(password), is_active=True)
    elif not user.check_password(password):
        user.set_password(password)
        user.save(update_fields=["password"])
    for place in keeper_places:
        _bind(user, committee, place)
    first_rank = [p for p in ctx.places if p.kind == PlaceKind.SECTOR_STUDIO]
    seen_counties: Counter = Counter()
    for p in ctx.places:
        if p.kind == PlaceKind.STATION and seen_counties[p.county] < 4:
            seen_counties[p.county] += 1
            first_rank.append(p)
    rng = random.Random(SEED + 3)
    for index, place in enumerate(first_rank, 1):
        if place in keeper_places or place.name == "昌吉市宁边路街道委员联络站":
            continue
        username = KEEPER_USERNAME.format(index)
        contact = User.objects.filter(username=username).first()
        if contact is None:
            contact = User.objects.create(username=username, full_name=demo_data._name(rng, "汉族", rng.random() < 0.6),
                                          phone=f"1390994{rng.randrange(10**4):04d}", password=make_password(None),
                                          is_active=True)
        _bind(contact, committee, place)
    ctx.keepers = {}
    for ra in (RoleAssignment.objects.filter(committee=committee, role=Role.STATION, user__is_active=True)
               .select_related("user").order_by("user__username")):
        for place in ctx.places:
            if (place.station_id and place.station_id == ra.liaison_station_id) or (
                    place.studio_id and place.studio_id == ra.studio_id):
                ctx.keepers.setdefault(place.pk, ra.user)
    return {"keeper": user, "keeper_places": keeper_places}


def _bind(user, committee, place: Place) -> None:
    if place.station_id:
        RoleAssignment.objects.get_or_create(user=user, committee=committee, role=Role.STATION,
                                             liaison_station_id=place.station_id)
    else:
        RoleAssignment.objects.get_or_create(user=user, committee=committee, role=Role.STATION, studio_id=place.studio_id)


# =====================================================================================================
# A year in bulk
# =====================================================================================================


@dataclass
class Plan:
    """A demand being written: its row, its steps (events) and its deadlines as the services leave them."""

    demand: Demand
    events: list = field(default_factory=list)  # (when, actor, action, from, to, payload)
    deadlines: dict = field(default_factory=dict)  # (kind, party) -> [due, original, state, met_on]


class Year:
    """One year (or the current year up to `until`) of activities and demands, written in bulk."""

    def __init__(self, ctx: Context, year: int, volume: tuple[int, int], until: datetime.date, today: datetime.date,
                 scale: float = 1.0, codes: set | None = None):
        self.ctx, self.year, self.until, self.today = ctx, year, until, today
        self.rng = random.Random(SEED + year)
        self.demands_n = max(1, round(volume[0] * scale))
        self.consult_n = max(1, round(volume[1] * scale))
        self.scale = scale
        self.codes = codes if codes is not None else set()
        self.activities: list[Activity] = []
        self.att: list[tuple[Activity, Member, str]] = []
        self.units_invited: list = []
        self.units_present: list = []
        self.outcomes: list[Outcome] = []
        self.act_events: list = []
        self.plans: list[Plan] = []
        self.first = datetime.date(year, 1, 1)
        self.last = min(datetime.date(year, 12, 31), until)

    # --- helpers ---------------------------------------------------------------------------------------

    def day_between(self, start: datetime.date, end: datetime.date) -> datetime.date:
        span = (end - start).days
        return start + datetime.timedelta(days=self.rng.randint(0, max(span, 0)))

    def working_day_between(self, start, end) -> datetime.date:
        return self.ctx.working(self.day_between(start, end))

    def in_scope(self, day: datetime.date) -> bool:
        return day <= self.last

    # --- activities --------------------------------------------------------------------------------------

    def plan_activities(self) -> None:
        ctx, rng = self.ctx, self.rng
        places = ctx.places
        weights = [4 if p.kind == PlaceKind.STATION else (5 if p.kind == PlaceKind.SECTOR_STUDIO else 2) for p in places]
        for _i in range(self.consult_n):
            place = rng.choices(places, weights)[0]
            day = self.working_day_between(self.first + datetime.timedelta(days=10), self.last)
            if day > self.last:
                continue
            self._activity(place, ActivityKind.CONSULTATION, day)
        for place in places:
            for day_of_month in place.rota_days():
                for month in range(1, 13):
                    try:
                        day = datetime.date(self.year, month, day_of_month)
                    except ValueError:
                        continue
                    if day > self.last or (self.scale < 1 and rng.random() > self.scale):
                        continue
                    self._activity(place, ActivityKind.RECEPTION_DAY, day)

    def _activity(self, place: Place, kind: str, day: datetime.date) -> None:
        ctx, rng = self.ctx, self.rng
        keeper = ctx.keeper(place)
        residents = ctx.residents.get(place.pk) or rng.sample(ctx.members, 2)
        cancelled = rng.random() < (0.03 if kind == ActivityKind.RECEPTION_DAY else 0.05)
        recent = (self.today - day).days < 21
        if kind == ActivityKind.CONSULTATION:
            topic, notice, minutes, outcomes = rng.choice(ACTIVITY_TOPICS)
            where = place.township or place.county
            topic_text = f"“{BRAND}”{where}{topic}协商议事会"[:120]
            invited = list(residents) + rng.sample(ctx.members, rng.randint(1, 3))
            invited = list({m.pk: m for m in invited}.values())[:7]
            unit_names = [COUNTY_UNITS[place.county]] + rng.sample(sorted(ctx.units), 1)
            units = [ctx.units[n] for n in unit_names if n in ctx.units]
            citizens = rng.randint(12, 45)
            created = day - datetime.timedelta(days=rng.randint(7, 20))
            start = datetime.time(rng.choice([10, 11, 16]), 30)
        else:
            topic_text = f"{place.name}接待日"[:120]
            notice = f"{place.name}“{BRAND}”委员接待日，欢迎群众来访反映诉求。"
            minutes = ""
            outcomes = []
            start = datetime.time(10, 30)
            rota = residents
            begin = (day.toordinal() // 10) % len(rota)
            invited = [rota[(begin + k) % len(rota)] for k in range(min(place.on_duty, len(rota)))]
            units = []
            citizens = rng.randint(2, 15)
            created = day - datetime.timedelta(days=rng.randint(20, 30))
        created = max(created, self.first - datetime.timedelta(days=20))
        created_at = at(created, rng.randint(540, 1080))
        published_at = at(created + datetime.timedelta(days=rng.randint(0, 3)), rng.randint(540, 1080))
        if published_at > at(day, 0):
            published_at = at(day - datetime.timedelta(days=1), 600)
        held_at = at(day, start.hour * 60 + start.minute + 150)
        if cancelled:
            state = A.CANCELLED
        elif (recent and kind == ActivityKind.CONSULTATION) or (self.today - day).days < 4:
            state = A.HELD
        else:
            state = A.CLOSED
        act = Activity(committee=ctx.committee, kind=kind, place=place, special_committee=place.special_committee,
                       topic=topic_text, notice=notice, date=day, start_time=start, location=place.address,
                       citizens_invited="社区居民代表、村民代表" if kind == ActivityKind.CONSULTATION else "",
                       citizens_count=0 if cancelled else citizens,
                       minutes="" if cancelled else (minutes or RECEPTION_MINUTES.replace("{n}", str(citizens))),
                       state=state, published_at=published_at, held_at=None if cancelled else held_at,
                       created_by=keeper, created_at=created_at)
        self.activities.append(act)
        events = [(created_at, keeper, "create", "", A.PLANNED, {"place": place.pk, "special_committee":
                   place.special_committee_id, "kind": kind}),
                  (published_at, keeper, "publish", A.PLANNED, A.PUBLISHED, {})]
        if kind == ActivityKind.RECEPTION_DAY:
            events = [(created_at, None, "create", "", A.PUBLISHED, {"rota": True})]
            act.published_at, act.created_by = created_at, None  # the scheduler's (reception_days_plan)
        version = len(events)
        present = []
        if cancelled:
            when = at(day - datetime.timedelta(days=1), 900)
            events.append((when, keeper, "cancel", A.PUBLISHED, A.CANCELLED, {"reason": rng.choice(CANCEL_REASONS)}))
            version += 1
            for m in invited:
                self.att.append((act, m, Attendance.INVITED))
        else:
            leave = []
            for m in invited:
                r = rng.random()
                status = Attendance.PRESENT if r < 0.86 else (Attendance.LEAVE if r < 0.95 else Attendance.ABSENT)
                if kind == ActivityKind.RECEPTION_DAY and r < 0.95:
                    status = Attendance.PRESENT
                self.att.append((act, m, status))
                if status == Attendance.PRESENT:
                    present.append(m)
                elif status == Attendance.LEAVE:
                    leave.append(m)
            units_present = [u for u in units if rng.random() < 0.9]
            self.units_present += [(act, u) for u in units_present]
            events.append((held_at, keeper, "hold", A.PUBLISHED, A.HELD,
                           {"present": len(present), "leave": len(leave), "citizens": citizens}))
            version += 1
            for text, owner in outcomes:
                outcome_when = held_at + datetime.timedelta(minutes=rng.randint(30, 600))
                due = day + datetime.timedelta(days=rng.choice([30, 45, 60, 90]))
                done_on = None
                if due <= self.today or rng.random() < 0.5:
                    done_on = day + datetime.timedelta(days=rng.randint(10, (due - day).days + (20 if rng.random() < 0.15 else 0)))
                    if done_on >= self.today:
                        done_on = None
                unit = member = None
                if owner == "unit":
                    unit = units[0] if units else None
                    if unit is None:
                        owner = "committee"
                if owner == "member":
                    member = (present or invited)[0]
                row = Outcome(activity=act, committee=ctx.committee, text=text, owner_kind=owner, owner_unit=unit,
                              owner_member=member, due_on=due, state=OutcomeState.DONE if done_on else OutcomeState.OPEN,
                              done_on=done_on, note="已完成。" if done_on else "", created_at=outcome_when)
                self.outcomes.append(row)
                events.append((outcome_when, keeper, "outcome_add", None, None, {"outcome": row, "owner": owner}))
                if done_on:
                    events.append((at(done_on, 660), keeper, "outcome_done", None, None, {"outcome": row}))
            if state == A.CLOSED:
                close_day = day + datetime.timedelta(days=rng.randint(3, 15))
                close_day = min(close_day, self.today - datetime.timedelta(days=1))
                events.append((at(close_day, 700), keeper, "close", A.HELD, A.CLOSED, {}))
                version += 1
        self.units_invited += [(act, u) for u in units]
        act.version = version
        act._events = events
        act._present = present

    # --- demands -------------------------------------------------------------------------------------------

    def plan_demands(self) -> None:
        ctx, rng = self.ctx, self.rng
        reception = [a for a in self.activities if a.state != A.CANCELLED and a.kind == ActivityKind.RECEPTION_DAY]
        consultations = [a for a in self.activities if a.state != A.CANCELLED and a.kind == ActivityKind.CONSULTATION]
        weights = [5 if p.kind == PlaceKind.STATION else (1 if p.kind == PlaceKind.SECTOR_STUDIO else 2) for p in ctx.places]
        public_places = [(p, w) for p, w in zip(ctx.places, weights, strict=True) if p.public]
        for index in range(self.demands_n):
            r = rng.random()
            activity = None
            if r < 0.25 and reception:
                activity = rng.choice(reception)
                source, place, day = DemandSource.KEEPER, activity.place, activity.date
            elif r < 0.30 and consultations:
                activity = rng.choice(consultations)
                source, place, day = DemandSource.KEEPER, activity.place, activity.date
            else:
                source = DemandSource.PORTAL if r < 0.75 else (DemandSource.KEEPER if r < 0.9 else DemandSource.MEMBER)
                place = rng.choices([p for p, _w in public_places], [w for _p, w in public_places])[0]
                day = self.day_between(self.first, self.last)
                if source != DemandSource.PORTAL:
                    day = ctx.working(day)
            if day > self.last:
                continue
            self.plans.append(self._demand(index, place, source, day, activity))

    def _code(self) -> str:
        while True:
            code = "".join(self.rng.choice(TRACKING_ALPHABET) for _i in range(TRACKING_LENGTH))
            if code not in self.codes:
                self.codes.add(code)
                return code

    def _demand(self, index: int, place: Place, source: str, day: datetime.date, activity) -> Plan:
        ctx, rng = self.ctx, self.rng
        theme = rng.choices(DEMAND_THEMES, [t.weight for t in DEMAND_THEMES])[0]
        if place.township.endswith("街道") or place.kind != PlaceKind.STATION:
            where = f"{place.county}{rng.choice(STREETS[place.county])}{rng.choice(ESTATES)}"
        else:
            where = f"{place.county}{place.township}{rng.choice(VILLAGES)}"
        text = _fill(rng, rng.choice(theme.texts), where)
        keeper = ctx.keeper(place)
        residents = ctx.residents.get(place.pk) or ctx.members[:1]
        recorder = None
        if source == DemandSource.KEEPER:
            recorder = keeper
        elif source == DemandSource.MEMBER:
            member = rng.choice(residents)
            recorder = member.user if member.user_id else keeper
            if not member.user_id:
                source = DemandSource.KEEPER
        female = rng.random() < 0.45
        ethnicity = rng.choices(["汉族", "回族", "哈萨克族", "维吾尔族"], [62, 18, 12, 8])[0]
        created_at = at(day, rng.randint(480, 1260) if source == DemandSource.PORTAL else rng.randint(600, 1140))
        demand = Demand(
            committee=ctx.committee, place=place, activity=activity, tracking_code=self._code(), source=source, text=text,
            category=theme.category, citizen_name=demo_data._name(rng, ethnicity, female) if rng.random() < 0.8 else "",
            phone=f"1{rng.choice('35789')}{rng.randrange(10**9):09d}", state=D.RECEIVED, received_on=day,
            recorded_by=recorder, created_at=created_at,
        )
        plan = Plan(demand)
        plan.theme, plan.where, plan.keeper = theme, where, keeper
        plan.events.append((created_at, recorder, "create", "", D.RECEIVED,
                            {"source": source, "place": place.pk}))
        self._open(plan, "demand.accept", "", day)
        self._walk(plan, day)
        return plan

    # deadlines as the services handle them
    def _open(self, plan: Plan, kind: str, party: str, start, due=None) -> None:
        due = due or self.ctx.due(kind, start)
        plan.deadlines[(kind, party)] = [due, due, Deadline.State.OPEN, None]

    def _meet(self, plan: Plan, kind: str, party: str, day) -> None:
        row = plan.deadlines.get((kind, party))
        if row is not None and row[2] != Deadline.State.MET:
            row[2], row[3] = Deadline.State.MET, day

    def _waive(self, plan: Plan, kind: str, party: str) -> None:
        row = plan.deadlines.get((kind, party))
        if row is not None and row[2] != Deadline.State.WAIVED:
            row[2], row[3] = Deadline.State.WAIVED, None

    def _open_due(self, plan: Plan):
        dues = [row[0] for row in plan.deadlines.values() if row[2] in (Deadline.State.OPEN, Deadline.State.EXTENDED)]
        return min(dues) if dues else None

    def _step(self, plan: Plan, day, actor, action, to, payload=None, minutes=None) -> bool:
        """Record a step on `day` (False, and nothing recorded, when the day has not come yet: in progress)."""
        if day >= self.today:
            return False
        d = plan.demand
        when = at(day, minutes if minutes is not None else self.rng.randint(570, 1110))
        if plan.events and when <= plan.events[-1][0]:
            when = plan.events[-1][0] + datetime.timedelta(minutes=self.rng.randint(5, 90))
        plan.events.append((when, actor, action, d.state, to or d.state, payload or {}))
        if to:
            d.state = to
        plan.now = when.date()
        return True

    def _walk(self, plan: Plan, received: datetime.date) -> None:
        """The demand's fate, step by step (stopping where the scope or today ends)."""
        ctx, rng, d = self.ctx, self.rng, plan.demand
        keeper, theme = plan.keeper, plan.theme
        r = rng.random()
        accept_day = ctx.wd(received, rng.choices([0, 1, 2, 3, 4, 5], [30, 30, 20, 12, 5, 3])[0])
        if r < 0.065:  # declined
            if not self._step(plan, accept_day, keeper, "decline", D.DECLINED, {"reason": rng.choice(DECLINE_REASONS)}):
                return
            d.decline_reason = plan.events[-1][5]["reason"]
            for key in list(plan.deadlines):
                self._waive(plan, *key)
            d.closed_on = accept_day
            return
        converted = r < 0.085 and self._convert_target(plan, accept_day)
        if converted:
            report = plan.report
            self._meet(plan, "demand.accept", "", accept_day)
            if not self._step(plan, accept_day, keeper, "convert", D.CONVERTED,
                              {"to": "opinion", "member": report.member_id, "draft": report.pk}):
                return
            d.opinion, d.member_id = report, report.member_id
            answer_day = ctx.wd(accept_day, rng.randint(8, 14))
            text = (f"您反映的问题已由{plan.member_name}委员转化为社情民意信息《{report.title}》报送有关方面，"
                    "相关部门已研究办理，感谢您的参与。")
            self._answer(plan, answer_day, keeper, text)
            return
        refer = r < 0.63
        if rng.random() < 0.7 or not refer:
            if not self._step(plan, accept_day, keeper, "accept", D.ACCEPTED):
                return
            self._meet(plan, "demand.accept", "", accept_day)
            self._open(plan, "demand.answer", "place", accept_day)
        if not refer:  # answered by the place
            late = rng.random() < 0.06
            answer_day = ctx.wd(accept_day, rng.randint(16, 22) if late else rng.choices(
                [0, rng.randint(1, 5), rng.randint(6, 14)], [20, 45, 35])[0])
            self._answer(plan, answer_day, keeper, rng.choice(theme.place_answers))
            return
        refer_day = accept_day if d.state == D.RECEIVED else ctx.wd(accept_day, rng.choice([0, 0, 1, 2]))
        unit = self._unit(plan)
        if not self._refer(plan, refer_day, keeper, unit):
            return
        if rng.random() < 0.05:  # the unit returns it; the place refers it on
            back = ctx.wd(refer_day, rng.randint(1, 4))
            reason = rng.choice(RETURN_REASONS)
            if not self._step(plan, back, self._unit_user(unit), "return", D.ACCEPTED, {"unit": unit.pk, "reason": reason}):
                return
            self._waive(plan, "demand.answer", f"unit:{unit.pk}")
            d.unit = None
            self._open(plan, "demand.answer", "place", back)
            refer_day = ctx.wd(back, 1)
            unit = ctx.units.get(COUNTY_UNITS[d.place.county]) or unit
            if not self._refer(plan, refer_day, keeper, unit):
                return
        late = rng.random() < 0.11
        answer_day = ctx.wd(refer_day, rng.randint(16, 30) if late else rng.randint(3, 15))
        self._answer(plan, answer_day, self._unit_user(unit), rng.choice(theme.unit_answers))

    def _unit(self, plan: Plan) -> HandlingUnit:
        ctx, d = self.ctx, plan.demand
        name = plan.theme.bureau if self.rng.random() < 0.4 else COUNTY_UNITS[d.place.county]
        return ctx.units.get(name) or ctx.units.get(COUNTY_UNITS[d.place.county]) or next(iter(ctx.units.values()))

    def _unit_user(self, unit):
        return self.ctx.unit_users.get(unit.pk)

    def _refer(self, plan: Plan, day, keeper, unit) -> bool:
        d = plan.demand
        due = self.ctx.due("demand.answer", day)
        if not self._step(plan, day, keeper, "refer", D.REFERRED,
                          {"unit": unit.pk, "unit_name": unit.name, "due_on": due.isoformat()}):
            return False
        self._meet(plan, "demand.accept", "", day)
        self._waive(plan, "demand.answer", "place")
        d.unit = unit
        self._open(plan, "demand.answer", f"unit:{unit.pk}", day)
        return True

    def _convert_target(self, plan: Plan, day) -> bool:
        """A member's opinion report submitted after the demand, by a resident of its place (else no conversion)."""
        from xieshang.opinions.models import OpinionReport

        residents = [m.pk for m in self.ctx.residents.get(plan.demand.place_id, [])]
        report = (OpinionReport.objects.filter(committee=self.ctx.committee, member_id__in=residents, year=day.year,
                                               created_at__date__gte=day)
                  .exclude(pk__in=self.ctx.used_reports).order_by("created_at").first()) if residents else None
        if report is None:
            return False
        self.ctx.used_reports.add(report.pk)
        plan.report = report
        plan.member_name = next(m.name for m in self.ctx.residents[plan.demand.place_id] if m.pk == report.member_id)
        return True

    def _answer(self, plan: Plan, day, actor, text: str, second: bool = False) -> None:
        ctx, rng, d = self.ctx, self.rng, plan.demand
        due = self._open_due(plan)
        late = bool(due and day > due)
        was = d.state
        if not self._step(plan, day, actor, "answer", D.ANSWERED, {"late": late}):
            return
        d.answer, d.answered_on, d.answered_late = text, day, late
        if was == D.REFERRED:
            d.answered_by_unit = d.unit
        for key, row in plan.deadlines.items():
            if row[2] in (Deadline.State.OPEN, Deadline.State.EXTENDED):
                self._meet(plan, *key, day)
        verdict = rng.random()
        citizen_confirms = d.source == DemandSource.PORTAL and rng.random() < 0.6
        confirmer = None if citizen_confirms else plan.keeper
        by = "citizen" if citizen_confirms else "keeper"
        confirm_day = day + datetime.timedelta(days=rng.randint(1, 6))
        if verdict < 0.25:  # no confirmation: closed after the quiet period
            close_day = ctx.due("demand.quiet", day) + datetime.timedelta(days=rng.randint(0, 7))
            if not self._step(plan, close_day, plan.keeper, "close", D.CLOSED):
                return
            d.satisfaction, d.closed_on = Satisfaction.UNCONFIRMED, close_day
        elif verdict < 0.33 and not second:  # not satisfied: reopened once
            comment = rng.choice(UNSATISFIED_COMMENTS)
            back_to = D.REFERRED if d.answered_by_unit_id and d.unit_id else D.ACCEPTED
            if not self._step(plan, confirm_day, confirmer, "confirm", back_to,
                              {"satisfied": False, "by": by, "reopened": True}):
                return
            d.reopened, d.citizen_comment, d.satisfaction = 1, comment, ""
            party = f"unit:{d.unit_id}" if back_to == D.REFERRED else "place"
            self._open(plan, "demand.answer", party, confirm_day)
            again = ctx.wd(confirm_day, rng.randint(4, 12))
            answer = ("经再次现场核实并督促整改，" + rng.choice(plan.theme.unit_answers if back_to == D.REFERRED
                                                          else plan.theme.place_answers))
            self._answer(plan, again, actor, answer, second=True)
            return
        else:
            satisfied = not second or rng.random() < 0.6
            comment = rng.choice(SATISFIED_COMMENTS) if satisfied else rng.choice(UNSATISFIED_COMMENTS)
            if not self._step(plan, confirm_day, confirmer, "confirm", D.CLOSED, {"satisfied": satisfied, "by": by}):
                return
            d.citizen_comment = comment
            d.satisfaction = Satisfaction.SATISFIED if satisfied else Satisfaction.UNSATISFIED
            d.closed_on = confirm_day
        if d.state == D.CLOSED and rng.random() < 0.36:
            pub = d.closed_on + datetime.timedelta(days=rng.randint(0, 3))
            if self._step(plan, pub, plan.keeper, "publish", None):
                d.public = True
                d.public_summary = f"{_fill(rng, plan.theme.summary, plan.where)}。{d.answer}"[:500]

    # --- writing -----------------------------------------------------------------------------------------------

    def write(self) -> dict:
        ctx = self.ctx
        self.plan_activities()
        raw_insert(Activity, self.activities)
        fast_insert(ActivityMember, [{"activity_id": a.pk, "member_id": m.pk, "status": s} for a, m, s in self.att])
        Through = Activity.units_invited.through
        Through.objects.bulk_create([Through(activity_id=a.pk, handlingunit_id=u.pk) for a, u in self.units_invited],
                                    ignore_conflicts=True)
        Present = Activity.units_present.through
        Present.objects.bulk_create([Present(activity_id=a.pk, handlingunit_id=u.pk) for a, u in self.units_present],
                                    ignore_conflicts=True)
        raw_insert(Outcome, self.outcomes)
        self.plan_demands()
        for plan in self.plans:
            d = plan.demand
            d.due_on = self._open_due(plan)
            d.version = 1 + sum(1 for e in plan.events[1:] if e[2] != "classify")
        raw_insert(Demand, [p.demand for p in self.plans])
        events = []
        for a in self.activities:
            for when, actor, action, frm, to, payload in a._events:
                payload = {k: (v.pk if isinstance(v, Outcome) else v) for k, v in payload.items()}
                events.append(_event(ctx, when, actor, f"activity.{action}", ctx.activity_ct, a.pk, a.topic, frm, to, payload))
        for plan in self.plans:
            d = plan.demand
            for when, actor, action, frm, to, payload in plan.events:
                events.append(_event(ctx, when, actor, f"demand.{action}", ctx.demand_ct, d.pk, d.tracking_code, frm, to,
                                     payload))
        events.sort(key=lambda e: e["created_at"])
        fast_insert(Event, events)
        self._deadlines()
        self._duty_facts()
        search.index("demand", [p.demand.pk for p in self.plans])
        held = sum(1 for a in self.activities if a.state in (A.HELD, A.CLOSED))
        return {"activities": held, "cancelled": len(self.activities) - held, "events": len(events),
                "demands": len(self.plans), "states": Counter(p.demand.state for p in self.plans)}

    def _deadlines(self) -> None:
        ctx = self.ctx
        rows = []
        for plan in self.plans:
            for (kind, party), (due, original, state, met) in plan.deadlines.items():
                rows.append({"committee_id": ctx.committee.pk, "content_type_id": ctx.demand_ct.pk,
                             "object_id": plan.demand.pk, "kind": kind, "party": party, "due_on": due,
                             "original_due_on": original, "state": state, "met_on": met, "created_at": ctx.now})
        for o in self.outcomes:
            state = Deadline.State.MET if o.state == OutcomeState.DONE else Deadline.State.OPEN
            rows.append({"committee_id": ctx.committee.pk, "content_type_id": ctx.outcome_ct.pk, "object_id": o.pk,
                         "kind": "activity.outcome", "party": "", "due_on": o.due_on, "original_due_on": o.due_on,
                         "state": state, "met_on": o.done_on, "created_at": ctx.now})
        fast_insert(Deadline, rows)

    def _duty_facts(self) -> None:
        """The rows `core.duty.duty_fact_record` writes for each member present (kind, object, day; one author)."""
        for kind in DUTY_KINDS.values():
            duty._check_kind(kind)
        ctx = self.ctx
        rows = [{"committee_id": m.committee_id, "member_id": m.pk, "kind": DUTY_KINDS[a.kind],
                 "content_type_id": ctx.activity_ct.pk, "object_id": a.pk, "quantity": Decimal(1), "authors": 1,
                 "lead": True, "occurred_on": a.date, "created_at": ctx.now, "note": ""}
                for a in self.activities for m in a._present]
        fast_insert(DutyFact, rows)


def _event(ctx, when, actor, action, ct, pk, label, frm, to, payload) -> dict:
    return {"created_at": when, "actor_id": getattr(actor, "pk", None), "committee_id": ctx.committee.pk,
            "action": action, "content_type_id": ct.pk, "object_id": str(pk), "object_repr": str(label)[:200],
            "from_state": frm or "", "to_state": to or "", "payload": payload, "ip_address": None}


# =====================================================================================================
# The current year: stories through the services
# =====================================================================================================


class Stories:
    """Demands and activities of the last weeks, each step a service call at its own moment."""

    def __init__(self, ctx: Context, today: datetime.date, keeper_user, keeper_places: list[Place]):
        self.ctx, self.today = ctx, today
        self.steps: list = []
        self.made: dict = {}
        self.keeper_user, self.keeper_places = keeper_user, keeper_places

    def ago(self, days: int, minutes: int = 630) -> datetime.datetime:
        day = calendar.add_working_days(self.today, -days, self.ctx.committee) if days else self.today
        return at(day, minutes)

    def _step(self, when, fn):
        self.steps.append((when, len(self.steps), fn))

    def demand(self, key, actor, place, text, when, category=C.OTHER, phone="13899401234", name="", member=False):
        def make():
            self.made[key] = services.demand_create(actor=actor, committee=self.ctx.committee, data={
                "text": text, "category": category, "phone": phone, "name": name, "place": place.pk})
        self._step(when, make)

    def act(self, key, when, actor, action, **data):
        def run():
            self.made[key] = services.demand_act(actor=actor, demand=self.made[key].pk, action=action, data=data)
        self._step(when, run)

    def confirm(self, key, when, satisfied, comment=""):
        def run():
            self.made[key] = services.demand_confirm_public(tracking_code=self.made[key].tracking_code,
                                                            satisfied=satisfied, comment=comment)
        self._step(when, run)

    def build(self) -> Stories:
        ctx = self.ctx
        by_name = {p.name: p for p in ctx.places}
        station = ctx.station_user
        home = by_name["昌吉市宁边路街道委员联络站"]
        kplace = self.keeper_places[0]
        keeper = self.keeper_user
        farm = ctx.units.get("州农业农村局")
        county = ctx.units.get("昌吉市政府")
        fukang = ctx.units.get("阜康市政府")
        t = {th.key: th for th in DEMAND_THEMES}
        where = f"昌吉市宁边路{ESTATES[0]}"
        if station is not None:
            self.demand("new", station, home, t["heating"].texts[0].replace("{where}", where), self.ago(1), C.SOCIETY,
                        name="王桂兰")
            self.demand("late_accept", station, home, t["lights"].texts[0].replace("{where}", f"昌吉市宁边西路{ESTATES[3]}"),
                        self.ago(6), C.SOCIETY, phone="13899402345", name="马福")
            self.demand("accepted", station, home, t["elderly"].texts[0].replace("{where}", f"昌吉市宁边路{ESTATES[5]}"),
                        self.ago(9), C.SOCIETY, phone="13899403456")
            self.act("accepted", self.ago(8), station, "accept")
            if farm is not None:
                self.demand("farm", station, home, t["produce"].texts[1].replace("{where}", "昌吉市二六工镇三工村"),
                            self.ago(7), C.AGRICULTURE, phone="13899404567", name="李建军")
                self.act("farm", self.ago(6), station, "accept")
                self.act("farm", self.ago(6, 700), station, "refer", unit=farm.pk)
                self.demand("farm_late", station, home, t["produce"].texts[0].replace("{where}", "昌吉市佃坝镇东湾村"),
                            self.ago(24), C.AGRICULTURE, phone="13899405678", name="周海燕")
                self.act("farm_late", self.ago(23), station, "refer", unit=farm.pk)
                self.demand("reopened", station, home, t["produce"].texts[2].replace("{where}", "昌吉市大西渠镇上湖村"),
                            self.ago(26), C.AGRICULTURE, phone="13899406789", name="努尔兰·别克")
                self.act("reopened", self.ago(25), station, "accept")
                self.act("reopened", self.ago(25, 700), station, "refer", unit=farm.pk)
                self.act("reopened", self.ago(12), self.unit_user(farm), "answer", text=t["produce"].unit_answers[1])
                self.confirm("reopened", self.ago(9), False, UNSATISFIED_COMMENTS[1])
            if county is not None:
                self.demand("answered", station, home, t["road"].texts[1].replace("{where}", f"昌吉市延安北路{ESTATES[1]}"),
                            self.ago(14), C.SOCIETY, phone="13899407890")
                self.act("answered", self.ago(13), station, "refer", unit=county.pk)
                self.act("answered", self.ago(2), self.unit_user(county), "answer", text=t["road"].unit_answers[2])
            self.demand("closed", station, home, t["property"].texts[0].replace("{where}", f"昌吉市宁边路{ESTATES[2]}"),
                        self.ago(20), C.SOCIETY, phone="13899408901")
            self.act("closed", self.ago(19), station, "accept")
            self.act("closed", self.ago(15), station, "answer", text=t["property"].place_answers[0])
            self.confirm("closed", self.ago(13), True, "谢谢，物业已经改了。")
            self.act("closed", self.ago(12), station, "publish",
                     summary="昌吉市宁边路某小区业主反映物业服务差的问题。" + t["property"].place_answers[0])
            self.demand("declined", station, home, "楼上邻居装修把我家卫生间弄漏水了，找他赔偿不给，希望联络站帮我要钱。",
                        self.ago(5), phone="13899409012")
            self.act("declined", self.ago(4), station, "decline", reason=DECLINE_REASONS[0])
            if ctx.member is not None and ctx.member.user_id:
                self.demand("convert", station, home, "我们村种植户普遍反映，番茄收购价格每年波动很大，合作社和加工企业的订单"
                            "往往在播种后才签，农户心里没底，希望推动建立保底收购价格机制。", self.ago(10),
                            C.AGRICULTURE, phone="13899400123", name="赵永强")
                self.act("convert", self.ago(9), station, "convert", to="proposal", member=ctx.member.pk)
        self.demand("k_new", keeper, kplace, t["water"].texts[0].replace("{where}", "阜康市城关镇幸福村"), self.ago(2),
                    C.SOCIETY, phone="13899411234", name="哈力木·托合塔尔")
        self.demand("k_accepted", keeper, kplace, t["bus"].texts[0].replace("{where}", "阜康市城关镇团结村"), self.ago(11),
                    C.SOCIETY, phone="13899412345")
        self.act("k_accepted", self.ago(10), keeper, "accept")
        if fukang is not None:
            self.demand("k_referred", keeper, kplace, t["school"].texts[0].replace("{where}", "阜康市城关镇光明村"),
                        self.ago(8), C.CULTURE, phone="13899413456", name="陈秀英")
            self.act("k_referred", self.ago(7), keeper, "refer", unit=fukang.pk)
        # activities of the keepers: one planned, one published, one held with open outcomes
        for key, actor, place in (("a_home", station, home), ("a_keeper", keeper, kplace)):
            if actor is None:
                continue
            residents = [m.pk for m in ctx.residents.get(place.pk, [])][:4]
            units = [u.pk for u in (county, fukang, farm) if u is not None][:2]
            topic, notice, minutes, outcomes = ACTIVITY_TOPICS[1 if key == "a_home" else 7]

            def plan(key=key, actor=actor, place=place, residents=residents, units=units, topic=topic, notice=notice,
                     days_ahead=12):
                day = calendar.add_working_days(self.today, days_ahead, self.ctx.committee)
                self.made[key + "_planned"] = services.activity_create(actor=actor, committee=self.ctx.committee, data={
                    "topic": f"“{BRAND}”{place.township}{topic}协商议事会", "notice": notice, "date": day.isoformat(),
                    "start_time": "16:30", "location": place.address, "members": residents, "units": units,
                    "place": place.pk})
            self._step(self.ago(3, 600), plan)

            def published(key=key, actor=actor, place=place, residents=residents, units=units):
                day = calendar.add_working_days(self.today, 5, self.ctx.committee)
                row = services.activity_create(actor=actor, committee=self.ctx.committee, data={
                    "topic": f"“{BRAND}”{place.township}{ACTIVITY_TOPICS[5][0]}协商议事会", "notice": ACTIVITY_TOPICS[5][1],
                    "date": day.isoformat(), "start_time": "11:00", "location": place.address, "members": residents,
                    "units": units, "place": place.pk})
                self.made[key + "_published"] = services.activity_publish(actor=actor, activity=row)
            self._step(self.ago(6, 620), published)

            def held(key=key, actor=actor, place=place, residents=residents, units=units, outcomes=outcomes,
                     minutes=minutes, topic=topic):
                day = self.ago(4).date()
                row = services.activity_create(actor=actor, committee=self.ctx.committee, data={
                    "topic": f"“{BRAND}”{place.township}{ACTIVITY_TOPICS[0][0]}协商议事会", "notice": ACTIVITY_TOPICS[0][1],
                    "date": day.isoformat(), "start_time": "16:30", "location": place.address, "members": residents,
                    "units": units, "place": place.pk})
                row = services.activity_publish(actor=actor, activity=row)
                self.made[key + "_held"] = row
            self._step(self.ago(12, 640), held)

            def record(key=key, actor=actor, residents=residents, units=units):
                row = self.made[key + "_held"]
                row = services.activity_hold(actor=actor, activity=row, present=residents[:-1] or residents,
                                             leave=residents[-1:] if len(residents) > 1 else [], citizens_count=26,
                                             units_present=units, minutes=ACTIVITY_TOPICS[0][2])
                for text, owner in ACTIVITY_TOPICS[0][3]:
                    data = {"text": text, "owner_kind": owner if units or owner != "unit" else "committee",
                            "due_on": (self.today + datetime.timedelta(days=40)).isoformat()}
                    if data["owner_kind"] == "unit":
                        data["owner_unit"] = units[0]
                    services.outcome_add(actor=actor, activity=row, data=data)
            self._step(self.ago(4, 1000), record)
        return self

    def unit_user(self, unit):
        return self.ctx.unit_users.get(unit.pk)

    def run(self) -> dict:
        now = timezone.now()
        for when, _order, fn in sorted(self.steps, key=lambda s: s[:2]):
            if when >= now:
                when = now - datetime.timedelta(minutes=5)
            with clock(when):
                fn()
        with clock(now):
            planned = services.reception_days_plan(self.today)
        return {"steps": len(self.steps), "demands": sum(1 for v in self.made.values() if isinstance(v, Demand)),
                "reception_days": planned}


# =====================================================================================================
# The loader
# =====================================================================================================


def _unit_users(ctx: Context) -> dict:
    """A user of each unit, by unit id: the demo accounts for their units, the contact accounts the proposals'
    loader makes (cbdw01 …) for the others (made here too when that loader did not run)."""
    from xieshang.proposals.demo import unit_accounts

    return {ctx.units[short].pk: user for short, user in unit_accounts(ctx.committee, ctx.units).items()}


def load(demo: dict, stdout=None, *, scale: float = 1.0) -> dict:
    """Create the places, accounts and the grassroots work of 2024 up to today (each year once).
    `scale` shrinks the number of demands, activities and reception days (tests)."""
    from xieshang.core import clock as core_clock

    rng = random.Random(SEED)
    ctx = Context(demo)
    ctx.used_reports = set()
    places(ctx, rng)
    accounts = keepers(ctx)
    ctx.unit_users = _unit_users(ctx)
    now = core_clock.now()
    today = timezone.localtime(now).date()
    codes = set(Demand.objects.values_list("tracking_code", flat=True))
    lines = [f"  places: {sum(1 for p in ctx.places if p.kind == PlaceKind.STATION)} liaison stations, "
             f"{sum(1 for p in ctx.places if p.kind == PlaceKind.MEMBER_STUDIO)} member studios, "
             f"{sum(1 for p in ctx.places if p.kind == PlaceKind.SECTOR_STUDIO)} sector studios"]
    for year in range(FIRST_YEAR, today.year + 1):
        start = datetime.date(year, 1, 1)
        if (Activity.objects.filter(committee=ctx.committee, date__year=year).exists()
                or Demand.objects.filter(committee=ctx.committee, received_on__year=year).exists()):
            lines.append(f"  grassroots {year}: already there")
            continue
        current = year == today.year
        volume = VOLUME.get(year, CURRENT_VOLUME)
        if current:  # the share of the year gone by
            share = ((today - start).days + 1) / 365
            volume = (round(volume[0] * share), round(volume[1] * share))
        until = today - datetime.timedelta(days=1) if current else datetime.date(year, 12, 31)
        done = Year(ctx, year, volume, until, today, scale=scale, codes=codes).write()
        states = ", ".join(f"{k} {v}" for k, v in sorted(done["states"].items()))
        line = (f"  grassroots {year}: {done['activities']} activities held ({done['cancelled']} cancelled), "
                f"{done['demands']} demands ({states}), {done['events']} audit events, written in bulk")
        if current:
            walked = Stories(ctx, today, accounts["keeper"], accounts["keeper_places"]).build().run()
            line += (f"; {walked['demands']} demands and 6 activities through the services ({walked['steps']} steps), "
                     f"{walked['reception_days']} reception days planned from the rota")
        lines.append(line)
    if stdout is not None:
        stdout.write("Demo grassroots consultation:\n" + "\n".join(lines) + "\n")
    account = {"username": "keeper", "password": demo.get("password", "xieshang-demo"),
               "full_name": accounts["keeper"].full_name,
               "description": "station keeper · " + " / ".join(p.name for p in accounts["keeper_places"])}
    if isinstance(demo.get("accounts"), list) and not any(a["username"] == "keeper" for a in demo["accounts"]):
        demo["accounts"].append(account)
    users = dict(demo.get("users") or {})
    users["keeper"] = accounts["keeper"]
    return {"users": users, "grassroots_places": ctx.places}
