"""Hot topics (热点): the year's most frequent themes of a committee, with their trend against last year.

Documents are a committee's received proposals (by their session's year), received opinion reports (by
their year) and citizens' demands (by the day received, declined ones left out). A theme is a word or a
phrase of up to four adjacent words (rjieba) — 托育服务, 农业面源污染, 老旧小区改造 — never a stop word,
a generic word of official writing (建议, 问题, 加强, 工作, 推进 …) or a place name.

How themes are chosen (`find_themes`, pure and deterministic):

1. each document's candidate phrases: the word n-grams (n = 1–4) of its title (of the first
   `TEXT_LIMIT` characters of its text when it has none: a demand), inside one clause, neither starting
   nor ending with a stop word, a place name, a numeral or an adverb (a few generic words may end a
   phrase of two or more words: 托育服务, 老旧小区改造 — `TAIL_WORDS`);
2. a document *mentions* a phrase when its title holds it (its text, when it has none): a proposal is
   about its title (案由); its body names many things in passing and repeats set phrases;
3. weight = documents of the year mentioning it × log((N + 1) / (documents of all the committee's years
   mentioning it + 1)) × specificity³ — document frequency, not term frequency, against the committee's
   own history and against general Chinese (rjieba's dictionary frequency, `_specificity`): a word every
   document uses, or every Chinese text, weighs (almost) nothing;
4. the best `CANDIDATES` phrases are counted again exactly (substring, so 托育服务 is found inside
   托育服务体系), for this year and last year; a phrase that is part of another with half the same
   documents (老旧小区 / 老旧小区改造), or mentioned by nearly the same documents (Jaccard ≥
   `MERGE_OVERLAP`), joins that theme, which is then named by its longest phrase mentioned by at least
   `LABEL_SHARE` of its documents;
5. the `k` themes of highest weight, ordered by their count (documents of the year mentioning any of
   the theme's phrases), then weight, then label.

`hot_topics()` caches the themes per (committee, year) under a key that carries the committee's data
version (`data_version`: count, last change, version sum and highest id of its proposals, reports and
demands) and the method's version (`METHOD`): a new or changed
record changes the key, so there is one invalidation path and no signal; the cache expiry is a backstop.
The examples (a few records of the theme) are chosen per viewer through each app's selectors.
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable

import rjieba
from django.db.models.functions import Left

from . import tokenize

KINDS = ("proposal", "opinion", "demand")
TITLE_LIMIT = 200
TEXT_LIMIT = 400       # characters of an untitled text (a demand) read for themes
MAX_WORDS = 4          # words per phrase
MAX_CHARS = 12         # characters per phrase
MIN_DOCS = 2           # a theme is mentioned by at least this many documents of the year
CANDIDATES = 200       # phrases counted exactly before merging
MERGE_OVERLAP = 0.8    # Jaccard of two phrases' documents above which they are one theme
MAX_SHARE = 0.25      # of the year's documents, when the year has at least MANY_DOCS
MANY_DOCS = 40
LABEL_SHARE = 0.7     # a theme is named by its longest phrase that this share of its documents mention
EXAMPLES = 3
CACHE_SECONDS = 6 * 3600  # backstop: the key changes with the data

# Words that are never a theme nor a phrase's first or last word: function words and the generic words
# of official writing (proposals, reports, citizens' messages). Extend with care: a word here can never
# open or close a theme.
STOP = frozenset("""
的 了 和 与 及 或 等 在 是 对 为 将 把 被 从 向 以 于 由 并 而 且 也 又 就 都 还 要 可 能 会 其 之 中 上 下 内 外
省 市 县 州 区 镇 乡 村 一 二 三 四 五 我 你 他 她 它 此 该 各 每 有 无 不 没 让 使 给 用 按 至 到 后 前 里 个 位 次 年 月 日 号 多 少 新 大 小
关于 建议 意见 提案 问题 情况 方面 工作 推进 加强 加快 推动 进一步 促进 完善 提高 提升 强化 加大 深化 优化 健全 规范
扩大 支持 鼓励 引导 落实 实施 开展 做好 做强 做优 做大 抓好 持续 不断 切实 积极 充分 全面 大力 着力 有效 稳步 逐步
建立 建设 构建 打造 发展 发挥 增强 保障 保护 解决 改善 改进 创新 培育 探索 实现 坚持 统筹 协调 整合 释放 激发
我省 我市 我州 我县 我区 本省 本市 全省 全市 全州 全县 全区 全国 各地 地方 省级 市级 县级 州级 各级 有关 相关
部门 单位 政府 政策 措施 机制 体系 制度 体制 工程 项目 水平 能力 质量 效率 效益 作用 力度 作为 重要 重点 主要
目前 当前 现在 近年来 近年 今年 去年 明年 同时 因此 但是 但 如果 由于 通过 根据 按照 对于 以及 其中 主要 部分
我们 他们 大家 自己 有些 一些 这些 那些 这个 那个 什么 怎么 如何 为什么 是否 已经 正在 目前 尚 仍 仍然 较 较为
很 非常 比较 更 更加 最 特别 存在 出现 造成 导致 影响 需要 应该 应当 必须 可以 能够 希望 要求 反映 反映出
平台 监管 出台 扶持 转型升级 支撑 引领 带动 助力 赋能 融合 联动 协同 配套 政策措施 工作机制
回复 答复 咨询 投诉 办理 处理 想 请 望 盼 习近平 总书记 党中央 中央 国务院 省委 省政府 市委 市政府 州委 州政府
主管部门 职能部门 有关部门 相关部门 服务体系 服务平台 激励机制 工作机制 长效机制 体制机制 有限公司 我国
领导 同志 您好 你好 谢谢 感谢 请问 麻烦 尽快 及时 市民 群众 居民 老百姓 百姓 人民 社会 经济 国家 地区 区域
方式 模式 途径 渠道 手段 环境 条件 基础 服务 管理 治理 建议案 调研 分析 原因 对策 现状 不足 困难 短板
一是 二是 三是 四是 五是 第一 第二 第三 首先 其次 最后 总之 另外 此外 具体 主要是 特别是 尤其 尤其是
太少 太多 很多 很少 不够 较少 较多 没有 担心 帮忙 大力发展 加快发展 高质量 新时代 现代化 一体化 常态化 规范化 标准化 信息化 多元化 进行 加以 予以 给予 得到 受到 形成 取得
""".split())
# Generic words that may end a phrase of two or more words (托育服务, 物业管理, 污染治理), never stand alone
# nor open one.
TAIL_WORDS = frozenset("服务 服务体系 管理 治理 保护 保障 改革 体系 制度 机制 设施 监管 防治 改造".split())
# Part-of-speech tags (rjieba) that never open or close a phrase: numerals, time words, pronouns,
# prepositions, conjunctions, particles, quantifiers, interjections, punctuation.
EDGE_TAGS = frozenset("m t r p c u uj ul uz ug ud uv y e o x q f mq".split())
_PLACE_SUFFIX = re.compile(r"[省市县州镇乡村旗盟]$")
_COUNTY_SUFFIX = re.compile(r"[县镇村旗盟]$")
PLACE_WORDS = frozenset("城镇 乡镇 集镇 村镇 市县 郡县 州县 区县 农村 乡村 山村 渔村".split())
# Tags that never end a phrase (adjectives, adverbs: 很快, 严重) nor stand inside one (adverbs: 没有, 经常).
END_TAGS = frozenset("a ad ag an d dg z zg".split())
INNER_BREAK_TAGS = frozenset("d dg t".split())
INNER_BREAK_WORDS = frozenset("太少 太多 很多 很少 不够 没有 有时 经常 一直 总是 帮忙 担心 希望 不能 不会 无法".split())
# A word directly followed by one of these is a place's name (木垒 in 木垒县).
PLACE_CHARS = frozenset("省市县州镇乡村旗盟")
_CLAUSE = re.compile(r"[^0-9A-Za-z\u3400-\u9fff\uf900-\ufaff]+")
_HAS_DIGIT = re.compile(r"[0-9０-９]")
_ASCII_LETTER = re.compile(r"^[A-Za-z]$")
# rjieba's dictionary: the frequency of a word in general Chinese (jieba's corpus, about 60 million words)
# is the background a committee's words are measured against; a phrase the dictionary does not hold gets
# the frequency of its words together (very low: specific). Words this common are never a theme alone.
GENERAL_TOTAL = 60_101_967
COMMON_WORD = 5_000


@dataclasses.dataclass(frozen=True)
class Doc:
    kind: str           # "proposal" | "opinion" | "demand"
    id: int
    year: int
    title: str
    body: str


@dataclasses.dataclass(frozen=True)
class Theme:
    """A theme as computed (no viewer): its phrases and the documents of the year / last year naming it."""

    label: str
    phrases: tuple[str, ...]
    weight: float
    docs: tuple[tuple[str, int], ...]        # (kind, id) of this year's documents, in kind and id order
    last_docs: tuple[tuple[str, int], ...]   # (kind, id) of last year's

    @property
    def count(self) -> int:
        return len(self.docs)

    @property
    def last_year(self) -> int:
        return len(self.last_docs)


@dataclasses.dataclass(frozen=True)
class Example:
    kind: str
    id: int
    title: str
    url: str


@dataclasses.dataclass(frozen=True)
class Topic:
    """A hot topic as a viewer sees it: `count` documents of the year mention it, `last_year` of the year
    before; `change` = count − last_year; `trend` "new" (none last year), "up", "down" or "flat";
    `by_kind`: {kind: (count, last_year)}; `examples`: a few of the year's records the viewer may see."""

    label: str
    count: int
    last_year: int
    change: int
    trend: str
    by_kind: dict
    phrases: tuple[str, ...]
    examples: tuple[Example, ...] = ()

    def as_dict(self) -> dict:
        return {
            "label": self.label, "count": self.count, "last_year": self.last_year, "change": self.change,
            "trend": self.trend, "phrases": list(self.phrases),
            "by_kind": {kind: {"count": c, "last_year": last} for kind, (c, last) in self.by_kind.items()},
            "examples": [dataclasses.asdict(e) for e in self.examples],
        }


