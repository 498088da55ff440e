"""The bigram search index of proposals (xieshang/core/search.py, documents by xieshang/proposals/search.py): exact substring semantics on the normalised
text, on SQLite (FTS5) and PostgreSQL (tsvector), kept up to date by the services; the lists use it
without revealing anything they did not show before."""

from __future__ import annotations

import io
import random

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xieshang.core import search as core_search
from xieshang.core import services as core_services
from xieshang.core.models import SearchEntry
from xieshang.core.tests.factories import MemberFactory, OrganizationFactory, SectorFactory, UserFactory
from xieshang.portal.selectors import public_proposals
from xieshang.proposals import search, selectors, services
from xieshang.proposals.models import Proposal, ProposalState, ProposerKind
from xieshang.proposals.tests.factories import (
    ProposalFactory,
    make_committee,
    make_member,
    make_role_user,
    walk_to,
)

pytestmark = pytest.mark.django_db
act = services.proposal_act


def found(text, qs=None, **kwargs) -> set[str]:
    qs = Proposal.objects.all() if qs is None else qs
    return set(search.filter_queryset(qs, text, **kwargs).values_list("title", flat=True))


# --- The format (what is stored and asked) --------------------------------------------------------


def test_documents_and_queries_are_bigrams_with_positions():
    assert search.runs("关于13-3-0042号，Wi-Fi　建议") == ["关于13", "3", "0042号", "wi", "fi", "建议"]
    assert search.grams("教育局") == ["教育", "育局", "局"]
    doc = search.build_document(words=["教育局", "", "a"], names=["张三"])
    assert doc.tsvectors() == ["'教育':1 '育局':2 '局':3 'a':6 '张三':9A '三':10A"]
    assert doc.fts5(search.WORDS) == "教育 育局 局 ¦ a" and doc.fts5(search.NAMES) == "张三 三"
    q = search.query_for("教育局")
    assert q.tsqueries() == ["'教育' <-> '育局'"] and q.fts5() == '"教育 育局"'
    q = search.query_for("教")
    assert q.tsqueries() == ["'教':*"] and q.fts5() == '"教" *'
    assert search.query_for("13-3-0042").tsqueries() == ["'13' <-> '3' <2> '3' <2> '00' <-> '04' <-> '42'"]
    assert search.query_for("ab-c").tsqueries(search.WORDS) == ["'ab':D <-> 'b':D <2> 'c':*D"]
    assert search.query_for("a  教育").fts5(search.WORDS) == 'words : "a" * AND words : "教育"'
    for nothing in ("", "   ", "，。、-", None):
        assert search.query_for(nothing) is None


# --- Semantics ------------------------------------------------------------------------------------


@pytest.fixture
def corpus():
    committee = make_committee()
    lead = MemberFactory(committee=committee, name="王建国", sector=SectorFactory(committee=committee, name="经济界"))

    def make(title, body="", **kw):
        return ProposalFactory(committee=committee, lead_proposer=lead, created_by=lead.user, title=title, body=body, **kw)

    make("关于加强教育局建设的提案", "建议增加投入。")
    make("关于教育，局长负责制的建议", "局长要负责。")
    make("关于推广5G和Wi-Fi 6的建议", "覆盖乡村。")
    make("编号提案", "", number="13-3-0042")
    make("关于教育", "局长办公")  # 育局 only across two fields
    make("ABC Mixed Case", "第二段：产业发展。")
    return committee


def test_one_two_and_long_terms(corpus):
    assert found("教") == {"关于加强教育局建设的提案", "关于教育，局长负责制的建议", "关于教育"}
    assert found("教育") == found("教")
    assert found("教育局") == {"关于加强教育局建设的提案"}
    assert found("关于加强教育局建设的提案") == {"关于加强教育局建设的提案"}
    assert found("加强教育局建设的提案吗") == set()
    assert found("产业发展") == {"ABC Mixed Case"}  # in the text


def test_punctuation_separates_runs_and_fields_separate_everything(corpus):
    assert found("育局") == {"关于加强教育局建设的提案"}  # not across "，" nor between subject and text
    assert found("育，局") == {"关于教育，局长负责制的建议"}  # the query crosses the same boundary: a phrase
    assert found("育-局长") == found("育 局长".replace(" ", "、")) == {"关于教育，局长负责制的建议"}
    assert found("育，局长办") == set()


