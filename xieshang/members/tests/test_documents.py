"""委员年度履职报告 as Word: one member from their page (who may have it), every member as a background export;
the layout's parts, in Chinese whatever the language; hostile text printed as text."""

import datetime
import io

import docx
import pytest
from django.urls import reverse

from xieshang.core import clock
from xieshang.core.documents import DOCX
from xieshang.core.errors import NotFound
from xieshang.core.models import Export
from xieshang.members import documents, services

from xieshang.proposals.tests.test_reply_letter import convert, needs_office

from .factories import make_people, record
from .test_views import browser, put

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(committee):
    clock.set_to(datetime.date(2026, 12, 5))
    people = make_people(committee)
    put(people)
    record(people.member, "opinion.submitted", 3)  # 6
    record(people.other, "opinion.submitted", 1)  # 2
    return people


def text_of(content: bytes) -> str:
    doc = docx.Document(io.BytesIO(content))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def test_one_report_from_the_page_in_chinese(people):
    services.score_adjust(actor=people.leader, committee=people.committee, member=people.member.pk, year=2026,
                          points="1", reason="协助组织专题调研")
    services.manual_fact_add(actor=people.staff, committee=people.committee, member=people.member.pk,
                             kind="commendation", occurred_on="2026-06-01", note="获评优秀政协委员")
    url = reverse("members:duty_docx", args=[people.member.pk]) + "?year=2026"
    for user in (people.member_user, people.staff, people.leader):
        response = browser(user, "en").get(url)
        assert response.status_code == 200 and response["Content-Type"] == DOCX
    text = text_of(response.content)
    assert "委员年度履职报告" in text and "（2026年度）" in text and people.member.name in text
    assert "总分12.00分" in text and "计算11.00分，领导调整+1.00分" in text and "全委第1名" in text
    assert "一、履职得分" in text and "二、计分明细" in text and "三、履职记录" in text and "四、领导调整" in text
    assert "× 2" in text  # the arithmetic
    assert "（补录）获评优秀政协委员" in text and "协助组织专题调研" in text
    for user in (people.other_user, people.unit):
        assert browser(user).get(url).status_code == 404


def test_hostile_text_in_the_report(people):
    people.member.name = "<script>alert(1)</script>\x07"
    people.member.save()
    services.manual_fact_add(actor=people.staff, committee=people.committee, member=people.member.pk,
                             kind="other", occurred_on="2026-06-01", note="{{ x }} <b>&amp;</b>")
    text = text_of(documents.report_of(people.staff, people.member.pk, 2026))
    assert "<script>alert(1)</script>" in text and "{{ x }} <b>&amp;</b>" in text


def test_every_report_as_a_background_export(people):
    handle = io.BytesIO()
    assert documents.write_duty_reports(handle, user=people.staff, committee=people.committee,
                                        params={"year": "2026"}) == 2
    text = text_of(handle.getvalue())
    assert text.count("委员年度履职报告") == 2 and text.index(people.member.name) < text.index(people.other.name)
    with pytest.raises(NotFound):
        documents.write_duty_reports(io.BytesIO(), user=people.member_user, committee=people.committee, params={})
    client = browser(people.leader)
    assert client.post(reverse("members:duty_reports"), {"year": "2026"}).status_code == 302
    export = Export.objects.get()
    assert export.kind == "members-duty-reports" and export.params == {"year": "2026"}
    assert browser(people.member_user).post(reverse("members:duty_reports"), {"year": "2026"}).status_code == 404


def test_report_without_rules(people):
    text = text_of(documents.report_of(people.staff, people.member.pk, 2025))
    assert "本年度尚无履职量化考核办法" in text and "本年度无履职记录" in text


@needs_office
def test_libreoffice_opens_the_report_with_its_score_table_and_records(people, tmp_path):
    """As an office opens it: LibreOffice reads the Word report (PDF and HTML), with the total, the table's
    arithmetic and the record; hostile text stays text."""
    import html as markup
    import re
    services.manual_fact_add(actor=people.staff, committee=people.committee, member=people.member.pk,
                             kind="other", occurred_on="2026-06-01", note="<b>参加</b>界别活动")
    path = tmp_path / "report.docx"
    path.write_bytes(documents.report_of(people.staff, people.member.pk, 2026))
    assert convert(path, "pdf", tmp_path / "pdf").read_bytes()[:4] == b"%PDF"
    page = convert(path, "html", tmp_path / "html").read_text(encoding="utf-8")
    text = markup.unescape(re.sub(r"<[^>]+>", "", page))
    assert "委员年度履职报告" in text and "（2026年度）" in text and people.member.name in text
    assert "一、履职得分" in text and "二、计分明细" in text and "三、履职记录" in text
    assert "× 2" in text and "（补录）<b>参加</b>界别活动" in text
    assert "<table" in page  # the score table is a table, not text