# ---------------------------------------------------------------------------------------------------
# Phrases


def _clauses(text: str) -> list[str]:
    return [part for part in _CLAUSE.split(text) if len(part) >= 2]


def _is_place(word: str, tag: str) -> bool:
    """Tagged a place name (城镇 too), or a name ending as one: 木垒县, 大泉沟镇 (not 城镇, 乡镇)."""
    if tag == "ns":
        return True
    if _COUNTY_SUFFIX.search(word) and len(word) >= 2 and word not in PLACE_WORDS:
        return True
    return len(word) >= 3 and _PLACE_SUFFIX.search(word) is not None


def _edge_ok(word: str, tag: str, first: bool) -> bool:
    if word in STOP or tag in EDGE_TAGS or _HAS_DIGIT.search(word) or _ASCII_LETTER.match(word):
        return False
    if not first and tag in END_TAGS:  # 车速很快, 道路破损严重: a description, not a theme
        return False
    return not _is_place(word, tag)


def phrases_of(text: str, places: set | None = None) -> set[str]:
    """The candidate phrases of a cleaned text: word n-grams (1–`MAX_WORDS` words, 2–`MAX_CHARS`
    characters) inside one clause, whose first and last words are neither stop words, place names nor
    numerals, the last no adjective or adverb, with no stop word of one character and no adverb inside
    (的, 和, 没有 …). `places`, when given, collects the words used as place names (木垒 in 木垒县)."""
    out: set[str] = set()
    for clause in _clauses(text):
        tagged = rjieba.tag(clause)
        n = len(tagged)
        first = [_edge_ok(w, t, True) for w, t in tagged]
        last = [_edge_ok(w, t, False) for w, t in tagged]
        tail = [w in TAIL_WORDS for w, _t in tagged]
        breaks = [(len(w) == 1 and w in STOP) or t in INNER_BREAK_TAGS or w in INNER_BREAK_WORDS
                  or _HAS_DIGIT.search(w) is not None or _ASCII_LETTER.match(w) is not None or _is_place(w, t)
                  for w, t in tagged]
        if places is not None:  # a name of two or more characters before 县, 市, 镇 …
            places.update(tagged[i][0] for i in range(n - 1)
                          if tagged[i + 1][0] in PLACE_CHARS and len(tagged[i][0]) >= 2)
        for i in range(n):
            if not first[i]:
                continue
            label = ""
            for j in range(i, min(n, i + MAX_WORDS)):
                if j > i and breaks[j]:
                    break
                label += tagged[j][0]
                if len(label) > MAX_CHARS:
                    break
                if (last[j] or (j > i and tail[j])) and len(label) >= 2:
                    out.add(label)
    return out