def test_several_words_must_all_match_in_any_field(corpus):
    assert found("教育 负责") == {"关于教育，局长负责制的建议"}
    assert found("关于 局长") == {"关于教育，局长负责制的建议", "关于教育"}
    assert found("教育 不存在") == set()
    assert found("   ") == found("") == found("，。") == set(Proposal.objects.values_list("title", flat=True))


def test_numbers_and_latin_text(corpus):
    assert found("13-3-0042") == found("0042") == found("3-0042") == found("13 3 0042") == {"编号提案"}
    assert found("13-3-00421") == found("13-4-0042") == set()
    assert found("wi-fi") == found("WI-FI") == found("Wi fi") == found("5g和wi") == {"关于推广5G和Wi-Fi 6的建议"}
    assert found("wifi") == set()
    assert found("fi-6") == found("fi 6") == {"关于推广5G和Wi-Fi 6的建议"}
    assert found("abc mixed") == found("c m") == found("c") == {"ABC Mixed Case"}


def test_names_are_searched_in_the_lists_but_not_on_the_portal(corpus):
    everything = set(Proposal.objects.values_list("title", flat=True))
    assert found("王建国") == found("经济界") == found("建国") == everything
    assert found("王建国", scope=search.WORDS) == found("经济", scope=search.WORDS) == set()
    assert found("设", scope=search.WORDS) == {"关于加强教育局建设的提案"}


def test_hostile_queries_are_only_text(corpus):
    for text in ('"', "'", "\\", 'a" OR "b', "NEAR(a b)", "*", "教:*", "a & b | !c", "<-> <2>", "\x00教育局",
                 "words : 教", "'教育':* | '局'", ") OR 1=1 --", "%_", "\u200b教育\u200b局"):
        list(search.filter_queryset(Proposal.objects.all(), text))
    assert found('"教育局"') == found("'教育局'") == found("\\教育局\\") == {"关于加强教育局建设的提案"}
    assert found("教育 OR 局长") == set()  # OR is a word like any other


# The property: the search finds exactly the proposals whose normalised text contains each normalised word.

ALPHABET = "教育局长发展aAb1２-，. İ"


def expected(rows, term, scope=None) -> set[int]:
    words = [w for w in (search.normalise(w) for w in term[:core_search.MAX_QUERY].split()) if w]
    hits = set()
    for pid, words_fields, names_fields in rows:
        fields = [search.normalise(f) for f in words_fields + ([] if scope == search.WORDS else names_fields)]
        if all(any(w in f for f in fields) for w in words):
            hits.add(pid)
    return hits


class _Rollback(Exception):
    pass


def _check_property(data, lead, texts, n_queries=6) -> None:
    try:
        with transaction.atomic():
            specs = data.draw(st.lists(st.tuples(texts, texts, texts), min_size=1, max_size=5))
            created = Proposal.objects.bulk_create([
                Proposal(committee=lead.committee, session=lead.committee.terms.first().sessions.first(),
                         lead_proposer=lead, created_by=lead.user, title=t, body=b, sector_name=s)
                for t, b, s in specs
            ])
            search.index_proposals(created)
            rows = [(p.pk, [p.title, p.body], [lead.name, p.sector_name or lead.sector.name]) for p in created]
            every = [f for _pk, w, n in rows for f in w + n]
            for _ in range(n_queries):
                source = data.draw(st.sampled_from(every))
                start = data.draw(st.integers(0, len(source)))
                term = data.draw(st.one_of(
                    st.text(ALPHABET, max_size=8),
                    st.integers(1, 9).map(lambda n, s=source, i=start: s[i:i + n]),
                    st.lists(st.text(ALPHABET, min_size=1, max_size=4), max_size=3).map(" ".join),
                ))
                scope = data.draw(st.sampled_from([None, search.WORDS]))
                qs = Proposal.objects.filter(pk__in=[p.pk for p in created])
                got = set(search.filter_queryset(qs, term, scope=scope).values_list("pk", flat=True))
                assert got == expected(rows, term, scope), (term, scope, specs)
            raise _Rollback
    except _Rollback:
        pass


