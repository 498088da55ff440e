"""A hand-built year of proposals with known figures (see `test_proposal_stats.py` for the sums)."""

import pytest

from xieshang.core.models import Session
from xieshang.core.tests.factories import CommitteeFactory, HandlingUnitFactory, SectorFactory, SessionFactory, TermFactory

from . import builders as b


@pytest.fixture
def year_2024(committee):
    """Proposals of 昌吉州政协 in 2024 (session 2 of the fixture's term), numbered as in the test's table."""
    s2024 = Session.objects.get(term__committee=committee, year=2024)
    s2025 = Session.objects.get(term__committee=committee, year=2025)
    econ = SectorFactory(committee=committee, name="经济界")
    agri = SectorFactory(committee=committee, name="农业界")
    u1 = HandlingUnitFactory(committee=committee, name="州教育局")
    u2 = HandlingUnitFactory(committee=committee, name="州住房和城乡建设局")
    u3 = HandlingUnitFactory(committee=committee, name="州交通运输局")
    m_econ = b.member(committee, "张三", sector=econ)
    m_agri = b.member(committee, "李四", sector=agri)

    def p(state, lead=m_agri, **kw):
        return b.proposal(committee, s2024, state, lead=lead, **kw)

    P = {}
    P[1] = p("draft")
    P[2] = p("cosigning")
    P[3] = p("withdrawn", submitted_at=None)
    P[4] = p("withdrawn")
    P[5] = p("submitted")
    P[6] = p("returned")
    P[7] = p("rejected", reject_reason="not_in_scope")
    P[8] = p("converted", converted_to="opinion_report")
    P[10] = p("registered")
    P[9] = p("merged", merged_into=P[10])
    P[11] = p("assigned")
    b.assign(P[11], u1, "sole", "assigned")
    P[12] = p("handling")
    b.assign(P[12], u1, "lead", "handling")
    b.assign(P[12], u2, "co", "replied")
    P[13] = p("replied", lead=m_econ, category="economy")
    b.reply(b.assign(P[13], u1, "sole", "replied"), "adopted")
    P[14] = p("closed", lead=m_econ, category="economy")
    b.reply(b.assign(P[14], u2, "lead", "replied"), "planned", verdict="satisfied")
    b.assign(P[14], u1, "co", "replied")
    P[15] = p("closed", lead=m_econ, is_key=True, is_excellent=True)
    b.reply(b.assign(P[15], u1, "split", "replied"), "adopted", verdict="satisfied")
    b.reply(b.assign(P[15], u2, "split", "replied"), "explained", on_time=False, verdict="basically_satisfied")
    P[16] = p("closed")
    a16 = b.assign(P[16], u2, "sole", "replied")
    b.reply(a16, "explained", round=1, verdict="dissatisfied")
    b.reply(a16, "planned", round=2, verdict="satisfied")
    P[17] = p("handling", is_key=True)
    b.assign(P[17], u3, "sole", "cancelled")
    b.assign(P[17], u1, "sole", "handling")
    P[18] = p("archived")
    b.reply(b.assign(P[18], u1, "sole", "replied"), "adopted", verdict="dissatisfied")

    # Outside the scope: another year, another committee.
    other_year = b.proposal(committee, s2025, "closed", lead=m_agri)
    b.reply(b.assign(other_year, u1, "sole", "replied"), "adopted", verdict="satisfied")
    other = CommitteeFactory(code="hami", name="哈密市政协")
    other_session = SessionFactory(term=TermFactory(committee=other), number=2, year=2024)
    ou = HandlingUnitFactory(committee=other, name="哈密教育局")
    op = b.proposal(other, other_session, "closed", lead=b.member(other))
    b.reply(b.assign(op, ou, "sole", "replied"), "explained", verdict="dissatisfied")

    return {"committee": committee, "session": s2024, "proposals": P, "units": (u1, u2, u3),
            "sectors": (econ, agri), "members": (m_econ, m_agri)}
