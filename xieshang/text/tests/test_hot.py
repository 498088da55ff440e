"""Hot topics (热点): the themes of a small synthetic history, their counts and trend, the stop list, the
examples each viewer may see, the workbench card, the statistics page and its export, the API and the
command (xieshang.text.hot)."""

from __future__ import annotations

import datetime
import io
import itertools
import json

import openpyxl
import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from xieshang.core.models import Session
from xieshang.grassroots.models import Demand
from xieshang.grassroots.tests.factories import make_world
from xieshang.opinions.models import OpinionState
from xieshang.opinions.tests.factories import OpinionReportFactory
from xieshang.proposals.models import ProposalState
from xieshang.proposals.tests.factories import ProposalFactory, make_committee, make_member
from xieshang.text import hot

pytestmark = pytest.mark.django_db

_codes = itertools.count(1)
GENERIC = {"建议", "问题", "加强", "工作", "推进", "进一步", "关于", "提案", "意见", "发展", "建设"}


class History:
    """One committee: 2025 and 2024 proposals, opinion reports and demands on a few themes, with noise."""

    def __init__(self):
        self.committee = make_committee()
        self.world = make_world(self.committee)
        self.author = make_member(self.committee)
        self.sessions = {s.year: s for s in Session.objects.filter(term__committee=self.committee)}
        self.proposals = []

    def proposal(self, year, title, *, author=None, state=ProposalState.SUBMITTED):
        from xieshang.core.models import Member

        fields = {}
        if author is not None:
            fields["lead_proposer"] = Member.objects.get(user=author, committee=self.committee)
            fields["created_by"] = author
        p = ProposalFactory(committee=self.committee, session=self.sessions[year], title=title, state=state,
                            submitted_at=datetime.datetime(year, 1, 15, 10, tzinfo=datetime.UTC), **fields)
        self.proposals.append(p)
        return p

    def opinion(self, year, title, state=OpinionState.SUBMITTED):
        return OpinionReportFactory(committee=self.committee, year=year, title=title, state=state,
                                    submitted_at=datetime.datetime(year, 3, 1, 10, tzinfo=datetime.UTC))

    def demand(self, year, text, state="received"):
        return Demand.objects.create(
            committee=self.committee, place=self.world.place, tracking_code=f"HT{year}{next(_codes):06d}",
            source="keeper", text=text, received_on=datetime.date(year, 5, 10), state=state,
            **({"decline_reason": "不属于受理范围"} if state == "declined" else {}),
        )


def build() -> History:
    h = History()
    # 2025: 托育服务 in 4 proposals and 2 reports; 农业面源污染 in 3 proposals; 充电桩 in 3 demands.
    h.proposal(2025, "关于发展普惠托育服务的建议", author=h.author)
    h.proposal(2025, "关于加快托育服务体系建设的建议")
    h.proposal(2025, "关于支持社区托育服务的提案")
    h.proposal(2025, "关于规范托育服务机构管理的建议")
    h.opinion(2025, "关于托育服务人才短缺的情况反映")
    h.opinion(2025, "托育服务收费偏高问题亟待解决")
    for title in ("关于加强农业面源污染防治的建议", "关于推进农业面源污染治理的建议", "关于农业面源污染监测的提案"):
        h.proposal(2025, title)
    for text in ("小区里新能源汽车充电桩太少，晚上排队充电，希望增设。", "新能源汽车充电桩坏了没人修，希望尽快修好。",
                 "单位附近没有新能源汽车充电桩，希望规划建设。"):
        h.demand(2025, text)
    # Noise: generic titles, a draft and a declined demand that must not count.
    for title in ("关于加强工作推进的建议", "关于进一步推进工作的建议", "关于加强和改进工作的意见"):
        h.proposal(2025, title)
    h.proposal(2025, "关于托育服务的草稿", state=ProposalState.DRAFT)
    h.demand(2025, "新能源汽车充电桩的事情", state="declined")
    # 2024: 托育服务 once, 农业面源污染 three times, no 充电桩.
    h.proposal(2024, "关于托育服务的建议")
    for title in ("关于农业面源污染的建议", "关于治理农业面源污染的建议", "关于减少农业面源污染的提案"):
        h.proposal(2024, title)
    h.proposal(2024, "关于加强工作的建议")
    return h