@pytest.fixture
def lead():
    committee = make_committee()
    return MemberFactory(committee=committee, name="委员甲", sector=SectorFactory(committee=committee, name="界别1"))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_property_search_is_substring_of_the_normalised_text(lead, data):
    _check_property(data, lead, st.text(ALPHABET, max_size=30))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_property_holds_when_long_documents_are_cut_into_parts(lead, data, monkeypatch):
    """Tiny PostgreSQL limits, so that documents are cut into parts and long runs into pieces all the
    time (SQLite has no such limits: the same property holds there trivially)."""
    monkeypatch.setattr(core_search, "MAX_QUERY", 6)
    monkeypatch.setattr(core_search, "PIECE", 10)
    monkeypatch.setattr(core_search, "PG_MAX_POSITION", 60)
    monkeypatch.setattr(core_search, "PG_MAX_OCCURRENCES", 26)
    _check_property(data, lead, st.text("ab1教-，", max_size=120), n_queries=8)


def test_every_substring_is_found_across_cuts_and_pieces(lead, monkeypatch):
    """Distinct characters (each substring occurs once), tiny limits: on PostgreSQL the text is cut into
    many parts and its long run into pieces; every substring of up to MAX_QUERY characters is found."""
    monkeypatch.setattr(core_search, "MAX_QUERY", 6)
    monkeypatch.setattr(core_search, "PIECE", 10)
    monkeypatch.setattr(core_search, "PG_MAX_POSITION", 30)
    chars = iter(chr(0x4E00 + i) for i in range(1000))
    rng = random.Random(3)
    lengths = [rng.choice([1, 2, 3, 4]) for _ in range(20)] + [27] + [rng.choice([1, 2, 3]) for _ in range(8)]
    body = "，".join("".join(next(chars) for _ in range(n)) for n in lengths)
    p = ProposalFactory(committee=lead.committee, lead_proposer=lead, created_by=lead.user, title="唯", body=body)
    qs = Proposal.objects.filter(pk=p.pk)
    text = search.normalise(body)
    terms = {text[i:i + n] for i in range(len(text)) for n in range(1, 7)}
    terms = [t.replace(" ", "，") for t in terms if t == t.strip()]
    assert [t for t in terms if not search.filter_queryset(qs, t).exists()] == []
    assert not search.filter_queryset(qs, body[2::-1]).exists()
    if connection.vendor == "postgresql":
        assert SearchEntry.objects.filter(kind="proposal", object_id=p.pk).count() > 3


def test_a_very_long_proposal_is_found_everywhere_in_it(lead):
    rng = random.Random(7)
    filler = "".join(rng.choice("发展经济教育医疗养老农业交通生态，。") for _ in range(40000))
    body = "哈" * 900 + "。" + filler + "乡村振兴示范区建设"
    p = ProposalFactory(committee=lead.committee, lead_proposer=lead, created_by=lead.user, title="长文", body=body)
    assert found("乡村振兴示范区建设") == found("哈" * 80) == found(filler[20000:20060]) == {"长文"}
    assert found("展哈") == found("兴示范区建设完") == set()
    assert found("哈。" + filler[:20]) == {"长文"}
    if connection.vendor == "postgresql":  # more than 16383 positions, 900 times 哈哈: several parts
        assert SearchEntry.objects.filter(kind="proposal", object_id=p.pk).count() > 2


# --- Upkeep through the services -------------------------------------------------------------------


def test_edit_register_cosign_and_merge_keep_the_index_current():
    p, actors = walk_to("draft", title="关于旧标题的提案")
    staff = actors.staff
    mine = selectors.proposals_visible_to(actors.proposer, actors.committee)
    assert found("旧标题", mine) == {"关于旧标题的提案"}
    p = services.proposal_update(actor=actors.proposer, proposal=p, title="关于新标题的提案", body="新增一段关于湿地保护的内容。")
    assert found("旧标题", mine) == set() and found("湿地保护", mine) == {"关于新标题的提案"}
    cosigner_name = actors.cosigner.memberships.get(committee=actors.committee).name
    p = act(actor=actors.proposer, proposal=p, action="invite_cosigners",
            data={"members": [actors.cosigner.memberships.get(committee=actors.committee).pk]})
    p = act(actor=actors.proposer, proposal=p, action="submit")
    seen = selectors.proposals_visible_to(staff, actors.committee)
    assert found(cosigner_name, seen) == set()  # invited, not signed yet
    p = act(actor=actors.cosigner, proposal=p, action="cosign")
    assert found(cosigner_name, seen) == {"关于新标题的提案"}
    assert p.state == ProposalState.SUBMITTED  # the only invited co-signer answered: co-signing ended
    p = act(actor=staff, proposal=p, action="register")
    assert p.number and found(p.number, seen) == found(p.number.rsplit("-", 1)[1], seen) == {"关于新标题的提案"}
    other, _ = walk_to("submitted", actors=actors, cosign=False, title="关于湿地的另一提案")
    merged = act(actor=staff, proposal=other, action="merge", data={"into": p.pk})
    assert merged.state == ProposalState.MERGED
    assert found("湿地", seen) == {"关于新标题的提案", "关于湿地的另一提案"}
    assert search.reindex(stale_only=True) == 0  # every document is at its proposal's version


