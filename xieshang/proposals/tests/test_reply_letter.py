"""The reply letter (答复函) in Word: the document number, page numbers in the footer, the salutation once,
the seal line (the unit's full name) with the date in Chinese numerals; and, when LibreOffice is installed,
that the letter and the list export convert to PDF."""

import datetime
import io
import shutil
import subprocess
import zipfile

import docx
import pytest
from django.utils import timezone

from xieshang.proposals import documents, services
from xieshang.proposals.models import Reply
from xieshang.proposals.tests.factories import walk_to

pytestmark = pytest.mark.django_db


def replied(committee, text, **extra):
    p, actors = walk_to("handling", committee=committee)
    services.proposal_act(actor=actors.unit_users[0], proposal=p, action="reply",
                          data={"outcome": "adopted", "text": text, "signed_by": "王局长", **extra})
    reply = Reply.objects.select_related("assignment__unit", "proposal").get(proposal=p)
    Reply.objects.filter(pk=reply.pk).update(replied_at=timezone.make_aware(datetime.datetime(2026, 12, 5, 10)))
    reply.refresh_from_db()
    return reply, actors


def letter(reply):
    data = documents.reply_letter_docx(reply)
    return docx.Document(io.BytesIO(data)), data


def texts(document):
    return [p.text for p in document.paragraphs]


def test_the_document_number_seal_line_and_chinese_numeral_date(committee):
    reply, actors = replied(committee, "感谢您的提案。\n经研究，已采纳。", document_number="州农业农村局〔2026〕12号")
    assert reply.document_number == "州农业农村局〔2026〕12号"
    document, data = letter(reply)
    lines = texts(document)
    assert any(line.startswith("州农业农村局〔2026〕12号") and "签发人：王局长" in line for line in lines)
    unit = reply.assignment.unit.name
    seal = lines.index("二〇二六年十二月五日")
    assert lines[seal - 1] == unit
    assert document.paragraphs[seal].alignment == 2 and document.paragraphs[seal - 1].alignment == 2  # right
    footer = zipfile.ZipFile(io.BytesIO(data)).read("word/footer1.xml").decode()
    assert "PAGE" in footer and 'w:fldCharType="begin"' in footer and "— " in footer and " —" in footer


@pytest.mark.parametrize("text", ["张三委员：\n感谢您的提案。", "尊敬的委员：\r\n感谢您的提案。"])
def test_a_salutation_already_in_the_text_is_printed_once(committee, text):
    reply, _actors = replied(committee, text)
    lines = texts(letter(reply)[0])
    first = text.replace("\r\n", "\n").split("\n")[0]
    assert lines.count(first) == 1
    assert sum(1 for line in lines if line.endswith("委员：")) == 1
    assert "感谢您的提案。" in lines


def test_without_one_the_letter_greets_the_proposer(committee):
    reply, actors = replied(committee, "感谢您的提案，经研究：已采纳。")  # a colon inside a sentence is no salutation
    lines = texts(letter(reply)[0])
    name = reply.proposal.proposer_name
    assert lines.count(f"{name}委员：") == 1 and "感谢您的提案，经研究：已采纳。" in lines
    assert documents.reply_values(reply)["文号"] == ""


def test_the_reply_form_and_the_api_take_the_document_number(committee):
    from xieshang.proposals.forms import ReplyForm
    from xieshang.proposals.schemas import ReplyInput

    assert "document_number" in ReplyForm.base_fields
    assert ReplyInput(outcome="adopted", text="x", document_number=" 〔2026〕1号 ").document_number == "〔2026〕1号"
    with pytest.raises(Exception):
        ReplyInput(outcome="adopted", text="x", document_number="号" * 61)


def test_the_units_reply_form_takes_the_document_number_and_keeps_it_on_errors(committee):
    from django.test import Client
    from django.urls import reverse

    p, actors = walk_to("handling", committee=committee)
    unit = Client()
    unit.force_login(actors.unit_users[0])
    url = reverse("proposals:act", args=[p.pk, "reply"])
    page = unit.get(reverse("proposals:detail", args=[p.pk])).content.decode()
    assert 'name="reply-document_number"' in page
    too_long = unit.post(url, {"reply-outcome": "adopted", "reply-text": "已采纳。", "reply-document_number": "号" * 61})
    assert too_long.status_code == 200 and "号" * 61 in too_long.content.decode()  # what was typed is kept
    ok = unit.post(url, {"reply-outcome": "adopted", "reply-text": "已采纳。",
                         "reply-document_number": "州农业农村局〔2026〕3号"})
    assert ok.status_code == 302
    assert Reply.objects.get(proposal=p).document_number == "州农业农村局〔2026〕3号"


# --- Opened in LibreOffice, as an office opens them ----------------------------------------------------------

OFFICE = shutil.which("libreoffice") or shutil.which("soffice")
needs_office = pytest.mark.skipif(not OFFICE, reason="LibreOffice is not installed (.ci/run installs it)")


def convert(path, target: str, outdir):
    """LibreOffice converts `path` to `target` (e.g. "pdf", "html") in `outdir`, with a profile of its own (two
    runs at once do not share one)."""
    profile = (outdir / "profile").as_uri()
    subprocess.run([OFFICE, f"-env:UserInstallation={profile}", "--headless", "--convert-to", target,
                    "--outdir", str(outdir), str(path)], check=True, timeout=180, capture_output=True)
    return outdir / (path.stem + "." + target.split(":")[0])


@needs_office
def test_libreoffice_opens_the_letter_with_its_number_seal_line_and_page_numbers(committee, tmp_path):
    reply, _actors = replied(committee, "感谢您的提案。", document_number="州农业农村局〔2026〕3号")
    path = tmp_path / "letter.docx"
    path.write_bytes(documents.reply_letter_docx(reply))
    assert convert(path, "pdf", tmp_path / "pdf").read_bytes()[:4] == b"%PDF"
    import html as markup
    import re

    html = markup.unescape(re.sub(r"<[^>]+>", "", convert(path, "html", tmp_path / "html").read_text(encoding="utf-8")))
    page_field = 'type=PAGE' in convert(path, "html", tmp_path / "field").read_text(encoding="utf-8")
    assert "州农业农村局〔2026〕3号" in html and "二〇二六年十二月五日" in html
    assert reply.assignment.unit.name in html
    assert html.count("感谢您的提案") == 1
    assert page_field and "— 1" in html  # the footer's page number, a field LibreOffice fills in


@needs_office
def test_libreoffice_opens_the_export_with_the_offices_columns_as_numbers(committee, tmp_path):
    """The export, opened and saved again by LibreOffice, keeps its title row, the office's columns, and numbers
    as numbers (the frozen header is checked on the file itself: a headless save drops view settings)."""
    import openpyxl

    from xieshang.proposals.exports import write_proposal_list

    _reply, actors = replied(committee, "感谢您的提案。")
    path = tmp_path / "proposals.xlsx"
    with open(path, "wb") as handle:
        write_proposal_list(handle, user=actors.staff, committee=committee, params={})
    again = convert(path, 'xlsx:Calc MS Excel 2007 XML', tmp_path / "again")
    sheet = openpyxl.load_workbook(again).worksheets[0]
    assert committee.short_name in str(sheet.cell(1, 1).value)  # the title row
    header = [c.value for c in sheet[2]]
    for column in ("附议人", "答复类别", "评价", "答复日期", "办理期限", "超期天数"):
        assert column in header, (column, header)
    overdue = sheet.cell(3, header.index("超期天数") + 1)
    assert overdue.value is None or overdue.data_type == "n"