def _parts(doc: Doc) -> tuple[str, str]:
    return tokenize.clean(doc.title, TITLE_LIMIT), tokenize.clean(doc.body, TEXT_LIMIT)


def _reads_body(title: str, body: str) -> bool:
    """Whether a document's themes are read from its text: only when it has no title (a demand). A
    proposal's or report's subject is its title (案由); its text names many things in passing and
    repeats set phrases (走访调研发现, 纳入年度目标责任考核)."""
    return not title


def _mentions(title: str, body: str, phrase: str) -> bool:
    return phrase in title or (_reads_body(title, body) and phrase in body)


# ---------------------------------------------------------------------------------------------------
# Themes


def find_themes(docs: Iterable[Doc], year: int, *, k: int = 10) -> list[Theme]:
    """The `k` themes of `year` among `docs` (the committee's documents of `year` and the years before it:
    the background the weights are measured against), each with its documents of `year` and `year − 1`."""
    docs = sorted(docs, key=lambda d: (d.year, d.kind, d.id))
    texts = {}
    df_all: Counter = Counter()
    df_year: Counter = Counter()
    places: set[str] = set()
    for doc in docs:
        title, body = texts[(doc.kind, doc.id)] = _parts(doc)
        mentioned = phrases_of(title, places)
        if _reads_body(title, body):
            mentioned |= phrases_of(body, places)
        df_all.update(mentioned)
        if doc.year == year:
            df_year.update(mentioned)
    total = len(docs)
    weights = {p: n * math.log((total + 1) / (df_all[p] + 1)) * _specificity(p)
               for p, n in df_year.items()
               if n >= MIN_DOCS and not any(p[:i] in places for i in range(2, len(p) + 1))}
    this_year = sum(1 for d in docs if d.year == year)
    if this_year >= MANY_DOCS:  # a phrase in more than MAX_SHARE of a large year is a set phrase, not a theme
        weights = {p: w for p, w in weights.items() if df_year[p] <= MAX_SHARE * this_year}
    weights = {p: w for p, w in weights.items() if w > 0}
    best = sorted(weights, key=lambda p: (-weights[p], p))[:CANDIDATES]
    this = [d for d in docs if d.year == year]
    last = [d for d in docs if d.year == year - 1]
    found = {}
    for phrase in best:
        found[phrase] = (
            frozenset((d.kind, d.id) for d in this if _mentions(*texts[(d.kind, d.id)], phrase)),
            frozenset((d.kind, d.id) for d in last if _mentions(*texts[(d.kind, d.id)], phrase)),
        )
    groups: list[dict] = []
    for phrase in best:
        now, before = found[phrase]
        if len(now) < MIN_DOCS:
            continue
        for group in groups:
            if _same_theme(group, phrase, now):
                group["phrases"].append(phrase)
                group["docs"] |= now
                group["last"] |= before
                break
        else:
            groups.append({"phrases": [phrase], "docs": set(now), "last": set(before), "weight": weights[phrase]})
    themes = []
    for group in groups[:k]:
        themes.append(Theme(
            label=_label(group, found), phrases=tuple(group["phrases"]), weight=round(group["weight"], 6),
            docs=tuple(sorted(group["docs"])), last_docs=tuple(sorted(group["last"])),
        ))
    themes.sort(key=lambda t: (-t.count, -t.weight, t.label))
    return themes