def _by_phrase(topics, piece):
    found = [t for t in topics if piece in t.label]
    assert found, f"no theme with {piece!r} in {[t.label for t in topics]}"
    return found[0]


def test_themes_counts_and_trend():
    h = build()
    topics = hot.hot_topics(h.committee, 2025, k=10)
    care = _by_phrase(topics, "托育")
    assert (care.count, care.last_year, care.change, care.trend) == (6, 1, 5, "up")
    assert care.by_kind == {"proposal": (4, 1), "opinion": (2, 0), "demand": (0, 0)}
    farm = _by_phrase(topics, "面源污染")
    assert (farm.count, farm.last_year, farm.trend) == (3, 3, "flat")
    charge = _by_phrase(topics, "充电")
    assert (charge.count, charge.last_year, charge.trend) == (3, 0, "new")  # the declined demand is not counted
    assert charge.by_kind["demand"] == (3, 0)
    assert topics[0] is care  # the most frequent first
    assert [t.count for t in topics] == sorted((t.count for t in topics), reverse=True)


def test_last_year_has_its_own_themes_and_trend_down():
    h = build()
    topics = hot.hot_topics(h.committee, 2024, k=10)
    farm = _by_phrase(topics, "面源污染")
    assert (farm.count, farm.last_year, farm.trend) == (3, 0, "new")  # nothing in 2023
    assert hot.trend_of(1, 3) == "down" and hot.trend_of(3, 3) == "flat" and hot.trend_of(0, 0) == "flat"


def test_stop_words_are_never_themes():
    h = build()
    for year in (2024, 2025):
        for t in hot.hot_topics(h.committee, year, k=30):
            assert t.label not in hot.STOP and t.label not in GENERIC
            assert not any(p in GENERIC for p in t.phrases)
    # The phrases themselves: no generic word alone, and none begins or ends with one.
    phrases = hot.phrases_of("关于进一步加强和推进托育服务工作的建议")
    assert "托育服务" in phrases
    assert not phrases & GENERIC
    assert not any(p.startswith(("关于", "加强", "推进")) or p.endswith(("建议", "工作")) for p in phrases)


def test_deterministic_and_empty():
    h = build()
    docs = hot.documents(h.committee)
    first = hot.find_themes(docs, 2025, k=10)
    assert hot.find_themes(list(reversed(docs)), 2025, k=10) == first
    assert hot.hot_topics(h.committee, 2019) == []  # a year without records
    assert hot.find_themes([], 2025) == []


def test_a_new_record_changes_the_cached_themes():
    h = build()
    before = _by_phrase(hot.hot_topics(h.committee, 2025), "托育")
    h.demand(2025, "家门口的托育服务机构太少，希望多办几家。")
    after = _by_phrase(hot.hot_topics(h.committee, 2025), "托育")
    assert after.count == before.count + 1
    assert after.by_kind["demand"] == (1, 0)


def test_an_edited_or_withdrawn_record_changes_the_cached_themes():
    h = build()
    assert _by_phrase(hot.hot_topics(h.committee, 2025), "托育").count == 6
    edited = next(p for p in h.proposals if p.title == "关于规范托育服务机构管理的建议")
    edited.title = "关于规范养老机构管理的建议"
    edited.save()  # as every service saves: updated_at and the data version change
    assert _by_phrase(hot.hot_topics(h.committee, 2025), "托育").count == 5
    gone = next(p for p in h.proposals if p.title == "关于支持社区托育服务的提案")
    gone.state, gone.submitted_at = ProposalState.DRAFT, None
    gone.save()  # back to a draft: no longer received
    assert _by_phrase(hot.hot_topics(h.committee, 2025), "托育").count == 4


