"""The text search index of every kind (xieshang/core/search.py): index, remove, the digest that skips
unchanged documents, kinds and committees kept apart, hostile text, and reindexing a declared kind —
on SQLite (FTS5) and PostgreSQL (tsvector) alike. Two test kinds are declared over core.Member rows:
"member" (a member's name, names: sector) and "employer" (the same ids, the member's employer)."""

from __future__ import annotations

import io
import itertools

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from xieshang.core import search
from xieshang.core.models import Member, SearchEntry
from xieshang.core.tests.factories import CommitteeFactory, MemberFactory, SectorFactory

pytestmark = pytest.mark.django_db


TEXTS: dict[int, str] = {}  # text that stands for a member's name in its "member" document (longer than a name)


def member_documents(ids):
    return [
        search.Document(kind="member", object_id=pk, committee_id=cid, title=TEXTS.get(pk, name), names=(sector,))
        for pk, cid, name, sector in Member.objects.filter(pk__in=ids).values_list("pk", "committee_id", "name", "sector__name")
    ]


def employer_documents(ids):
    return [
        search.Document(kind="employer", object_id=pk, committee_id=cid, body=employer)
        for pk, cid, employer in Member.objects.filter(pk__in=ids).values_list("pk", "committee_id", "employer")
    ]


@pytest.fixture(autouse=True)
def test_kinds(monkeypatch):
    declared = dict(search.kinds())
    declared["member"] = search.SearchKind(builder=f"{__name__}.member_documents", model="core.Member",
                                           version_field=None)
    declared["employer"] = search.SearchKind(builder=employer_documents, model="core.Member", version_field=None)
    monkeypatch.setattr(search, "kinds", lambda: declared)
    TEXTS.clear()
    yield declared
    TEXTS.clear()


@pytest.fixture
def people():
    one, two = CommitteeFactory(), CommitteeFactory()
    sector = SectorFactory(committee=one, name="教育界")
    a = MemberFactory(committee=one, name="王建国", employer="州教育局局长", sector=sector)
    b = MemberFactory(committee=one, name="李建华", employer="州财政局")
    c = MemberFactory(committee=two, name="王建国", employer="县教育局")  # the same name in another committee
    search.index("member", [a, b, c])
    search.index("employer", [a, b, c])
    return a, b, c


def names(kind, text, qs=None, **kw):
    qs = Member.objects.all() if qs is None else qs
    return sorted(search.filter_by_text(qs, kind, text, **kw).values_list("pk", flat=True))


def _writes(queries) -> list[str]:
    return [q["sql"] for q in queries if search.TABLE in q["sql"] and not q["sql"].lstrip().upper().startswith("SELECT")]


def test_index_and_search_one_kind(people):
    a, b, c = people
    assert names("member", "建国") == [a.pk, c.pk]
    assert names("member", "建") == [a.pk, b.pk, c.pk]
    assert names("member", "王 国") == [a.pk, c.pk] and names("member", "王华") == []
    assert names("member", "教育界") == [a.pk]  # names are searched …
    assert names("member", "教育界", scope=search.WORDS) == []  # … unless the scope is the words only
    assert names("member", "  ，。") == names("member", "") == [a.pk, b.pk, c.pk]  # nothing to search: no filter
    assert search.matching_ids(a.committee_id, "member", "，") is None


def test_two_kinds_with_the_same_ids_do_not_mix(people):
    a, b, c = people
    assert names("employer", "教育局") == [a.pk, c.pk] and names("member", "教育局") == []
    assert names("member", "王建国") == [a.pk, c.pk] and names("employer", "王建国") == []
    assert search.matching_ids(a.committee, "employer", "财政") == [b.pk]
    assert search.matching_ids(a.committee, "member", "财政") == []
    assert search.matching_ids(a.committee, "proposal", "王建国") == []  # the proposals' kind, same ids maybe
    search.remove("employer", [a])  # removing one kind's document leaves the other's
    assert names("employer", "教育局") == [c.pk] and names("member", "王建国") == [a.pk, c.pk]


def test_committees_are_kept_apart(people):
    a, b, c = people
    assert search.matching_ids(a.committee_id, "member", "王建国") == [a.pk]
    assert search.matching_ids(c.committee_id, "member", "王建国") == [c.pk]
    assert names("member", "王建国", Member.objects.filter(committee=c.committee), committee=c.committee) == [c.pk]
    assert search.matching_ids(CommitteeFactory(), "member", "王建国") == []


def test_a_write_that_changes_nothing_writes_nothing(people):
    a, b, c = people
    with CaptureQueriesContext(connection) as queries:
        assert search.index("member", [a, b, c]) == 0
    assert _writes(queries.captured_queries) == []
    Member.objects.filter(pk=b.pk).update(phone="13900000000")  # not indexed
    assert search.index("member", [b]) == 0
    Member.objects.filter(pk=b.pk).update(name="李新华")
    with CaptureQueriesContext(connection) as queries:
        assert search.index("member", [a, b]) == 1  # only b's document is written
    assert _writes(queries.captured_queries)
    assert names("member", "新华") == [b.pk] and names("member", "建华") == []
    digest = SearchEntry.objects.get(kind="member", object_id=b.pk).digest
    assert digest.startswith(f"{search.INDEX_FORMAT}:")
    assert SearchEntry.objects.get(kind="employer", object_id=b.pk).digest != digest