def _specificity(phrase: str) -> float:
    """0–1: how rare the phrase is in general Chinese (rjieba's dictionary frequency); cubed, so that
    common words (小区, 养老) weigh little against specific phrases (托育服务, 面源污染)."""
    freq = rjieba.suggest_freq(phrase)
    if freq >= COMMON_WORD:
        return 0.0
    return (math.log(GENERAL_TOTAL / max(freq, 1)) / math.log(GENERAL_TOTAL)) ** 3


def _same_theme(group: dict, phrase: str, docs: frozenset) -> bool:
    theirs = group["docs"]
    union = len(theirs | docs)
    overlap = len(theirs & docs) / union if union else 0.0
    if overlap >= MERGE_OVERLAP:
        return True
    # A phrase inside another (老旧小区 / 老旧小区改造) with half the same documents: one theme. A broad word
    # is not merged into a narrow one only because it contains it (小区 / 老旧小区).
    related = any(phrase in other or other in phrase for other in group["phrases"])
    return related and overlap >= 0.5


def _label(group: dict, found: dict) -> str:
    """The longest phrase of the theme mentioned by at least `LABEL_SHARE` of its documents (the first
    phrase when none is)."""
    size = len(group["docs"])
    fits = [p for p in group["phrases"] if len(found[p][0]) >= LABEL_SHARE * size]
    return max(fits or group["phrases"][:1], key=lambda p: (len(p), len(found[p][0]), p))


