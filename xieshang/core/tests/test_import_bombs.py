"""Excel uploads that unpack to far more than they weigh (zip bombs), or hold one enormous cell, are refused
with a clear message before openpyxl reads them, in every importer (members, handling units, past
proposals), and without the memory they would take (issue #12, item 6)."""

import io
import tracemalloc
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from xieshang.core import services
from xieshang.core.errors import Invalid
from xieshang.core.imports import MAX_CELL
from xieshang.core.models import Member

pytestmark = pytest.mark.django_db

SHEET = "xl/worksheets/sheet1.xml"


def _workbook(headers, rows=()) -> bytes:
    workbook = openpyxl.Workbook()
    for row in (headers, *rows):
        workbook.active.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def bomb(headers, cell_mb: int) -> SimpleUploadedFile:
    """A real workbook whose sheet gets one more row: an inline-string cell of `cell_mb` MB of one letter,
    deflated (a few hundred KB on disk), written in chunks so the test itself stays small."""
    source = zipfile.ZipFile(io.BytesIO(_workbook(headers)))
    sheet = source.read(SHEET).decode()
    head, tail = sheet.split("</sheetData>")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename != SHEET:
                target.writestr(info.filename, source.read(info.filename))
        with target.open(SHEET, "w", force_zip64=True) as part:
            part.write((head + '<row r="2"><c r="A2" t="inlineStr"><is><t>').encode())
            chunk = b"a" * (1024 * 1024)
            for _ in range(cell_mb):
                part.write(chunk)
            part.write(("</t></is></c></row></sheetData>" + tail).encode())
    return SimpleUploadedFile("名单.xlsx", out.getvalue())


@pytest.fixture
def admin(committee, make_user):
    return make_user(committee, "admin", username="admin-bomb")


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def test_a_zip_bomb_is_refused_before_it_is_unpacked(admin, committee):
    upload = bomb(["姓名", "手机"], cell_mb=120)
    assert upload.size < 1024 * 1024  # it weighs little
    tracemalloc.start()
    try:
        with pytest.raises(Invalid) as err:
            services.members_import(actor=admin, committee=committee, file=upload)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert "unpacks to more than 100 MB" in err.value.field_errors["file"][0]
    assert peak < 20 * 1024 * 1024  # nothing was unpacked (the cell alone is 120 MB)
    assert not Member.objects.exists()


def test_a_smaller_bomb_is_refused_by_its_packing_ratio_in_every_importer(admin, committee, make_user):
    from xieshang.proposals.services import proposals_import

    message = "unpacks to"
    for run in (
        lambda f: services.members_import(actor=admin, committee=committee, file=f),
        lambda f: services.handling_units_import(actor=admin, committee=committee, file=f),
        lambda f: proposals_import(actor=make_user(committee, "staff"), committee=committee, file=f),
    ):
        with pytest.raises(Invalid) as err:
            run(bomb(["标题", "姓名", "单位名称"], cell_mb=5))
        assert message in err.value.field_errors["file"][0]


def test_the_total_unpacked_size_is_a_setting(admin, committee, settings):
    settings.XIESHANG_IMPORT_MAX_UNPACKED_MB = 0
    upload = SimpleUploadedFile("名单.xlsx", _workbook(["姓名", "手机"], [["王芳", "13909940001"]]))
    with pytest.raises(Invalid) as err:
        services.members_import(actor=admin, committee=committee, file=upload)
    assert "more than 0 MB" in err.value.field_errors["file"][0]


def test_an_overlong_cell_of_a_csv_file_is_refused_with_its_row(committee, make_user):
    """Excel holds at most MAX_CELL characters in a cell (openpyxl cuts there); a CSV file is held to it."""
    from xieshang.proposals.services import proposals_import

    text = "标题,正文,提案人\r\n关于教育的建议,正文,张三\r\n关于卫生的建议," + "长" * (MAX_CELL + 1) + ",张三\r\n"
    upload = SimpleUploadedFile("历史提案.csv", text.encode())
    with pytest.raises(Invalid) as err:
        proposals_import(actor=make_user(committee, "staff"), committee=committee, file=upload)
    assert err.value.field_errors["file"] == [
        f"Row 3 has a cell of more than {MAX_CELL} characters; an import takes at most that much text in a cell."]


def test_the_import_page_shows_the_message_beside_the_file(admin, client):
    client.force_login(admin)
    client.cookies["django_language"] = "en"  # the pages follow the language switch, not Accept-Language
    response = client.post(reverse("core:admin_members_import"), {"file": bomb(["姓名"], cell_mb=5)})
    assert response.status_code == 422
    assert "unpacks to" in " ".join(response.context["form"].errors["file"])
    client.cookies["django_language"] = "zh-hans"
    response = client.post(reverse("core:admin_members_import"), {"file": bomb(["姓名"], cell_mb=5)})
    assert "解压后" in " ".join(response.context["form"].errors["file"])