def test_remove_and_deleted_objects(people):
    a, b, c = people
    search.remove("member", [b.pk, 999999])  # an id without a document: nothing to do
    assert names("member", "建") == [a.pk, c.pk]
    assert not SearchEntry.objects.filter(kind="member", object_id=b.pk).exists()
    assert SearchEntry.objects.filter(kind="employer", object_id=b.pk).exists()
    search.index("member", [b])
    assert names("member", "建华") == [b.pk]
    # an object that no longer exists: indexing it removes its document
    pk = c.pk
    c.delete()
    assert search.index("member", [pk, a.pk]) == 0
    assert not SearchEntry.objects.filter(kind="member", object_id=pk).exists()
    assert search.matching_ids(a.committee_id, "member", "王建国") == [a.pk]


def test_hostile_text_is_only_text(people):
    a, b, c = people
    hostile = ['<script>alert("x")</script>', "O'Brien \"quoted\" \\back", "{{ 委员 }} {% if %}",
               'a" OR "b', "NEAR(a b) * ^x", "'); DROP TABLE core_search; --", "教:* & !局 | <->"]
    TEXTS[a.pk] = " ".join(hostile)
    search.index("member", [a])
    assert names("member", "script") == [a.pk] and names("member", "alert x") == [a.pk]
    assert names("member", "o'brien") == names("member", '"quoted"') == names("member", "{{委员}}") == [a.pk]
    assert names("member", "DROP TABLE core_search") == [a.pk]
    for text in hostile + ['"', "'", "\\", "*", ":*", "words : 教", ") OR 1=1 --", "%_", "\u200b", "\x00零字节"]:
        names("member", text)
        search.matching_ids(a.committee_id, "member", text)
    assert names("member", "建国") == [c.pk]  # a's old name is gone with its old document
    assert SearchEntry.objects.filter(kind="member").count() == 3
    # a very long text is found at its end (PostgreSQL: in several parts)
    TEXTS[b.pk] = "财政" * 20000 + "终点站"
    search.index("member", [b])
    assert names("member", "财政终点站") == [b.pk]
    if connection.vendor == "postgresql":
        assert SearchEntry.objects.filter(kind="member", object_id=b.pk).count() > 1


def test_unknown_kinds_collisions_and_wrong_builders(people, test_kinds):
    a, b, c = people
    with pytest.raises(ValueError):
        search.index("nothing", [a])
    with pytest.raises(ValueError):
        names("nothing", "王")
    # two kinds whose index codes collide are refused (SQLite keys rows by that code)
    seen, pair = {}, None
    for i in itertools.count():
        name = f"k{i}"
        if (code := search.kind_code(name)) in seen:
            pair = (seen[code], name)
            break
        seen[code] = name
    with pytest.raises(ImproperlyConfigured):
        search._kinds(tuple((name, "x.y") for name in pair))
    assert search._kinds((("one", "x.y"),))["one"].model is None  # a dotted path is a kind without a model
    test_kinds["liar"] = search.SearchKind(builder=member_documents)  # returns documents of kind "member"
    with pytest.raises(ValueError):
        search.index("liar", [a])


def test_reindex_a_kind_and_the_command(people):
    a, b, c = people
    # a write behind the index's back; a kind without a version: --stale rebuilds and compares digests
    Member.objects.filter(pk=a.pk).update(name="赵建国")
    assert search.reindex(kind="member", stale_only=True) == {"member": 1}
    assert search.reindex(kind="member", stale_only=True) == {"member": 0}
    assert names("member", "赵建国") == [a.pk]
    # one committee; rows of objects that no longer exist go
    search.remove("member", [b])
    gone = MemberFactory(committee=a.committee, name="已删除")
    search.index("member", [gone])
    Member.objects.filter(pk=gone.pk).delete()
    out = io.StringIO()
    call_command("search_reindex", "--kind", "member", "--committee", a.committee.code, stdout=out)
    assert "Indexed 2 members" in out.getvalue()
    assert names("member", "建") == [a.pk, b.pk, c.pk]
    assert not SearchEntry.objects.filter(kind="member", object_id=gone.pk).exists()
    # everything: every declared kind, from an empty table
    out = io.StringIO()
    call_command("search_reindex", stdout=out)
    assert "Indexed 3 members" in out.getvalue() and "Indexed 3 employers" in out.getvalue()
    assert names("employer", "教育局") == [a.pk, c.pk] and names("member", "王建国") == [c.pk]
    with pytest.raises(CommandError):
        call_command("search_reindex", "--kind", "nothing")


def test_proposals_are_a_declared_kind():
    kinds = search.kinds()
    assert kinds["proposal"].model == "proposals.Proposal"
    assert kinds["proposal"].build.__name__ == "documents"