def trend_of(count: int, last_year: int) -> str:
    if last_year == 0:
        return "new" if count else "flat"
    if count > last_year:
        return "up"
    return "down" if count < last_year else "flat"


# ---------------------------------------------------------------------------------------------------
# The committee's documents, the cache and the viewer's topics

K_MAX = 30  # themes kept per (committee, year); `k` is at most this
BACKGROUND_YEARS = 5  # the year's themes are weighed against this many years before it (bounds the cost)


def _proposals(committee):
    from django.db.models import Q

    from xieshang.proposals.models import Proposal, ProposalState as S

    # Received: every proposal that left the proposer's hands (as the statistics count them).
    return Proposal.objects.filter(committee=committee).exclude(state__in=(S.DRAFT, S.COSIGNING)).exclude(
        Q(state=S.WITHDRAWN) & Q(submitted_at__isnull=True))


def _opinions(committee):
    from xieshang.opinions.models import OpinionReport
    from xieshang.opinions.workflow import GROUPS

    return OpinionReport.objects.filter(committee=committee, state__in=GROUPS["received"], is_combined=False)


def _demands(committee):
    from xieshang.grassroots.models import Demand, DemandState

    return Demand.objects.filter(committee=committee).exclude(state=DemandState.DECLINED)


def documents(committee, years: tuple[int, int] | None = None) -> list[Doc]:
    """The received proposals, opinion reports and demands of the committee, of the years `first`–`last`
    (both included) or of every year (three queries)."""
    p, o, d = _proposals(committee), _opinions(committee), _demands(committee)
    if years is not None:
        first, last = years
        p = p.filter(session__year__range=years)
        o = o.filter(year__range=years)
        d = d.filter(received_on__gte=datetime.date(first, 1, 1), received_on__lte=datetime.date(last, 12, 31))
    out = [Doc("proposal", pk, year, title, body) for pk, year, title, body in
           p.values_list("pk", "session__year", "title", Left("body", TEXT_LIMIT)).iterator()]
    out += [Doc("opinion", pk, year, title, "") for pk, year, title in o.values_list("pk", "year", "title").iterator()]
    out += [Doc("demand", pk, received.year, "", text) for pk, received, text in
            d.values_list("pk", "received_on", Left("text", TEXT_LIMIT)).iterator()]
    return out


def data_version(committee) -> str:
    """A digest of what the themes are computed from: for each kind, how many records, the sum of their
    versions, the highest id and (proposals, reports) the last change. Any new, changed or deleted record
    changes it (three aggregate queries)."""
    from django.db.models import Count, Max, Sum

    parts = []
    for qs, changed in ((_proposals(committee), "updated_at"), (_opinions(committee), "updated_at"),
                        (_demands(committee), None)):
        aggregates = {"n": Count("pk"), "v": Sum("version"), "top": Max("pk")}
        if changed:
            aggregates["t"] = Max(changed)
        parts.append(repr(sorted(qs.aggregate(**aggregates).items())))
    return hashlib.sha1("|".join(parts).encode()).hexdigest()[:16]


# Bumped when the method changes (stop list, weights, merging): the themes cached by the old code are not read.
METHOD = 5


def cache_key(committee, year: int) -> str:
    return f"xieshang:hot:m{METHOD}:{committee.pk}:{year}:{data_version(committee)}"


def themes(committee, year: int) -> list[Theme]:
    """The `K_MAX` themes of the committee's `year`, weighed against the `BACKGROUND_YEARS` before it,
    cached per (committee, year, data version)."""
    from django.core.cache import cache

    key = cache_key(committee, year)
    found = cache.get(key)
    if found is None:
        found = find_themes(documents(committee, (year - BACKGROUND_YEARS, year)), year, k=K_MAX)
        cache.set(key, found, CACHE_SECONDS)
    return found