def test_each_viewer_sees_only_examples_they_may_see():
    from xieshang.grassroots.selectors import can_see_demand
    from xieshang.proposals.selectors import can_see

    h = build()
    leader_topics = hot.hot_topics(h.committee, 2025, viewer=h.world.leader)
    care = _by_phrase(leader_topics, "托育")
    assert len(care.examples) == hot.EXAMPLES
    assert {e.kind for e in care.examples} == {"proposal", "opinion"}  # one of each kind first
    assert all(e.url for e in care.examples)
    charge = _by_phrase(leader_topics, "充电")
    assert charge.examples and all(e.kind == "demand" for e in charge.examples)
    for demand in Demand.objects.filter(pk__in=[e.id for e in charge.examples]):
        assert can_see_demand(h.world.leader, demand)
    # The author of one 托育 proposal sees that proposal only; no demand, no other member's proposal.
    mine = _by_phrase(hot.hot_topics(h.committee, 2025, viewer=h.author), "托育")
    from xieshang.proposals.models import Proposal

    for e in mine.examples:
        assert e.kind != "demand"
        if e.kind == "proposal":
            assert can_see(h.author, Proposal.objects.get(pk=e.id))
    assert [e.title for e in mine.examples if e.kind == "proposal"] == ["关于发展普惠托育服务的建议"]
    assert _by_phrase(hot.hot_topics(h.committee, 2025, viewer=h.world.member), "充电").examples == ()
    # Without a viewer: counts, no examples.
    assert all(t.examples == () for t in hot.hot_topics(h.committee, 2025))


def test_hostile_text_is_escaped_and_never_a_theme_label(client):
    h = build()
    for n in range(3):
        h.proposal(2025, f"<script>alert({n})</script>=HYPERLINK(\"x\")托育服务&amp;'\"")
    topics = hot.hot_topics(h.committee, 2025, k=30)
    for t in topics:
        assert all(ch.isalnum() for ch in t.label), t.label  # word characters only
    client.force_login(h.world.leader)
    html = client.get(reverse("reports:hot") + "?year=2025").content.decode()
    assert "<script>alert" not in html and "&lt;script&gt;alert" in html
    r = client.get(reverse("reports:hot_export") + "?year=2025")
    assert r.status_code == 200
    for value in (hot.phrases_of("<script>alert(1)</script>"), hot.phrases_of("\x00\u202e" * 50), hot.phrases_of("")):
        assert isinstance(value, set)
    assert hot.phrases_of("托" * 100_000) is not None  # a long text: no error


def _get(client, user, url, language="zh-hans"):
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client.get(url)


