"""The public portal: no sign-in, only public proposals and public replies, never private data.

Proposals are built by direct model creation (xieshang/reports/tests/builders.py)."""

import re

import pytest
from django.urls import reverse

from xieshang.core.models import Committee, Session
from xieshang.core.tests.factories import CommitteeFactory, HandlingUnitFactory, SectorFactory, SessionFactory, TermFactory
from xieshang.reports.tests import builders as b

pytestmark = pytest.mark.django_db

PHONE = "13912345678"
ADDRESS = "昌吉市延安北路1号"
MEMBER_PHONE = "13800001111"


@pytest.fixture
def world(committee):
    Committee.objects.filter(pk=committee.pk).update(portal_name="有事昌商量·邀你建吉言")
    s2024 = Session.objects.get(term__committee=committee, year=2024)
    s2025 = Session.objects.get(term__committee=committee, year=2025)
    sector = SectorFactory(committee=committee, name="经济界")
    lead = b.member(committee, "王建国", sector=sector, phone=MEMBER_PHONE, address="某小区3栋", employer="某公司总经理",
                    email="wang@example.org")
    unit = HandlingUnitFactory(committee=committee, name="州工业和信息化局")
    private_unit = HandlingUnitFactory(committee=committee, name="州保密局")

    def p(state, session=s2024, **kw):
        kw.setdefault("contact_phone", PHONE)
        kw.setdefault("contact_address", ADDRESS)
        return b.proposal(committee, session, state, lead=lead, **kw)

    public = p("closed", is_public=True, title="关于发展番茄加工产业的建议", category="economy",
               body="建议加大扶持。联系人手机13712345678。")
    a = b.assign(public, unit, "lead", "replied")
    b.reply(a, "adopted", text="经研究，已出台扶持政策。", public=True)
    b.assign(public, private_unit, "co", "replied")
    hidden_reply_p = p("replied", is_public=True, title="关于改善乡村道路的建议", category="agriculture", session=s2025)
    b.reply(b.assign(hidden_reply_p, private_unit, "sole", "replied"), "planned", text="内部答复不公开的内容", public=False)
    private = p("closed", title="关于内部事务的建议")
    draft_flagged = p("draft", is_public=True, title="草稿不应公开")
    submitted_flagged = p("submitted", is_public=True, title="待审查不应公开")
    other = CommitteeFactory(code="hami", name="哈密市政协", level=Committee.Level.COUNTY)
    other_session = SessionFactory(term=TermFactory(committee=other), number=2, year=2024)
    other_public = b.proposal(other, other_session, "closed", lead=b.member(other), is_public=True, title="哈密的公开提案")
    return {"public": public, "hidden_reply": hidden_reply_p, "private": private, "draft": draft_flagged,
            "submitted": submitted_flagged, "other": other_public, "committee": committee}


def _get(client, name, *args, **params):
    return client.get(reverse(name, args=args), params)


def test_home_names_the_portal_without_sign_in(client, world):
    response = _get(client, "portal:home")
    html = response.content.decode()
    assert response.status_code == 200
    assert "有事昌商量·邀你建吉言" in html and "关于发展番茄加工产业的建议" in html
    assert reverse("portal:proposals") in html
    assert " style=" not in html


def test_list_shows_only_public_registered_proposals(client, world):
    html = _get(client, "portal:proposals").content.decode()
    assert "关于发展番茄加工产业的建议" in html and "关于改善乡村道路的建议" in html
    for hidden in ("关于内部事务的建议", "草稿不应公开", "待审查不应公开", "哈密的公开提案"):
        assert hidden not in html


def test_no_private_data_anywhere(client, world):
    pages = [
        _get(client, "portal:home"),
        _get(client, "portal:proposals"),
        _get(client, "portal:proposal", world["public"].pk),
        _get(client, "portal:proposal", world["hidden_reply"].pk),
    ]
    for response in pages:
        html = response.content.decode()
        assert response.status_code == 200
        for secret in (PHONE, ADDRESS, MEMBER_PHONE, "某小区3栋", "某公司总经理", "wang@example.org", "13712345678"):
            assert secret not in html, secret
        assert not re.search(r"1[3-9]\d{9}", html)  # no mobile number at all


def test_detail_shows_public_replies_only_and_masks_phone_numbers(client, world):
    html = _get(client, "portal:proposal", world["public"].pk).content.decode()
    assert "经研究，已出台扶持政策。" in html and "137****5678" in html
    assert "州工业和信息化局" in html and "王建国" in html and "经济界" in html
    html = _get(client, "portal:proposal", world["hidden_reply"].pk).content.decode()
    assert "内部答复不公开的内容" not in html


@pytest.mark.parametrize("key", ["private", "draft", "submitted", "other"])
def test_detail_is_404_unless_public_in_this_committee(client, world, key):
    assert _get(client, "portal:proposal", world[key].pk).status_code == 404


def test_other_committee_by_code(client, world):
    response = _get(client, "portal:proposals", committee="hami")
    html = response.content.decode()
    assert "哈密的公开提案" in html and "关于发展番茄加工产业的建议" not in html
    assert _get(client, "portal:proposal", world["other"].pk, committee="hami").status_code == 200
    assert _get(client, "portal:home", committee="nowhere").status_code == 404


def test_search_in_chinese_and_filters(client, world):
    def titles(**params):
        return [p.title for p in _get(client, "portal:proposals", **params).context["page"].object_list]

    assert titles(q="番茄") == ["关于发展番茄加工产业的建议"]
    assert titles(q="扶持") == ["关于发展番茄加工产业的建议"]  # in the text
    assert titles(q="内部事务") == []
    assert titles(year="2025") == ["关于改善乡村道路的建议"]
    assert titles(category="economy") == ["关于发展番茄加工产业的建议"]
    # nonsense never fails
    assert len(titles(year="abc", category="nope", page="zz")) == 2


def test_pagination(client, world):
    session = Session.objects.get(term__committee=world["committee"], year=2024)
    for i in range(25):
        b.proposal(world["committee"], session, "registered", is_public=True, title=f"公开提案{i}")
    first = _get(client, "portal:proposals")
    assert len(first.context["page"].object_list) == 20 and first.context["page"].paginator.count == 27
    second = _get(client, "portal:proposals", page=2)
    assert len(second.context["page"].object_list) == 7


def test_list_makes_a_fixed_number_of_queries(client, world, django_assert_max_num_queries):
    session = Session.objects.get(term__committee=world["committee"], year=2024)
    for i in range(10):
        b.proposal(world["committee"], session, "registered", is_public=True, title=f"公开提案{i}")
    with django_assert_max_num_queries(6):
        _get(client, "portal:proposals")
    with django_assert_max_num_queries(6):
        _get(client, "portal:proposal", world["public"].pk)