def hot_topics(committee, year: int, *, k: int = 10, viewer=None) -> list[Topic]:
    """The committee's `k` hot topics of `year` with last year's counts. `examples`: up to `EXAMPLES`
    records of the year per topic that `viewer` may see (through each app's selectors); none without a
    viewer."""
    found = themes(committee, year)[: max(0, min(k, K_MAX))]
    examples = _examples(viewer, committee, found) if viewer is not None else {}
    topics = []
    for theme in found:
        by_kind = {kind: (sum(1 for d in theme.docs if d[0] == kind), sum(1 for d in theme.last_docs if d[0] == kind))
                   for kind in KINDS}
        topics.append(Topic(
            label=theme.label, count=theme.count, last_year=theme.last_year, change=theme.count - theme.last_year,
            trend=trend_of(theme.count, theme.last_year), by_kind=by_kind, phrases=theme.phrases,
            examples=tuple(examples.get(theme.label, ())),
        ))
    return topics


def _examples(viewer, committee, found: list[Theme]) -> dict[str, list[Example]]:
    """Per theme label, its newest records of the year that `viewer` may see (one query per kind)."""
    from xieshang.grassroots.selectors import demands_visible_to
    from xieshang.opinions.selectors import opinion_url, opinions_visible_to
    from xieshang.proposals.selectors import proposal_url, proposals_visible_to

    wanted: dict[str, set[int]] = defaultdict(set)
    for theme in found:
        for kind in KINDS:
            ids = [pk for k, pk in theme.docs if k == kind]
            wanted[kind].update(ids[-EXAMPLES * 4:])  # the newest few: ids grow with time
    rows: dict[tuple[str, int], Example] = {}
    if wanted["proposal"]:
        visible = proposals_visible_to(viewer, committee).filter(pk__in=wanted["proposal"])
        for pk, title in visible.values_list("pk", "title"):
            rows[("proposal", pk)] = Example("proposal", pk, title, proposal_url(pk))
    if wanted["opinion"]:
        visible = opinions_visible_to(viewer, committee).filter(pk__in=wanted["opinion"])
        for pk, title in visible.values_list("pk", "title"):
            rows[("opinion", pk)] = Example("opinion", pk, title, opinion_url(pk))
    if wanted["demand"]:
        visible = demands_visible_to(viewer, committee).filter(pk__in=wanted["demand"])
        for pk, code, text in visible.values_list("pk", "tracking_code", Left("text", 80)):
            rows[("demand", pk)] = Example("demand", pk, f"{code} {tokenize.clean(text, 40)}", _demand_url(pk))
    out = {}
    for theme in found:
        mine = sorted((rows[d] for d in theme.docs if d in rows), key=lambda e: -e.id)
        # One of each kind first, then the newest: a leader sees the spread.
        picked = []
        for kind in KINDS:
            picked += [e for e in mine if e.kind == kind][:1]
        picked += [e for e in mine if e not in picked]
        out[theme.label] = picked[:EXAMPLES]
    return out


def _demand_url(pk: int) -> str:
    from xieshang.core.screens import url_or_hash

    url = url_or_hash("grassroots:demand", pk)
    return "" if url == "#" else url


def command(out, *, committee: str, year: int, k: int = 10, json: bool = False, **_options) -> None:
    """`xieshang text hot --committee CODE --year YYYY [--k 10] [--json]`: the themes, their counts and
    trend (no examples: the command has no viewer)."""
    import json as json_module
    import time

    from django.core.management.base import CommandError

    from xieshang.core.models import Committee

    found = Committee.objects.filter(code=committee).first()
    if found is None:
        raise CommandError(f"no committee with the code {committee!r}")
    if not 2000 <= year <= 2200:
        raise CommandError(f"year {year} is out of range (2000–2200)")
    started = time.monotonic()
    topics = hot_topics(found, year, k=max(1, min(k, K_MAX)))
    seconds = time.monotonic() - started
    if json:
        out.write(json_module.dumps({"committee": found.code, "year": year,
                                        "topics": [t.as_dict() for t in topics]}, ensure_ascii=False))
        return
    out.write(f"{found.name} {year}: {len(topics)} hot topics ({seconds:.2f} s); count / {year - 1} / change")
    for n, t in enumerate(topics, 1):
        kinds = " ".join(f"{kind} {c}/{last}" for kind, (c, last) in t.by_kind.items())
        out.write(f"{n:>2}. {t.label}  {t.count} / {t.last_year} / {t.change:+d} {t.trend}  ({kinds})")
