"""A small synthetic corpus of Chinese proposals, written for these tests (no real rows)."""

import random

TOPICS = {
    "教育事业": ("教育局", ["学校", "教师", "学生", "课程", "校园", "课后服务", "义务教育", "职业教育", "减负", "师资"]),
    "医卫体育": ("卫生健康委", ["医院", "医生", "医保", "基层医疗", "慢性病", "疫苗", "全民健身", "体育场馆", "护理", "药品"]),
    "资源环境": ("生态环境局", ["河道", "污水", "垃圾分类", "空气质量", "绿化", "湿地", "排放", "噪声", "秸秆", "生态补偿"]),
    "经济发展": ("发展改革委", ["民营企业", "营商环境", "融资", "产业园", "招商", "数字经济", "中小企业", "税费", "外贸", "消费"]),
    "城乡建设": ("住房城乡建设局", ["老旧小区", "加装电梯", "停车", "道路", "物业", "燃气管道", "公厕", "排水", "棚户区", "路灯"]),
}
VERBS = ["加强", "完善", "推进", "优化", "落实", "建立", "提升", "规范"]
FILLER = ["当前", "部分地区", "群众反映", "存在不足", "亟待解决", "建议有关部门", "统筹协调", "加大投入"]


def sentence(rng, words):
    return "".join([rng.choice(FILLER), rng.choice(VERBS), rng.choice(words), "和", rng.choice(words),
                     rng.choice(["工作", "机制", "管理", "服务", "建设"]), "。"])


def rows(n_per_topic=12, seed=1):
    rng = random.Random(seed)
    out = []
    for category, (unit, words) in TOPICS.items():
        for i in range(n_per_topic):
            title = f"关于{rng.choice(VERBS)}{rng.choice(words)}{rng.choice(['工作', '管理', '服务'])}的建议"
            body = "".join(sentence(rng, words) for _ in range(rng.randint(6, 12)))
            units = unit if i % 3 else f"{unit}、财政局"
            out.append({"id": f"{category}-{i}", "title": title, "body": body, "category": category, "unit": units})
    return out