@pytest.mark.parametrize("language,heading", [("zh-hans", None), ("en", "Hot topics")])
def test_the_workbench_names_the_hot_topics(client, language, heading):
    h = build()
    home = _get(client, h.world.leader, reverse("core:home"), language)
    assert home.status_code == 200
    assert f'hx-get="{reverse("reports:hot_card")}"' in home.content.decode()
    card = _get(client, h.world.leader, reverse("reports:hot_card") + "?year=2025", language).content.decode()
    assert 'data-testid="hot-topics"' in card
    labels = [t.label for t in hot.hot_topics(h.committee, 2025, k=5)]
    assert all(label in card for label in labels)
    assert card.index(labels[0]) < card.index(labels[1])
    if heading:
        assert heading in card
    # Other roles have no card.
    staff_home = _get(client, h.world.member, reverse("core:home"), language).content.decode()
    assert "hot-card" not in staff_home


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_statistics_page_compares_with_last_year_by_kind(client, language):
    h = build()
    r = _get(client, h.world.staff, reverse("reports:hot") + "?year=2025", language)
    assert r.status_code == 200
    html = r.content.decode()
    assert 'data-testid="hot-table"' in html and ">2024<" in html
    care = _by_phrase(hot.hot_topics(h.committee, 2025), "托育")
    row = html[html.index(f"<strong>{care.label}</strong>"):]
    row = row[:row.index("</tr>")]
    # This year, last year, change, then proposals 4/1, reports 2/0, demands 0/0.
    cells = [c.split(">", 1)[1].split("</td>")[0] for c in row.split("<td")[1:]]
    assert cells[:2] == ["6", "1"] and "+5" in cells[2] and cells[3:9] == ["4", "1", "2", "0", "0", "0"]
    examples = _by_phrase(hot.hot_topics(h.committee, 2025, viewer=h.world.staff), "托育").examples
    assert examples and all(f'<a href="{e.url}">{e.title}</a>' in html for e in examples)  # linked
    if language == "en":
        assert "Hot topics" in html and "Opinion reports" in html
    # Both statistics pages load the year's hot topics as a section.
    for name in ("reports:proposals", "reports:opinions"):
        page = _get(client, h.world.staff, reverse(name) + "?year=2025", language).content.decode()
        assert f'hx-get="{reverse("reports:hot_card")}?year=2025"' in page


def test_the_statistics_export(client):
    h = build()
    r = _get(client, h.world.leader, reverse("reports:hot_export") + "?year=2025")
    assert r.status_code == 200 and "xlsx" in r["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(r.content)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    care = _by_phrase(hot.hot_topics(h.committee, 2025), "托育")
    row = next(r for r in rows if r[0] == care.label)
    assert row[1:10] == [6, 1, 5, 4, 1, 2, 0, 0, 0]


@pytest.mark.parametrize("role", ["member", "unit", "keeper"])
def test_only_statistics_roles_see_the_pages(client, role):
    h = build()
    user = getattr(h.world, role)
    for url in (reverse("reports:hot"), reverse("reports:hot_card"), reverse("reports:hot_export")):
        assert _get(client, user, url).status_code == 404
    assert _get(client, h.world.staff, reverse("reports:hot") + "?year=20x5").status_code == 404
    assert _get(client, h.world.staff, reverse("reports:hot") + "?year=1999").status_code == 404


def test_api(client):
    h = build()
    url = "/api/v1/text/hot-topics?year=2025&k=5"
    r = _get(client, h.world.leader, url)
    assert r.status_code == 200
    body = r.json()
    assert body["year"] == 2025 and len(body["topics"]) <= 5
    care = next(t for t in body["topics"] if "托育" in t["label"])
    assert (care["count"], care["last_year"], care["change"], care["trend"]) == (6, 1, 5, "up")
    assert care["by_kind"]["opinion"] == {"count": 2, "last_year": 0}
    assert care["examples"] and {"kind", "id", "title", "url"} <= set(care["examples"][0])
    assert _get(client, h.world.staff, url).status_code == 200
    for role in ("member", "unit", "keeper"):
        r = _get(client, getattr(h.world, role), url)
        assert r.status_code == 404 and r.json()["code"] == "not_found"
    assert _get(client, h.world.leader, "/api/v1/text/hot-topics?year=1").status_code == 422
    client.logout()
    assert client.get(url).status_code == 401


def test_command(capsys):
    h = build()
    out = io.StringIO()
    call_command("text", "hot", "--committee", h.committee.code, "--year", "2025", "--json", stdout=out)
    body = json.loads(out.getvalue())
    care = next(t for t in body["topics"] if "托育" in t["label"])
    assert care["count"] == 6 and care["examples"] == []
    out = io.StringIO()
    call_command("text", "hot", "--committee", h.committee.code, "--year", "2025", stdout=out)
    assert f"{care['label']}  6 / 1 / +5 up" in out.getvalue()
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="no committee"):
        call_command("text", "hot", "--committee", "nope", "--year", "2025")