def _stored(p) -> tuple:
    """What the index holds for `p`: (version, digest, content) — content as the database returns it."""
    if connection.vendor == "postgresql":
        sql = f"SELECT version, digest, vector::text FROM {core_search.TABLE} WHERE kind = 'proposal' AND object_id = %s ORDER BY part"
        key = p.pk
    else:
        sql = f"SELECT version, digest, words || '|' || names FROM {core_search.TABLE} WHERE rowid = %s"
        key = core_search._rowid("proposal", p.pk)
    with connection.cursor() as cursor:
        cursor.execute(sql, [key])
        rows = cursor.fetchall()
    assert len({(version, digest) for version, digest, _content in rows}) == 1, rows
    return rows[0][0], rows[0][1], tuple(content for _v, _d, content in rows)


def _index_writes(queries) -> list[str]:
    return [q["sql"] for q in queries if core_search.TABLE in q["sql"] and not q["sql"].lstrip().upper().startswith("SELECT")]


def test_a_write_that_changes_nothing_indexed_leaves_the_document_alone():
    p, actors = walk_to("draft", title="关于摘要不变的提案")
    written = _stored(p)
    assert written[0] == p.version and written[1].startswith(f"{core_search.INDEX_FORMAT}:")
    cosigner = actors.cosigner.memberships.get(committee=actors.committee)
    with CaptureQueriesContext(connection) as queries:
        p = services.proposal_update(actor=actors.proposer, proposal=p, contact_phone="13900000000")  # not indexed
        p = act(actor=actors.proposer, proposal=p, action="invite_cosigners", data={"members": [cosigner.pk]})
        p = act(actor=actors.proposer, proposal=p, action="submit")
    assert p.state == ProposalState.COSIGNING and p.version > written[0]
    assert _index_writes(queries.captured_queries) == [] and _stored(p) == written  # not even the version
    # a change that is indexed (the co-signer's name) is written, at the proposal's version
    with CaptureQueriesContext(connection) as queries:
        p = act(actor=actors.cosigner, proposal=p, action="cosign")
    assert _index_writes(queries.captured_queries)
    version, digest, content = _stored(p)
    assert version == p.version and digest != written[1] and content != written[2]
    assert found(cosigner.name) == {"关于摘要不变的提案"}
    # … and the next transitions that change nothing indexed write nothing again
    with CaptureQueriesContext(connection) as queries:
        p = act(actor=actors.staff, proposal=p, action="return_for_revision", data={"reason": "请补充"})
    assert p.state == ProposalState.RETURNED and _index_writes(queries.captured_queries) == []
    assert _stored(p) == (version, digest, content)
    assert search.reindex(stale_only=True) == 0  # behind its proposal's version, but not stale


def test_a_new_title_replaces_the_document_and_its_digest():
    p, actors = walk_to("draft", title="关于湖泊治理的提案", body="保护湖泊。")
    before = _stored(p)
    p = services.proposal_update(actor=actors.proposer, proposal=p, title="关于湿地修复的提案")
    after = _stored(p)
    assert after[0] == p.version and after[1] != before[1] and after[2] != before[2]
    assert found("湿地修复") == {"关于湿地修复的提案"} and found("湖泊治理") == set()
    assert found("保护湖泊") == {"关于湿地修复的提案"}  # the text is still there
    assert search.index_proposals([p]) == 0  # written already: nothing to do
    # the same document again after a change and its undoing: the first digest again, nothing stale
    p = services.proposal_update(actor=actors.proposer, proposal=p, title="关于湖泊治理的提案")
    assert _stored(p)[1:] == before[1:] and found("湖泊治理") == {"关于湖泊治理的提案"}


