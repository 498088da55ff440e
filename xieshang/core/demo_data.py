"""The demo committee: 昌吉回族自治州政协, modelled on its 2024 work review (../shared/seed).

`load_demo()` creates (or brings up to date) the organisation of a prefecture committee — its
parent and one county committee, the 13th term and its 2024–2026 sessions, special committees,
sectors, participating organisations, the Party committee, the handling units of the prefecture
government — about 300 members, and the demo accounts (password ``xieshang-demo``).

It is idempotent: every row is found by its natural key (committee code, user name, the name of a
sector/unit/… within its committee, (committee, user) for a member …) and created only if it is
missing; a second run creates nothing and changes nothing. Members are generated from the lists
below with a fixed random seed, so every run produces the same people.

The other apps add their demo data with their own loaders, called by the `demo` command after
this one with the dict that `load_demo()` returns (see `xieshang/core/management/commands/demo.py`).
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Iterable

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Model, QuerySet

from . import categories
from .models import (
    Committee,
    HandlingUnit,
    LiaisonStation,
    Member,
    Organization,
    PartyCommittee,
    Role,
    RoleAssignment,
    Sector,
    Session,
    SpecialCommittee,
    Studio,
    Term,
    User,
)

DEMO_PASSWORD = "xieshang-demo"
EMAIL_DOMAIN = "changji.example"  # a reserved top-level domain (RFC 2606): mail never leaves
SEED = 20240113  # the fixed seed of the member generator: change it and every member changes
MEMBER_USERNAME = "wy{:03d}"  # wy = 委员; wy001 … for the generated members

# --- Committees, term and sessions -------------------------------------------------------------

PROVINCE = {"code": "xinjiang", "name": "新疆维吾尔自治区政协", "short_name": "自治区政协", "level": Committee.Level.PROVINCIAL}
PREFECTURE = {
    "code": "changji",
    "name": "昌吉回族自治州政协",
    "short_name": "昌吉州政协",
    "level": Committee.Level.PREFECTURE,
    "portal_name": "有事昌商量·邀你建吉言",
}
COUNTY = {"code": "changjishi", "name": "昌吉市政协", "short_name": "昌吉市政协", "level": Committee.Level.COUNTY}

PARTY_COMMITTEES = {
    "xinjiang": "中共新疆维吾尔自治区委员会",
    "changji": "中共昌吉州委",
    "changjishi": "中共昌吉市委",
}

# 第十三届 (2022–2026): the first session in January 2022, so 2024 is 十三届三次会议.
TERM = {"number": 13, "start_year": 2022, "end_year": 2026}
# (session number, year, opens on, closes on); the last one is current.
SESSIONS = [
    (3, 2024, datetime.date(2024, 1, 8), datetime.date(2024, 1, 11)),
    (4, 2025, datetime.date(2025, 1, 6), datetime.date(2025, 1, 9)),
    (5, 2026, datetime.date(2026, 1, 7), datetime.date(2026, 1, 10)),
]
CURRENT_SESSION_YEAR = 2026

# --- Special committees, sectors, organisations -------------------------------------------------

SPECIAL_COMMITTEES = [
    "提案委员会",
    "经济委员会",
    "农业和农村委员会",
    "人口资源环境委员会",
    "教科卫体委员会",
    "社会和法制委员会",
    "文化文史和学习委员会",
    "民族和宗教委员会",
]

# Grassroots places: (name, short name, address). The demo station keeper keeps the first station.
LIAISON_STATIONS = [
    ("昌吉市宁边路街道委员联络站", "宁边路街道联络站", "昌吉市宁边路街道办事处二楼"),
    ("昌吉市延安北路街道委员联络站", "延安北路街道联络站", "昌吉市延安北路街道党群服务中心"),
    ("阜康市城关镇委员联络站", "城关镇联络站", "阜康市城关镇便民服务中心"),
    ("呼图壁县呼图壁镇委员联络站", "呼图壁镇联络站", "呼图壁县呼图壁镇人民政府一楼"),
]
# (name, short name, kind, address).
STUDIOS = [
    ("农业界委员工作室", "农业界工作室", Studio.Kind.SECTOR, "昌吉市农业科技园区服务中心"),
    ("医药卫生界委员工作室", "医卫界工作室", Studio.Kind.SECTOR, "昌吉州人民医院门诊楼三楼"),
    ("马晓燕委员工作室", "马晓燕工作室", Studio.Kind.MEMBER, "玛纳斯县玛纳斯镇社区综合服务站"),
]

# (organisation, kind). The democratic parties' local bodies, the people's organisations and
# federations, the non-party personages and the religious associations that take part.
P, G, N, O = Organization.Kind.PARTY, Organization.Kind.GROUP, Organization.Kind.NON_PARTY, Organization.Kind.OTHER
ORGANIZATIONS = [
    ("民革昌吉州委员会", P),
    ("民盟昌吉州委员会", P),
    ("民建昌吉州委员会", P),
    ("民进昌吉州委员会", P),
    ("农工党昌吉州委员会", P),
    ("致公党昌吉州支部", P),
    ("九三学社昌吉州委员会", P),
    ("无党派人士", N),
    ("共青团昌吉州委员会", G),
    ("昌吉州青年联合会", G),
    ("昌吉州总工会", G),
    ("昌吉州妇女联合会", G),
    ("昌吉州工商业联合会", G),
    ("昌吉州科学技术协会", G),
    ("昌吉州归国华侨联合会", G),
    ("昌吉州文学艺术界联合会", G),
    ("昌吉州社会科学界联合会", G),
    ("昌吉州伊斯兰教协会", O),
    ("昌吉州佛教协会", O),
]
PARTY_ORG = {
    "民革": "民革昌吉州委员会",
    "民盟": "民盟昌吉州委员会",
    "民建": "民建昌吉州委员会",
    "民进": "民进昌吉州委员会",
    "农工党": "农工党昌吉州委员会",
    "致公党": "致公党昌吉州支部",
    "九三学社": "九三学社昌吉州委员会",
}

# (sector, seats). The seats add up to the number of members (300, the demo accounts included).
SECTORS = [
    ("中共", 26),
    ("民革", 8),
    ("民盟", 10),
    ("民建", 9),
    ("民进", 8),
    ("农工党", 8),
    ("致公党", 5),
    ("九三学社", 8),
    ("无党派人士", 10),
    ("共青团", 8),
    ("工会", 10),
    ("妇联", 10),
    ("工商联", 14),
    ("侨联", 4),
    ("科技界", 14),
    ("社会科学界", 7),
    ("经济界", 22),
    ("农业界", 22),
    ("教育界", 18),
    ("文化艺术界", 12),
    ("医药卫生界", 18),
    ("体育界", 5),
    ("新闻出版界", 7),
    ("社会福利和社会保障界", 9),
    ("少数民族界", 10),
    ("宗教界", 8),
    ("特邀人士", 10),
]
MEMBER_COUNT = sum(seats for _sector, seats in SECTORS)

# The organisation a sector's members belong to (the rest: none, or a democratic party, below).
SECTOR_ORG = {
    **PARTY_ORG,
    "无党派人士": "无党派人士",
    "共青团": "共青团昌吉州委员会",
    "工会": "昌吉州总工会",
    "妇联": "昌吉州妇女联合会",
    "工商联": "昌吉州工商业联合会",
    "侨联": "昌吉州归国华侨联合会",
    "科技界": "昌吉州科学技术协会",
    "文化艺术界": "昌吉州文学艺术界联合会",
    "社会科学界": "昌吉州社会科学界联合会",
}
# Professional sectors in which about one member in five belongs to a democratic party.
SECTOR_PARTY_AFFINITY = {
    "教育界": ["民进", "民盟", "九三学社"],
    "医药卫生界": ["农工党", "九三学社", "民盟"],
    "经济界": ["民建", "民革", "致公党"],
    "农业界": ["农工党", "九三学社", "民盟"],
    "新闻出版界": ["民进", "民盟"],
    "体育界": ["民进"],
    "社会福利和社会保障界": ["民革", "民进"],
    "特邀人士": ["民革", "民盟"],
}

# The special committee a sector's member most likely works in.
SECTOR_SPECIAL_COMMITTEES = {
    "经济界": ["经济委员会"],
    "工商联": ["经济委员会"],
    "民建": ["经济委员会"],
    "农业界": ["农业和农村委员会", "人口资源环境委员会"],
    "农工党": ["教科卫体委员会", "人口资源环境委员会"],
    "九三学社": ["教科卫体委员会", "人口资源环境委员会"],
    "科技界": ["教科卫体委员会", "人口资源环境委员会", "经济委员会"],
    "教育界": ["教科卫体委员会"],
    "民进": ["教科卫体委员会", "文化文史和学习委员会"],
    "医药卫生界": ["教科卫体委员会"],
    "体育界": ["教科卫体委员会"],
    "文化艺术界": ["文化文史和学习委员会"],
    "新闻出版界": ["文化文史和学习委员会"],
    "社会科学界": ["文化文史和学习委员会"],
    "民盟": ["文化文史和学习委员会", "教科卫体委员会"],
    "侨联": ["文化文史和学习委员会", "民族和宗教委员会"],
    "工会": ["社会和法制委员会"],
    "妇联": ["社会和法制委员会"],
    "共青团": ["社会和法制委员会", "教科卫体委员会"],
    "社会福利和社会保障界": ["社会和法制委员会"],
    "特邀人士": ["社会和法制委员会", "提案委员会"],
    "民革": ["社会和法制委员会", "提案委员会"],
    "致公党": ["经济委员会", "提案委员会"],
    "少数民族界": ["民族和宗教委员会"],
    "宗教界": ["民族和宗教委员会"],
    "无党派人士": ["提案委员会", "经济委员会"],
}

# --- Handling units ----------------------------------------------------------------------------

_GOV, _PARTY, _COURT, _ENT, _OTHER = (
    HandlingUnit.Kind.GOVERNMENT,
    HandlingUnit.Kind.PARTY,
    HandlingUnit.Kind.COURT,
    HandlingUnit.Kind.ENTERPRISE,
    HandlingUnit.Kind.OTHER,
)
# (official name, short name, kind): the prefecture government's departments and the other bodies
# that proposals of a prefecture committee are assigned to, the county governments included.
# Other names people use for some units (the unit pickers find a unit by them too).
UNIT_ALIASES = {
    "州政府办": "州人民政府办公室、政府办",
    "州发改委": "州发展改革委、发改委",
    "州住建局": "州住房城乡建设局、住建局",
}

HANDLING_UNITS = [
    ("昌吉回族自治州人民政府办公室", "州政府办", _GOV),
    ("昌吉回族自治州发展和改革委员会", "州发改委", _GOV),
    ("昌吉回族自治州工业和信息化局", "州工信局", _GOV),
    ("昌吉回族自治州教育局", "州教育局", _GOV),
    ("昌吉回族自治州科学技术局", "州科技局", _GOV),
    ("昌吉回族自治州民族宗教事务委员会", "州民宗委", _GOV),
    ("昌吉回族自治州公安局", "州公安局", _GOV),
    ("昌吉回族自治州民政局", "州民政局", _GOV),
    ("昌吉回族自治州司法局", "州司法局", _GOV),
    ("昌吉回族自治州财政局", "州财政局", _GOV),
    ("昌吉回族自治州人力资源和社会保障局", "州人社局", _GOV),
    ("昌吉回族自治州自然资源局", "州自然资源局", _GOV),
    ("昌吉回族自治州生态环境局", "州生态环境局", _GOV),
    ("昌吉回族自治州住房和城乡建设局", "州住建局", _GOV),
    ("昌吉回族自治州交通运输局", "州交通运输局", _GOV),
    ("昌吉回族自治州水利局", "州水利局", _GOV),
    ("昌吉回族自治州农业农村局", "州农业农村局", _GOV),
    ("昌吉回族自治州商务局", "州商务局", _GOV),
    ("昌吉回族自治州文化体育广播电视和旅游局", "州文旅局", _GOV),
    ("昌吉回族自治州卫生健康委员会", "州卫健委", _GOV),
    ("昌吉回族自治州退役军人事务局", "州退役军人事务局", _GOV),
    ("昌吉回族自治州应急管理局", "州应急管理局", _GOV),
    ("昌吉回族自治州审计局", "州审计局", _GOV),
    ("昌吉回族自治州人民政府国有资产监督管理委员会", "州国资委", _GOV),
    ("昌吉回族自治州市场监督管理局", "州市场监管局", _GOV),
    ("昌吉回族自治州统计局", "州统计局", _GOV),
    ("昌吉回族自治州医疗保障局", "州医保局", _GOV),
    ("昌吉回族自治州林业和草原局", "州林草局", _GOV),
    ("昌吉回族自治州乡村振兴局", "州乡村振兴局", _GOV),
    ("昌吉回族自治州数据局", "州数据局", _GOV),
    ("昌吉回族自治州信访局", "州信访局", _GOV),
    ("国家税务总局昌吉回族自治州税务局", "州税务局", _GOV),
    ("昌吉国家高新技术产业开发区管理委员会", "昌吉高新区管委会", _GOV),
    ("准东经济技术开发区管理委员会", "准东开发区管委会", _GOV),
    ("中共昌吉回族自治州委员会宣传部", "州委宣传部", _PARTY),
    ("中共昌吉回族自治州委员会统一战线工作部", "州委统战部", _PARTY),
    ("中共昌吉回族自治州委员会政法委员会", "州委政法委", _PARTY),
    ("昌吉回族自治州中级人民法院", "州中级人民法院", _COURT),
    ("昌吉回族自治州人民检察院", "州人民检察院", _COURT),
    ("昌吉回族自治州总工会", "州总工会", _OTHER),
    ("共青团昌吉回族自治州委员会", "团州委", _OTHER),
    ("昌吉回族自治州妇女联合会", "州妇联", _OTHER),
    ("昌吉回族自治州残疾人联合会", "州残联", _OTHER),
    ("昌吉回族自治州科学技术协会", "州科协", _OTHER),
    ("国网新疆电力有限公司昌吉供电公司", "国网昌吉供电公司", _ENT),
    ("昌吉回族自治州融媒体中心", "州融媒体中心", _ENT),
    ("昌吉市人民政府", "昌吉市政府", _GOV),
    ("阜康市人民政府", "阜康市政府", _GOV),
    ("呼图壁县人民政府", "呼图壁县政府", _GOV),
    ("玛纳斯县人民政府", "玛纳斯县政府", _GOV),
    ("奇台县人民政府", "奇台县政府", _GOV),
    ("吉木萨尔县人民政府", "吉木萨尔县政府", _GOV),
    ("木垒哈萨克自治县人民政府", "木垒县政府", _GOV),
]

# --- Demo accounts ----------------------------------------------------------------------------

# Accounts with a Member row take one of the 300 seats of their sector.
DEMO_ACCOUNTS = [
    {
        "username": "admin",
        "full_name": "赵志刚",
        "roles": [("changji", Role.ADMIN), ("changjishi", Role.ADMIN)],
        "description": "administrator · 管理员 (昌吉州政协, 昌吉市政协)",
    },
    {
        "username": "staff",
        "full_name": "王丽",
        "roles": [("changji", Role.STAFF)],
        "description": "office staff · 提案委员会机关干部",
    },
    {
        "username": "leader",
        "full_name": "马建平",
        "roles": [("changji", Role.LEADER), ("changji", Role.MEMBER)],
        "description": "leader · 副主席",
        "member": {
            "gender": Member.Gender.MALE,
            "ethnicity": "回族",
            "sector": "中共",
            "special_committees": ["提案委员会"],
            "standing": True,
            "employer": "昌吉回族自治州政协副主席",
            "address": "昌吉市延安北路107号",
        },
    },
    {
        "username": "member",
        "full_name": "李永福",
        "roles": [("changji", Role.MEMBER)],
        "description": "member · 委员 (农业界)",
        "member": {
            "gender": Member.Gender.MALE,
            "ethnicity": "汉族",
            "sector": "农业界",
            "special_committees": ["农业和农村委员会"],
            "standing": False,
            "employer": "昌吉市二六工镇丰收农民专业合作社理事长",
            "address": "昌吉市二六工镇三工村",
        },
    },
    {
        "username": "member2",
        "full_name": "阿依古丽·买买提",
        "roles": [("changji", Role.MEMBER)],
        "description": "member · 委员 (医药卫生界), co-signer",
        "member": {
            "gender": Member.Gender.FEMALE,
            "ethnicity": "维吾尔族",
            "sector": "医药卫生界",
            "special_committees": ["教科卫体委员会", "农业和农村委员会"],
            "standing": False,
            "employer": "昌吉州人民医院副主任医师",
            "address": "昌吉市北京南路36号天山明珠小区5号楼2单元302室",
        },
    },
    {
        "username": "unit",
        "full_name": "刘晓燕",
        "roles": [("changji", Role.UNIT)],
        "unit": "州农业农村局",
        "description": "handling unit · 州农业农村局",
    },
    {
        "username": "unit2",
        "full_name": "陈伟",
        "roles": [("changji", Role.UNIT)],
        "unit": "州发改委",
        "description": "handling unit · 州发改委 (co-handling)",
    },
    {
        "username": "station",
        "full_name": "张玉兰",
        "roles": [("changji", Role.STATION)],
        "station": "昌吉市宁边路街道委员联络站",
        "description": "station keeper · 昌吉市宁边路街道委员联络站",
    },
]

# --- Names -------------------------------------------------------------------------------------

# Han surnames, the most common first (they are drawn more often).
HAN_SURNAMES_COMMON = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
HAN_SURNAMES_OTHER = (
    "梁宋郑谢韩唐冯于董程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟万段雷钱汤尹常武乔贺龚文"
)
HUI_SURNAMES = "马马马马马杨杨李李王王丁丁何海白韩沙哈穆纳冶虎金苏张"
MANCHU_SURNAMES = "关佟那富金赵"
XIBE_SURNAMES = "关佟吴何韩杨"
HAN_MALE_FIRST = "建国志文永新立德振学海晓宏春俊天明长玉兴金家世光维绍卫东红"
HAN_MALE_SECOND = "国军华平强伟林明勇杰涛斌峰刚辉鹏东波新成忠福祥民生龙江山亮超磊"
HAN_MALE_SINGLE = "军伟强勇涛斌峰刚辉鹏磊超杰明亮健浩"
HAN_FEMALE_FIRST = "丽秀玉桂凤海晓雪春文美红慧静佳雅淑金艳彩"
HAN_FEMALE_SECOND = "华英兰芳梅霞燕娟红萍丽琴玲敏静洁婷颖莉娜"
HAN_FEMALE_SINGLE = "丽敏静芳娟燕霞红萍洁琳颖婷"

UYGHUR_MALE = [
    "买买提", "艾力", "吐尔逊", "阿不都热合曼", "艾合买提", "努尔买买提", "热合曼", "阿布力孜", "依明",
    "肉孜", "卡德尔", "阿里木", "买合木提", "亚森", "阿迪力", "库尔班", "吾买尔", "艾尔肯", "玉素甫",
    "塔依尔", "米吉提", "艾克拜尔", "帕尔哈提", "迪力夏提", "吐尔洪", "阿不来提", "斯拉木", "热依木",
    "吾斯曼", "艾山",
]
UYGHUR_FEMALE = [
    "阿依古丽", "古丽娜尔", "热依汗古丽", "帕提古丽", "米日古丽", "阿依努尔", "祖丽胡玛尔", "迪丽努尔",
    "热孜万古丽", "古再丽努尔", "玛依拉", "再努尔", "阿尔孜古丽", "努尔尼沙", "帕丽达", "阿依夏木",
    "古丽米热", "茹先古丽", "加米拉", "美合日古丽",
]
KAZAKH_MALE = [
    "努尔兰", "叶尔兰", "别克", "阿合买提", "哈森", "叶尔肯", "巴合提亚尔", "加那尔别克", "吐尔逊别克",
    "达吾列提", "胡安", "阿斯哈尔", "木拉提", "马合沙提", "叶尔江", "哈那提", "赛力克", "阿德力别克",
    "努尔波拉提", "沙吾提", "波拉提", "叶尔波拉提", "哈力木", "托合塔尔", "加尔肯", "塔力哈尔",
    "阿勒腾别克", "叶尔森",
]
KAZAKH_FEMALE = [
    "古丽米拉", "阿依达娜", "加娜尔古丽", "玛丽娅", "努尔古丽", "古丽巴哈尔", "阿娜尔古丽", "巴合提古丽",
    "热合拉", "阿依江", "沙吾列", "阿尔达克", "古丽达娜", "哈丽达", "阿克勒斯", "别克孜", "胡玛尔",
    "阿依登", "加依娜",
]
MONGOL_MALE = ["巴特尔", "那顺", "巴音", "道尔吉", "额尔德尼", "孟克", "达来", "吉日格勒", "巴雅尔", "布仁", "苏和"]
MONGOL_FEMALE = ["其木格", "萨仁", "乌兰其其格", "娜仁", "高娃", "图雅", "斯琴", "托娅"]

# Ethnicities in plausible proportions for the members of the Changji committee (Han about three
# in five, the Hui of the autonomous prefecture next, then Kazakh and Uyghur).
ETHNICITIES = [
    ("汉族", 60),
    ("回族", 17),
    ("哈萨克族", 10),
    ("维吾尔族", 6),
    ("蒙古族", 2),
    ("满族", 2),
    ("锡伯族", 1),
]
FEMALE_SHARE = 0.28
STANDING_SHARE = 0.2

# --- Places and employers ----------------------------------------------------------------------

COUNTIES = ["昌吉市", "阜康市", "呼图壁县", "玛纳斯县", "奇台县", "吉木萨尔县", "木垒县"]
TOWNS = {
    "昌吉市": ["二六工镇", "三工镇", "榆树沟镇", "硫磺沟镇", "大西渠镇", "六工镇", "滨湖镇", "佃坝镇", "阿什里哈萨克民族乡"],
    "阜康市": ["九运街镇", "滋泥泉子镇", "城关镇", "上户沟哈萨克族乡"],
    "呼图壁县": ["呼图壁镇", "大丰镇", "五工台镇", "园户村镇", "二十里店镇"],
    "玛纳斯县": ["玛纳斯镇", "乐土驿镇", "包家店镇", "凉州户镇", "北五岔镇", "六户地镇"],
    "奇台县": ["奇台镇", "老奇台镇", "半截沟镇", "吉布库镇", "西地镇", "碧流河镇", "三个庄子镇"],
    "吉木萨尔县": ["吉木萨尔镇", "三台镇", "泉子街镇", "北庭镇", "二工镇", "大有镇"],
    "木垒县": ["木垒镇", "西吉尔镇", "东城镇", "英格堡乡"],
}
ROADS = {
    "昌吉市": ["延安北路", "延安南路", "北京北路", "北京南路", "建国西路", "建国东路", "宁边西路", "宁边东路", "长宁南路", "屯河路", "乌伊东路", "世纪大道"],
    "阜康市": ["天池街", "博峰街", "准噶尔路", "瑶池路"],
    "呼图壁县": ["团结路", "东风大街", "友谊路"],
    "玛纳斯县": ["凤凰路", "新城路", "文化路"],
    "奇台县": ["古城路", "北大街", "东环路"],
    "吉木萨尔县": ["北庭路", "文化路", "新华路"],
    "木垒县": ["人民路", "胜利路"],
}
ESTATES = ["锦绣花园", "世纪花园", "天山明珠小区", "绿洲家园", "金盛苑", "庭州华府", "丽景苑", "阳光水岸", "北庭雅居", "和谐家园"]
VILLAGES = ["幸福村", "团结村", "光明村", "新华村", "和平村", "红旗村", "东湾村", "西沟村", "上湖村", "五工村", "三工村", "庙尔沟村"]

COLLEGES = ["昌吉学院", "新疆农业职业技术学院", "昌吉职业技术学院"]
COLLEGE_POSTS = ["副院长", "教授", "副教授", "教务处处长", "讲师"]
SCHOOLS = ["昌吉州第一中学", "昌吉州第二中学", "昌吉市第一中学", "阜康市第一中学", "奇台县第一中学", "玛纳斯县第一中学", "呼图壁县第一中学", "吉木萨尔县第一中学", "昌吉市第三小学", "昌吉市第五小学"]
SCHOOL_POSTS = ["校长", "副校长", "高级教师", "教研室主任", "党支部书记", "一级教师"]
HOSPITALS = ["昌吉州人民医院", "昌吉州中医医院", "昌吉州妇幼保健院", "昌吉市人民医院", "阜康市人民医院", "奇台县人民医院", "玛纳斯县人民医院", "呼图壁县人民医院"]
HOSPITAL_POSTS = ["院长", "副院长", "主任医师", "副主任医师", "护理部主任", "心内科主任", "儿科主任", "主管药师"]
COMPANIES = [
    "新疆天山绿洲番茄制品有限公司", "昌吉州金穗粮油加工有限责任公司", "新疆庭州葡萄酒业有限公司", "昌吉硅基新材料科技有限公司",
    "新疆准东铝基新材料有限公司", "昌吉州恒泰物流有限公司", "新疆北庭文化旅游发展有限公司", "昌吉州宏远建筑工程有限公司",
    "昌吉市佳禾农业科技有限公司", "新疆昌农种业股份有限公司", "奇台县麦香面粉有限公司", "玛纳斯县碧流河葡萄酒庄有限公司",
    "昌吉州鑫源商贸有限公司", "呼图壁县绿源牧业有限公司", "阜康市天池旅游开发有限公司",
    "昌吉州众创电子商务有限公司",
]
COMPANY_POSTS = ["董事长", "总经理", "副总经理", "党支部书记、董事长", "总工程师", "财务总监"]
COOPS = ["丰收", "金穗", "绿源", "天山", "惠农", "富民", "沃土", "丰禾"]


def _short(unit_name: str) -> str:
    return unit_name.replace("昌吉回族自治州", "昌吉州").replace("中共昌吉州委员会", "昌吉州委")


def _unit_post(unit_name: str, rng: random.Random) -> str:
    if unit_name.endswith("局"):
        return rng.choice(["党组书记、局长", "党组成员、副局长", "副局长"])
    if unit_name.endswith("委员会"):
        return rng.choice(["党组书记、主任", "党组成员、副主任", "副主任"])
    return rng.choice(["主要负责人", "副职负责人"])


def _employer(rng: random.Random, sector: str, ethnicity: str, org: str | None) -> str:
    county = rng.choice(COUNTIES)
    town = rng.choice(TOWNS[county])
    school = (
        rng.choice(COLLEGES) + rng.choice(COLLEGE_POSTS)
        if rng.random() < 0.35
        else rng.choice(SCHOOLS) + rng.choice(SCHOOL_POSTS)
    )
    hospital = rng.choice(HOSPITALS) + rng.choice(HOSPITAL_POSTS)
    company = rng.choice(COMPANIES) + rng.choice(COMPANY_POSTS)
    if sector == "中共":
        units = [u for u in HANDLING_UNITS if u[2] == _GOV and u[0].startswith("昌吉回族自治州")]
        name = rng.choice(units)[0]
        return rng.choice([
            _short(name) + _unit_post(name, rng),
            _short(name) + _unit_post(name, rng),
            f"中共{county}委员会副书记",
            f"{county}人大常委会副主任",
            f"{county}{town}党委书记",
        ])
    if sector in PARTY_ORG:
        work = {
            "民革": [company, school, "新疆庭州律师事务所主任律师"],
            "民盟": [school, school, hospital],
            "民建": [company, company, "昌吉州天诚会计师事务所所长"],
            "民进": [school, school, "昌吉州融媒体中心编辑"],
            "农工党": [hospital, hospital, school],
            "致公党": [company, "昌吉国家高新区企业服务中心副主任"],
            "九三学社": [school, "昌吉州农业技术推广中心高级农艺师", hospital],
        }[sector]
        post = rng.choice(["主委", "副主委", "副主委", "秘书长", "", "", ""])
        return f"{org}{post}，{rng.choice(work)}" if post else rng.choice(work)
    choices = {
        "无党派人士": [school, hospital, company, "新疆庭州律师事务所律师"],
        "共青团": ["共青团昌吉州委员会副书记", f"共青团{county}委员会书记", f"昌吉州青年联合会副主席，{company}"],
        "工会": ["昌吉州总工会副主席", f"{county}总工会主席", f"{rng.choice(COMPANIES)}工会主席", f"{rng.choice(COMPANIES)}高级技师，全国劳动模范"],
        "妇联": ["昌吉州妇女联合会副主席", f"{county}妇女联合会主席", company, f"{county}{town}妇联主席"],
        "工商联": [f"昌吉州工商业联合会副主席，{company}", company, company],
        "侨联": ["昌吉州归国华侨联合会副主席", company],
        "科技界": ["昌吉州科学技术协会副主席", "昌吉州农业技术推广中心研究员", f"{rng.choice(COMPANIES)}总工程师", "昌吉学院教授"],
        "社会科学界": ["中共昌吉州委党校教授", "昌吉学院副教授", "昌吉州社会科学界联合会副主席", "昌吉州地方志编纂室主任"],
        "经济界": [company, company, "昌吉州国有资产投资经营集团有限公司副总经理", "中国农业银行昌吉分行行长"],
        "农业界": [
            f"{county}{town}{rng.choice(VILLAGES)}党支部书记、村委会主任",
            f"{county}{town}{rng.choice(COOPS)}农民专业合作社理事长",
            "昌吉州农业技术推广中心高级农艺师",
            "昌吉州畜牧兽医站站长",
            "新疆农业职业技术学院教授",
            f"{county}农业技术推广站站长",
        ],
        "教育界": [school, school],
        "文化艺术界": ["昌吉州文学艺术界联合会副主席", "昌吉州美术家协会主席", "昌吉州书法家协会副主席", "昌吉州博物馆馆长", "昌吉州作家协会副主席", "昌吉州艺术剧院演员"],
        "医药卫生界": [hospital, hospital],
        "体育界": ["昌吉州体育运动学校校长", "昌吉州全民健身中心主任", "昌吉州青少年体育训练中心教练员", "昌吉州足球协会副主席"],
        "新闻出版界": ["昌吉州融媒体中心副主任", f"{county}融媒体中心主任", "昌吉日报社副总编辑", "新华书店昌吉州分公司经理"],
        "社会福利和社会保障界": ["昌吉州社会福利院院长", "昌吉州慈善总会秘书长", "昌吉州残疾人联合会副理事长", f"{county}养老服务中心主任", "昌吉州红十字会副会长"],
        "少数民族界": ["昌吉州民族宗教事务委员会副主任", f"{county}{town}党委副书记", f"{county}{town}{rng.choice(VILLAGES)}党支部书记", school, hospital],
        "特邀人士": ["新疆庭州律师事务所主任律师", f"{county}政协原主席", "昌吉州人大常委会原副主任", "昌吉州公安局原副局长", company],
    }
    if sector == "宗教界":
        if ethnicity in ("汉族", "蒙古族", "满族", "锡伯族"):
            return rng.choice(["昌吉州佛教协会副会长", "昌吉州佛教协会会长"])
        return rng.choice(["昌吉州伊斯兰教协会副会长", f"{county}伊斯兰教协会会长", "昌吉州伊斯兰教协会秘书长"])
    return rng.choice(choices[sector])


def _unique_employer(rng: random.Random, sector: str, ethnicity: str, org: str | None, used: set[str]) -> str:
    """An employer and post no other member has (one 主委 per party, one 行长 per bank …)."""
    for _attempt in range(30):
        employer = _employer(rng, sector, ethnicity, org)
        head = employer.split("，")[0]
        if employer not in used and not (head.endswith(("主委", "秘书长")) and head in used):
            break
    used.update({employer, employer.split("，")[0]})
    return employer


def _address(rng: random.Random) -> str:
    county = "昌吉市" if rng.random() < 0.6 else rng.choice(COUNTIES[1:])
    if rng.random() < 0.15:
        return f"{county}{rng.choice(TOWNS[county])}{rng.choice(VILLAGES)}"
    road = rng.choice(ROADS[county])
    number = rng.randint(1, 320)
    if rng.random() < 0.3:
        return f"{county}{road}{number}号"
    return (
        f"{county}{road}{number}号{rng.choice(ESTATES)}"
        f"{rng.randint(1, 18)}号楼{rng.randint(1, 4)}单元{rng.randint(1, 12)}0{rng.randint(1, 4)}室"
    )


def _han_given(rng: random.Random, female: bool) -> str:
    if rng.random() < 0.22:
        return rng.choice(HAN_FEMALE_SINGLE if female else HAN_MALE_SINGLE)
    first, second = (HAN_FEMALE_FIRST, HAN_FEMALE_SECOND) if female else (HAN_MALE_FIRST, HAN_MALE_SECOND)
    a, b = rng.choice(first), rng.choice(second)
    while a == b and not female:
        b = rng.choice(second)
    return a + b


def _name(rng: random.Random, ethnicity: str, female: bool) -> str:
    if ethnicity == "汉族":
        surnames = HAN_SURNAMES_COMMON if rng.random() < 0.6 else HAN_SURNAMES_OTHER
        return rng.choice(surnames) + _han_given(rng, female)
    if ethnicity == "回族":
        return rng.choice(HUI_SURNAMES) + _han_given(rng, female)
    if ethnicity == "满族":
        return rng.choice(MANCHU_SURNAMES) + _han_given(rng, female)
    if ethnicity == "锡伯族":
        return rng.choice(XIBE_SURNAMES) + _han_given(rng, female)
    if ethnicity == "蒙古族":
        return rng.choice(MONGOL_FEMALE if female else MONGOL_MALE)
    male, fem = (UYGHUR_MALE, UYGHUR_FEMALE) if ethnicity == "维吾尔族" else (KAZAKH_MALE, KAZAKH_FEMALE)
    own = rng.choice(fem if female else male)
    father = rng.choice(male)
    while father == own:
        father = rng.choice(male)
    return f"{own}·{father}"


def generate_members() -> list[dict]:
    """The generated members (the demo accounts' seats excluded), the same on every call.

    Each is a dict with username, name, gender, ethnicity, sector, organization (or None),
    special_committees (1–2 names), standing, employer, phone, address.
    """
    rng = random.Random(SEED)
    taken_seats: dict[str, int] = {}
    for account in DEMO_ACCOUNTS:
        if "member" in account:
            sector = account["member"]["sector"]
            taken_seats[sector] = taken_seats.get(sector, 0) + 1
    seats = []
    for sector, count in SECTORS:
        seats.extend([sector] * (count - taken_seats.get(sector, 0)))
    rng.shuffle(seats)

    used_names = {a["full_name"] for a in DEMO_ACCOUNTS}
    used_employers = {a["member"]["employer"] for a in DEMO_ACCOUNTS if "member" in a}
    ethnic_names = [e for e, _w in ETHNICITIES]
    ethnic_weights = [w for _e, w in ETHNICITIES]
    minorities = [e for e in ethnic_names if e != "汉族"]
    minority_weights = [w for e, w in ETHNICITIES if e != "汉族"]
    people = []
    for index, sector in enumerate(seats, start=1):
        if sector in ("少数民族界", "宗教界"):
            ethnicity = rng.choices(minorities, minority_weights)[0]
        else:
            ethnicity = rng.choices(ethnic_names, ethnic_weights)[0]
        female = sector == "妇联" or rng.random() < FEMALE_SHARE
        name = _name(rng, ethnicity, female)
        while name in used_names:
            name = _name(rng, ethnicity, female)
        used_names.add(name)

        org = SECTOR_ORG.get(sector)
        if sector == "宗教界":
            org = "昌吉州佛教协会" if ethnicity in ("汉族", "蒙古族", "满族", "锡伯族") else "昌吉州伊斯兰教协会"
        elif org is None and sector in SECTOR_PARTY_AFFINITY and rng.random() < 0.2:
            org = PARTY_ORG[rng.choice(SECTOR_PARTY_AFFINITY[sector])]

        first = rng.choice(SECTOR_SPECIAL_COMMITTEES.get(sector, SPECIAL_COMMITTEES))
        if rng.random() < 0.1:
            first = "提案委员会"
        special = [first]
        if rng.random() < 0.3:
            special.append(rng.choice([s for s in SPECIAL_COMMITTEES if s != first]))

        people.append(
            {
                "username": MEMBER_USERNAME.format(index),
                "name": name,
                "gender": Member.Gender.FEMALE if female else Member.Gender.MALE,
                "ethnicity": ethnicity,
                "sector": sector,
                "organization": org,
                "special_committees": special,
                "standing": False,
                "employer": _unique_employer(rng, sector, ethnicity, org, used_employers),
                "address": _address(rng),
            }
        )
    standing_count = round(MEMBER_COUNT * STANDING_SHARE) - sum(
        1 for a in DEMO_ACCOUNTS if a.get("member", {}).get("standing")
    )
    for person in rng.sample(people, standing_count):
        person["standing"] = True
    phones = rng.sample(range(10**8), len(people))
    for person, number in zip(people, phones):
        person["phone"] = f"139{number:08d}"
    return people


# --- Writing ------------------------------------------------------------------------------------


class _Stats:
    """How many rows of each kind a run created and changed (printed by the command)."""

    def __init__(self):
        self.rows: dict[str, list[int]] = {}
        self.verbs: dict[str, tuple[str, str]] = {}

    def add(self, label: str, created: int, updated: int = 0, verbs=("created", "updated")) -> None:
        row = self.rows.setdefault(label, [0, 0])
        row[0] += created
        row[1] += updated
        self.verbs[label] = verbs

    def lines(self) -> list[str]:
        out = []
        for label, (created, updated) in self.rows.items():
            first, second = self.verbs[label]
            out.append(f"  {label}: {created} {first}" + (f", {updated} {second}" if second else ""))
        return out


def _upsert(queryset: QuerySet, key: tuple[str, ...], rows: Iterable[dict], stats: _Stats, label: str) -> dict:
    """Create the rows missing from `queryset` and update the changed ones, in bulk.

    `key` names the fields (attnames, e.g. "committee_id") that identify a row; every other
    field of a row dict is brought to the given value. Returns {key tuple: instance}.
    Fields named in a row's "_create_only" (a dict) are set on creation only.
    """
    model: type[Model] = queryset.model
    rows = list(rows)
    existing = {tuple(getattr(obj, f) for f in key): obj for obj in queryset}
    to_create, to_update, changed_fields = [], [], set()
    for row in rows:
        row = dict(row)
        create_only = row.pop("_create_only", {})
        k = tuple(row[f] for f in key)
        obj = existing.get(k)
        if obj is None:
            obj = model(**row, **create_only)
            to_create.append(obj)
            existing[k] = obj
            continue
        changed = [f for f, v in row.items() if f not in key and getattr(obj, f) != v]
        if changed:
            for f in changed:
                setattr(obj, f, row[f])
            changed_fields.update(changed)
            to_update.append(obj)
    if to_create:
        model.objects.bulk_create(to_create, batch_size=500)
    if to_update:
        model.objects.bulk_update(to_update, sorted(changed_fields), batch_size=500)
    stats.add(label, len(to_create), len(to_update))
    if to_create and any(obj.pk is None for obj in to_create):
        # A backend that does not return ids from bulk inserts: read the rows back.
        existing = {tuple(getattr(obj, f) for f in key): obj for obj in queryset.all()}
    return existing


def _committees(stats: _Stats) -> dict[str, Committee]:
    out = {}
    for spec, parent in ((PROVINCE, None), (PREFECTURE, "xinjiang"), (COUNTY, "changji")):
        defaults = {k: v for k, v in spec.items() if k != "code"}
        defaults["parent"] = out[parent] if parent else None
        obj, created = Committee.objects.get_or_create(code=spec["code"], defaults=defaults)
        changed = [f for f, v in defaults.items() if getattr(obj, f) != v]
        if not created and changed:
            for f in changed:
                setattr(obj, f, defaults[f])
            obj.save(update_fields=changed)
        stats.add("committees", int(created), int(bool(changed) and not created))
        categories.seed(obj)  # the default category list, once (core.categories)
        out[spec["code"]] = obj
    _upsert(
        PartyCommittee.objects.filter(committee__in=out.values()),
        ("committee_id",),
        ({"committee_id": out[code].pk, "name": name} for code, name in PARTY_COMMITTEES.items()),
        stats,
        "Party committees",
    )
    return out


def _term_and_sessions(committee: Committee, stats: _Stats) -> tuple[Term, dict[int, Session]]:
    # Another current term of this committee would break the one-current-term constraint.
    Term.objects.filter(committee=committee, is_current=True).exclude(number=TERM["number"]).update(is_current=False)
    terms = _upsert(
        Term.objects.filter(committee=committee),
        ("committee_id", "number"),
        [{"committee_id": committee.pk, **TERM, "is_current": True}],
        stats,
        "terms",
    )
    term = terms[(committee.pk, TERM["number"])]
    rows = [
        {
            "term_id": term.pk,
            "number": number,
            "year": year,
            "opens_on": opens,
            "closes_on": closes,
            "is_current": year == CURRENT_SESSION_YEAR,
        }
        for number, year, opens, closes in SESSIONS
    ]
    sessions = _upsert(Session.objects.filter(term=term), ("term_id", "number"), rows, stats, "sessions")
    by_year = {s.year: s for s in sessions.values() if s.number in {n for n, *_ in SESSIONS}}
    return term, by_year


def _named(model, committee: Committee, rows: list[dict], stats: _Stats, label: str) -> dict:
    found = _upsert(
        model.objects.filter(committee=committee),
        ("committee_id", "name"),
        ({"committee_id": committee.pk, **row} for row in rows),
        stats,
        label,
    )
    return {name: obj for (_cid, name), obj in found.items()}


@transaction.atomic
def load_demo(stdout=None) -> dict:
    """Create or update the demo committee. Returns what later loaders need:

    committee, parent, county (Committee); term; sessions {year: Session}; current_session;
    sectors, special_committees, organizations {name: row}; units {short name: HandlingUnit};
    users {username: User} (demo accounts and members); members {username: Member};
    accounts (the table of demo accounts); password; stats {label: (created, updated)}.
    """
    stats = _Stats()
    committees = _committees(stats)
    changji = committees["changji"]
    term, sessions = _term_and_sessions(changji, stats)

    special = _named(
        SpecialCommittee, changji, [{"name": n, "sort_order": i} for i, n in enumerate(SPECIAL_COMMITTEES, 1)], stats,
        "special committees",
    )
    sectors = _named(Sector, changji, [{"name": n, "sort_order": i} for i, (n, _s) in enumerate(SECTORS, 1)], stats, "sectors")
    orgs = _named(Organization, changji, [{"name": n, "kind": k} for n, k in ORGANIZATIONS], stats, "organizations")
    stations = _named(
        LiaisonStation, changji,
        [{"name": n, "short_name": sn, "address": a, "sort_order": i} for i, (n, sn, a) in enumerate(LIAISON_STATIONS, 1)],
        stats, "liaison stations",
    )
    _named(
        Studio, changji,
        [{"name": n, "short_name": sn, "kind": k, "address": a, "sort_order": i}
         for i, (n, sn, k, a) in enumerate(STUDIOS, 1)],
        stats, "studios",
    )

    people = generate_members()
    phone_pool = random.Random(SEED + 1)
    contact_rng = random.Random(SEED + 2)
    member_phones = {p["phone"] for p in people}

    def fresh_phone() -> str:
        while True:
            phone = f"139{phone_pool.randrange(10**8):08d}"
            if phone not in member_phones:
                member_phones.add(phone)
                return phone

    # The handling units' contacts: the demo unit accounts are the contacts of their units.
    unit_contacts = {a["unit"]: a["full_name"] for a in DEMO_ACCOUNTS if "unit" in a}
    used_names = {p["name"] for p in people} | {a["full_name"] for a in DEMO_ACCOUNTS}
    unit_rows = []
    for order, (name, short, kind) in enumerate(HANDLING_UNITS, 1):  # the list is in the office's order
        contact = unit_contacts.get(short)
        if contact is None:
            contact = _name(contact_rng, "汉族", contact_rng.random() < 0.4)
            while contact in used_names:
                contact = _name(contact_rng, "汉族", contact_rng.random() < 0.4)
            used_names.add(contact)
        unit_rows.append(
            {
                "name": name,
                "short_name": short,
                "kind": kind,
                "sort_order": order,
                "aliases": UNIT_ALIASES.get(short, ""),
                "contact_person": contact,
                "contact_phone": f"0994-{contact_rng.choice('2358')}{contact_rng.randrange(10**6):06d}",
                "is_active": True,
            }
        )
    units_by_name = _named(HandlingUnit, changji, unit_rows, stats, "handling units")
    units = {u.short_name: u for u in units_by_name.values()}

    # Users: the demo accounts, then the generated members.
    account_phones = {a["username"]: fresh_phone() for a in DEMO_ACCOUNTS}
    user_rows = []
    for account in DEMO_ACCOUNTS:
        user_rows.append(
            {
                "username": account["username"],
                "full_name": account["full_name"],
                "email": f"{account['username']}@{EMAIL_DOMAIN}",
                "phone": account_phones[account["username"]],
                "is_active": True,
                # Set when the account is made; an existing account keeps its own flags.
                "_create_only": {"password": make_password(None), "is_staff": False, "is_superuser": False},
            }
        )
    for person in people:
        user_rows.append(
            {
                "username": person["username"],
                "full_name": person["name"],
                "phone": person["phone"],
                "is_active": True,
                "_create_only": {"password": make_password(None), "email": ""},
            }
        )
    users = {
        username: user
        for (username,), user in _upsert(
            User.objects.filter(username__in=[r["username"] for r in user_rows]), ("username",), user_rows, stats, "users"
        ).items()
    }

    # The demo accounts sign in with the documented password (reset if it was changed).
    reset = 0
    for account in DEMO_ACCOUNTS:
        user = users[account["username"]]
        if not user.check_password(DEMO_PASSWORD):
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
            reset += 1
    stats.add("demo account passwords", reset, verbs=("set", ""))

    # Members: the generated ones and the demo accounts that hold a seat.
    member_specs = []
    for account in DEMO_ACCOUNTS:
        if "member" in account:
            m = account["member"]
            member_specs.append(
                {
                    "username": account["username"],
                    "name": account["full_name"],
                    "organization": SECTOR_ORG.get(m["sector"]),
                    "phone": account_phones[account["username"]],
                    "email": f"{account['username']}@{EMAIL_DOMAIN}",
                    **m,
                }
            )
    member_specs.extend(people)
    member_rows = [
        {
            "committee_id": changji.pk,
            "user_id": users[spec["username"]].pk,
            "name": spec["name"],
            "gender": spec["gender"],
            "ethnicity": spec["ethnicity"],
            "term_id": term.pk,
            "sector_id": sectors[spec["sector"]].pk,
            "organization_id": orgs[spec["organization"]].pk if spec["organization"] else None,
            "is_standing_committee_member": spec["standing"],
            "employer": spec["employer"],
            "phone": spec["phone"],
            "email": spec.get("email", ""),
            "address": spec["address"],
            "is_active": True,
        }
        for spec in member_specs
    ]
    member_users = [users[spec["username"]].pk for spec in member_specs]
    by_user = {
        user_id: member
        for (_cid, user_id), member in _upsert(
            Member.objects.filter(committee=changji, user_id__in=member_users),
            ("committee_id", "user_id"),
            member_rows,
            stats,
            "members",
        ).items()
    }
    members = {spec["username"]: by_user[users[spec["username"]].pk] for spec in member_specs}

    # Their special committees: exactly those of the lists.
    Through = Member.special_committees.through
    wanted = {
        (members[spec["username"]].pk, special[name].pk) for spec in member_specs for name in spec["special_committees"]
    }
    have = set(
        Through.objects.filter(member_id__in=[m.pk for m in members.values()]).values_list("member_id", "specialcommittee_id")
    )
    missing, extra = wanted - have, have - wanted
    Through.objects.bulk_create([Through(member_id=m, specialcommittee_id=s) for m, s in sorted(missing)], batch_size=500)
    for m, s in extra:
        Through.objects.filter(member_id=m, specialcommittee_id=s).delete()
    stats.add("special committee seats", len(missing), len(extra), verbs=("added", "removed"))

    # Roles: every member holds the member role; the demo accounts hold theirs.
    role_rows = {}
    for spec in member_specs:
        uid = users[spec["username"]].pk
        role_rows[(uid, changji.pk, Role.MEMBER, None)] = {"liaison_station_id": None}
    for account in DEMO_ACCOUNTS:
        uid = users[account["username"]].pk
        for code, role in account["roles"]:
            unit = units[account["unit"]].pk if role == Role.UNIT else None
            role_rows[(uid, committees[code].pk, role, unit)] = {
                "liaison_station_id": stations[account["station"]].pk if role == Role.STATION else None
            }
    _upsert(
        RoleAssignment.objects.filter(user_id__in=[u.pk for u in users.values()]),
        ("user_id", "committee_id", "role", "handling_unit_id"),
        (
            {"user_id": u, "committee_id": c, "role": r, "handling_unit_id": h, **extra}
            for (u, c, r, h), extra in role_rows.items()
        ),
        stats,
        "roles",
    )

    accounts = [
        {
            "username": a["username"],
            "password": DEMO_PASSWORD,
            "full_name": a["full_name"],
            "description": a["description"],
        }
        for a in DEMO_ACCOUNTS
    ]
    if stdout is not None:
        for line in stats.lines():
            stdout.write(line + "\n")
    return {
        "committee": changji,
        "parent": committees["xinjiang"],
        "county": committees["changjishi"],
        "term": term,
        "sessions": sessions,
        "current_session": sessions[CURRENT_SESSION_YEAR],
        "sectors": sectors,
        "special_committees": special,
        "organizations": orgs,
        "units": units,
        "users": users,
        "members": members,
        "accounts": accounts,
        "password": DEMO_PASSWORD,
        "stats": {label: tuple(v) for label, v in stats.rows.items()},
    }