def test_import_indexes_the_imported_proposals(committee, make_user):
    from xieshang.proposals.tests.test_imports import xlsx  # the import tests' file builder

    staff = make_user(committee, "staff")
    MemberFactory(committee=committee, name="导入委员")
    result = services.proposals_import(actor=staff, committee=committee, file=xlsx([
        ["关于导入提案检索的建议", "正文", "导入委员", "", "2025", "", "", "", "13-3-0007"],
    ]))
    assert not result.errors, result.errors
    assert found("0007") == found("提案检索") == found("导入委员") == {"关于导入提案检索的建议"}


def test_renames_reach_the_documents(committee, make_user):
    admin = make_user(committee, "admin")
    org = OrganizationFactory(committee=committee, name="民盟")
    sector = SectorFactory(committee=committee, name="教育界")
    lead = MemberFactory(committee=committee, name="李四", sector=sector)
    ProposalFactory(committee=committee, lead_proposer=lead, created_by=lead.user, title="党派提案",
                    proposer_kind=ProposerKind.ORGANIZATION, organization=org)
    ProposalFactory(committee=committee, lead_proposer=lead, created_by=lead.user, title="委员提案", sector_name="")
    core_services.member_save(actor=admin, committee=committee, member=lead, name="李思远", term=lead.term,
                              sector=sector, organization=lead.organization)
    core_services.organization_save(actor=admin, committee=committee, organization=org, name="民进", kind=org.kind)
    core_services.sector_save(actor=admin, committee=committee, sector=sector, name="科技界")
    assert found("李思远") == {"党派提案", "委员提案"} and found("李四") == set()
    assert found("民进") == {"党派提案"} and found("民盟") == set()
    assert found("科技界") == {"党派提案", "委员提案"} and found("教育界") == set()


def test_a_rename_in_the_django_admin_reaches_the_documents_too(committee, make_user):
    """/django-admin/ is no side door for the index either: a party renamed there is found by its new name."""
    from django.test import Client

    org = OrganizationFactory(committee=committee, name="民盟")
    lead = MemberFactory(committee=committee, name="王五")
    ProposalFactory(committee=committee, lead_proposer=lead, created_by=lead.user, title="党派提案",
                    proposer_kind=ProposerKind.ORGANIZATION, organization=org)
    client = Client()
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    url = f"/django-admin/core/organization/{org.pk}/change/"
    form = client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None}
    data["name"] = "民进"
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    assert found("民进") == {"党派提案"} and found("民盟") == set()


# --- Visibility ---------------------------------------------------------------------------------------


def test_search_never_reveals_what_the_list_does_not_show():
    draft, actors = walk_to("draft", title="关于秘密草稿的提案")
    submitted, _ = walk_to("submitted", actors=actors, cosign=False, title="关于公开讨论的提案")
    stranger = make_member(actors.committee)
    leader = make_role_user(actors.committee, "leader")

    def listed(user, q):
        return {p.title for p in selectors.proposal_list(user, actors.committee, {"q": q})}

    assert listed(actors.proposer, "秘密草稿") == {"关于秘密草稿的提案"}
    for user in (actors.staff, leader, stranger, actors.cosigner):
        assert listed(user, "秘密草稿") == set()
    assert listed(actors.staff, "关于") == {"关于公开讨论的提案"}
    assert listed(stranger, "关于") == set()
    other = make_committee()
    assert selectors.proposal_list(make_role_user(other, "staff"), other, {"q": "公开讨论"}).count() == 0


def test_portal_search_reads_the_index_and_shows_only_public_proposals():
    p, actors = walk_to("registered", cosign=False, title="关于保护天池水源的建议")
    walk_to("registered", actors=actors, cosign=False, title="关于天池旅游的建议")
    act(actor=actors.staff, proposal=p, action="set_public", data={"value": True})
    titles = {x.title for x in public_proposals(actors.committee, {"q": "天池"})}
    assert titles == {"关于保护天池水源的建议"}
    assert not public_proposals(actors.committee, {"q": actors.member.name}).exists()  # names: not on the portal


# --- The command --------------------------------------------------------------------------------------


def _raw(committee, lead, *titles):
    session = committee.terms.first().sessions.first()
    return Proposal.objects.bulk_create([
        Proposal(committee=committee, session=session, lead_proposer=lead, created_by=lead.user, title=t) for t in titles
    ])


def test_reindex_command_builds_what_bulk_writers_wrote(lead):
    committee = lead.committee
    other = make_committee()
    other_lead = MemberFactory(committee=other, user=UserFactory())
    _raw(committee, lead, "批量写入甲", "批量写入乙")
    _raw(other, other_lead, "批量写入丙")
    assert found("批量写入") == set()
    out = io.StringIO()
    call_command("search_reindex", "--committee", committee.code, "--batch", "1", stdout=out)
    assert "Indexed 2 proposals" in out.getvalue()
    assert found("批量写入") == {"批量写入甲", "批量写入乙"}
    call_command("search_reindex", "--stale", stdout=out)
    assert found("批量写入") == {"批量写入甲", "批量写入乙", "批量写入丙"}
    # a row changed behind the services' back is stale: --stale rewrites that one only
    Proposal.objects.filter(title="批量写入甲").update(title="改过的标题", version=5)
    out = io.StringIO()
    call_command("search_reindex", "--stale", stdout=out)
    assert "Indexed 1 proposals" in out.getvalue() and found("改过的标题") == {"改过的标题"}
    # the same change without a version bump is not seen by --stale (services and index_proposals see it)
    Proposal.objects.filter(title="改过的标题").update(title="悄悄改过")
    assert search.reindex(stale_only=True) == 0 and found("悄悄改过") == set()
    assert search.index_proposals(Proposal.objects.filter(title="悄悄改过")) == 1 and found("悄悄改过") == {"悄悄改过"}
    # rows of deleted proposals go (PostgreSQL: with the proposal; SQLite: at the next rebuild)
    gone = Proposal.objects.get(title="批量写入乙")
    gone.delete()
    call_command("search_reindex", stdout=io.StringIO())
    assert not SearchEntry.objects.filter(kind="proposal", object_id=gone.pk).exists()
    assert SearchEntry.objects.filter(kind="proposal").count() == Proposal.objects.count()
    with pytest.raises(CommandError):
        call_command("search_reindex", "--committee", "nowhere")
    with pytest.raises(CommandError):
        call_command("search_reindex", "--batch", "0")


def _set_index_row(p, **values):
    """Change the index row of `p` behind search.py's back (an old or damaged row)."""
    where = "kind = 'proposal' AND object_id = %s" if connection.vendor == "postgresql" else "rowid = %s"
    key = p.pk if connection.vendor == "postgresql" else core_search._rowid("proposal", p.pk)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {core_search.TABLE} SET {', '.join(f'{k} = %s' for k in values)} WHERE {where}",
                       [*values.values(), key])


def test_stale_finds_missing_outdated_and_old_format_digests(lead, monkeypatch):
    committee = lead.committee
    a, b, c, d = (ProposalFactory(committee=committee, lead_proposer=lead, created_by=lead.user, title=t)
                  for t in ("摘要甲", "摘要乙", "摘要丙", "摘要丁"))
    assert search.reindex(stale_only=True) == 0
    _set_index_row(a, digest=None)  # written before the digest existed, at its proposal's version: current
    _set_index_row(b, digest=None, version=b.version - 1)  # … at an older version: checked, and rewritten
    _set_index_row(c, digest="1:0123456789abcdef")  # a digest that is not the content's, at its version
    _set_index_row(d, digest="0:" + _stored(d)[1].split(":")[1])  # another index format
    out = io.StringIO()
    call_command("search_reindex", "--stale", stdout=out)
    assert "Indexed 2 proposals" in out.getvalue()  # b and d
    assert _stored(a)[1] is None and _stored(c)[1] == "1:0123456789abcdef"  # (no version moved)
    for p in (b, d):
        assert _stored(p)[0] == p.version and _stored(p)[1].startswith(f"{core_search.INDEX_FORMAT}:")
    # the next write of their proposals compares digests: a's and c's documents are rewritten once
    assert search.index_proposals([a, b, c, d]) == 2 and search.index_proposals([a, b, c, d]) == 0
    assert found("摘要") == {"摘要甲", "摘要乙", "摘要丙", "摘要丁"}
    # a new index format makes every document stale
    monkeypatch.setattr(core_search, "INDEX_FORMAT", core_search.INDEX_FORMAT + 1)
    assert search.reindex(stale_only=True) == 4 and search.reindex(stale_only=True) == 0
    assert {_stored(p)[1].split(":")[0] for p in (a, b, c, d)} == {str(core_search.INDEX_FORMAT)}
    assert found("摘要") == {"摘要甲", "摘要乙", "摘要丙", "摘要丁"}
