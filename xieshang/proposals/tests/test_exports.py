"""The proposal list's Excel export: the one writer (rows, filters, visibility), and the page's export
written at once up to XIESHANG_EXPORT_INLINE_MAX_ROWS rows, in the background above."""

import datetime
import io

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from xieshang.core.models import Event, Export, Notification
from xieshang.core.tests.factories import HandlingUnitFactory
from xieshang.proposals.exports import count_proposal_list, write_proposal_list, write_proposal_list_api
from xieshang.proposals.models import Assignment, ProposalState
from xieshang.proposals.tests.factories import ProposalFactory, make_role_user, make_unit, walk_to

pytestmark = pytest.mark.django_db


def client_for(user):
    c = Client()
    c.force_login(user)
    return c


def _rows(data: bytes) -> list[tuple]:
    wb = load_workbook(io.BytesIO(data), read_only=True)
    rows = list(wb.worksheets[0].iter_rows(values_only=True))
    assert len([v for v in rows[0] if v is not None]) == 1  # the title row (core.exports.write_table)
    return rows[1:]


def _write(writer=write_proposal_list, **kwargs) -> list[tuple]:
    handle = io.BytesIO()
    written = writer(handle, **kwargs)
    rows = _rows(handle.getvalue())
    assert written == len(rows) - 1
    return rows


@pytest.fixture
def world(committee):
    """Five handling proposals (three assigned to the lead unit, one of them key), two submitted, one draft."""
    staff = make_role_user(committee, "staff")
    unit, unit_user = make_unit(committee, name="州发展改革委")
    today = timezone.localdate()
    handling = []
    for i in range(5):
        p = ProposalFactory(committee=committee, state=ProposalState.HANDLING, number=f"13-4-{i + 1:04d}",
                            sequence=i + 1, title=f"关于第{i}项工作的提案", is_key=(i == 0),
                            submitted_at=timezone.now())
        handling.append(p)
        if i < 3:
            due = today + datetime.timedelta(days=30 + i)
            Assignment.objects.create(
                proposal=p, unit=unit, role="lead", state="handling", assigned_at=timezone.now(),
                objection_due=today + datetime.timedelta(days=5), due_date=due, original_due_date=due,
            )
    for i in range(2):
        ProposalFactory(committee=committee, state=ProposalState.SUBMITTED, title=f"待审查提案{i}")
    ProposalFactory(committee=committee, state=ProposalState.DRAFT, title="草稿")
    return {"staff": staff, "unit": unit, "unit_user": unit_user, "committee": committee, "handling": handling}


# --- The writer -----------------------------------------------------------------------------------------


def test_the_writer_holds_the_rows_and_columns_of_the_list(world):
    rows = _write(user=world["staff"], committee=world["committee"], params={})
    header, body = rows[0], rows[1:]
    assert header[:11] == ("提案号", "案由", "状态", "提案类型", "类别", "提案人", "界别", "承办单位",
                           "重点提案", "优秀提案", "提交日期")
    assert header[11:] == ("附议人", "答复类别", "评价", *(str(_(t)) for t in ("Reply date", "Handling due",
                                                                           "Overdue days")))
    assert len(body) == 7  # five handling, two submitted; never the draft
    assert "草稿" not in {r[1] for r in body}
    key = next(r for r in body if r[0] == "13-4-0001")
    assert "州发展改革委" in key[7]
    assert key[15] == datetime.datetime.combine(timezone.localdate() + datetime.timedelta(days=30), datetime.time())
    assert (key[8], key[9]) == ("是", "否")  # key proposal, not an excellent one


def test_the_writer_applies_the_filters_and_the_sort(world):
    params = {"state": "handling", "unit": str(world["unit"].pk), "sort": "number"}
    rows = _write(user=world["staff"], committee=world["committee"], params=params)
    assert [r[0] for r in rows[1:]] == ["13-4-0001", "13-4-0002", "13-4-0003"]
    assert count_proposal_list(world["staff"], world["committee"], params) == 3
    key_only = _write(user=world["staff"], committee=world["committee"], params={"key": "1"})
    assert [r[0] for r in key_only[1:]] == ["13-4-0001"]


def test_the_writer_follows_visibility(world, committee):
    rows = _write(user=world["unit_user"], committee=committee, params={})
    assert len(rows) - 1 == 3  # only the proposals assigned to the unit
    outsider = make_role_user(committee, "unit", unit=HandlingUnitFactory(committee=committee))
    assert _write(user=outsider, committee=committee, params={}) == [rows[0]]


def test_the_writer_writes_text_never_formulas_and_drops_illegal_characters(committee):
    staff = make_role_user(committee, "staff")
    ProposalFactory(committee=committee, state=ProposalState.SUBMITTED, title='=HYPERLINK("http://evil","x")\x07',
                    sector_name="+cmd|' /C calc'!A0")
    for writer in (write_proposal_list, write_proposal_list_api):
        handle = io.BytesIO()
        writer(handle, user=staff, committee=committee, params={})
        ws = load_workbook(io.BytesIO(handle.getvalue())).worksheets[0]
        assert ws.cell(3, 2).value == '=HYPERLINK("http://evil","x")'  # under the title row and the header
        assert ws.cell(3, 2).data_type == "s" and ws.cell(3, 2).quotePrefix
        sector = next(c for c in ws[3] if c.value == "+cmd|' /C calc'!A0")
        assert sector.data_type == "s" and sector.quotePrefix
        assert all(cell.data_type != "f" for row in ws.iter_rows() for cell in row)


def test_the_api_layout_keeps_its_columns(world):
    rows = _write(write_proposal_list_api, user=world["staff"], committee=world["committee"], params={"state": "handling"})
    assert len(rows[0]) == 13 + 6 and rows[0][2] == "提案人" and rows[0][7] == "承办单位" and rows[0][13] == "附议人"
    assert len(rows) - 1 == 5


def test_the_writer_reads_in_chunks(world, monkeypatch):
    """The rows are read with .iterator(chunk_size=500), so memory stays flat whatever the list's length."""
    from django.db.models.query import QuerySet

    seen = []
    original = QuerySet.iterator

    def spy(self, chunk_size=None):
        seen.append(chunk_size)
        return original(self, chunk_size=chunk_size)

    monkeypatch.setattr(QuerySet, "iterator", spy)
    _write(user=world["staff"], committee=world["committee"], params={})
    assert seen == [500]


def test_the_writer_makes_the_same_queries_for_few_and_many_rows(world):
    """The office's columns (co-signers, reply, verdict, dates) are read per chunk, not per row: 8 rows and 20
    rows, some replied and evaluated, make the same number of queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            _write(user=world["staff"], committee=world["committee"], params={})
        return len(ctx.captured_queries)

    count()  # warm: what a process reads once (content types, the calendar)
    few = count()
    for _ in range(3):
        walk_to("closed", committee=world["committee"])
    for i in range(9):
        ProposalFactory(committee=world["committee"], state=ProposalState.SUBMITTED, title=f"又一件{i}",
                        submitted_at=timezone.now())
    assert count() == few


# --- The page: at once, or in the background -----------------------------------------------------------


def test_a_short_list_is_streamed_at_once(world, settings):
    settings.XIESHANG_EXPORT_INLINE_MAX_ROWS = 7
    client = client_for(world["staff"])
    for response in (client.get(reverse("proposals:export")), client.post(reverse("proposals:export"))):
        assert response.status_code == 200
        assert "attachment" in response["Content-Disposition"]
        assert len(_rows(b"".join(response.streaming_content))) == 8
    assert not Export.objects.exists()


def test_a_long_list_is_exported_in_the_background(world, settings, django_capture_on_commit_callbacks):
    settings.XIESHANG_EXPORT_INLINE_MAX_ROWS = 2
    staff, url = world["staff"], reverse("proposals:export") + "?state=handling&sort=number"
    client = client_for(staff)

    # A GET (a bookmark) changes nothing: it asks to confirm, with a form that keeps the filters.
    page = client.get(url)
    assert page.status_code == 200 and b'data-testid="export-queue"' in page.content
    assert b"state=handling" in page.content
    assert not Export.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert response.status_code == 302 and response["Location"] == reverse("core:exports")
    export = Export.objects.get()
    assert (export.requested_by, export.kind, export.params) == (staff, "proposals", {"sort": "number", "state": "handling"})
    assert export.state == Export.State.DONE and export.row_count == 5
    assert export.language == "zh-hans"
    assert Event.objects.filter(action="export.requested", object_id=str(export.pk), actor=staff).exists()

    listing = client.get(reverse("core:exports"))
    assert listing.status_code == 200 and b'data-testid="export-download"' in listing.content
    assert b"hx-trigger" not in listing.content  # nothing pending: no polling

    note = Notification.objects.get(recipient=staff, kind="export.done")
    assert note.url == reverse("core:export_download", args=[export.pk])
    download = client.get(note.url)
    assert download.status_code == 200 and "attachment" in download["Content-Disposition"]
    rows = _rows(b"".join(download.streaming_content))
    assert [r[0] for r in rows[1:]] == ["13-4-0001", "13-4-0002", "13-4-0003", "13-4-0004", "13-4-0005"]
    assert rows[0][0] == "提案号"  # in the language it was asked in


def test_the_background_file_is_in_the_language_it_was_asked_in(world, settings, django_capture_on_commit_callbacks):
    settings.XIESHANG_EXPORT_INLINE_MAX_ROWS = 1
    client = client_for(world["staff"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("proposals:export"))
    export = Export.objects.get()
    assert export.language == "en"
    rows = _rows(b"".join(client.get(reverse("core:export_download", args=[export.pk])).streaming_content))
    assert rows[0][:2] == ("Number", "Subject") and len(rows) - 1 == 7
    assert Notification.objects.get(kind="export.done").title.startswith("Your export is ready")


def test_the_exports_page_polls_while_an_export_is_pending(world, settings):
    settings.XIESHANG_EXPORT_INLINE_MAX_ROWS = 1
    client = client_for(world["staff"])
    client.post(reverse("proposals:export"))  # not committed in this test: the export stays queued
    assert Export.objects.get().state == Export.State.QUEUED
    page = client.get(reverse("core:exports"))
    assert b'hx-trigger="every 3s"' in page.content and b"<script>" not in page.content
    partial = client.get(reverse("core:exports"), headers={"HX-Request": "true"})
    assert b"<html" not in partial.content and b'id="exports"' in partial.content
    assert b"export-download" not in partial.content
    # The download of a pending export leads back to the page.
    pending = client.get(reverse("core:export_download", args=[Export.objects.get().pk]))
    assert pending.status_code == 302 and pending["Location"] == reverse("core:exports")


def test_only_the_requester_downloads(world, committee, settings, django_capture_on_commit_callbacks):
    settings.XIESHANG_EXPORT_INLINE_MAX_ROWS = 1
    with django_capture_on_commit_callbacks(execute=True):
        client_for(world["staff"]).post(reverse("proposals:export"))
    export = Export.objects.get()
    url = reverse("core:export_download", args=[export.pk])
    other_staff = make_role_user(committee, "staff")
    missing = reverse("core:export_download", args=[export.pk + 1000])
    for user in (other_staff, world["unit_user"]):
        client = client_for(user)
        assert client.get(url).status_code == 404
        assert client.get(missing).status_code == 404
        assert b"export-row" not in client.get(reverse("core:exports")).content
    assert Client().get(url).status_code == 302  # not signed in: to the sign-in page


def test_a_unit_user_exports_only_what_the_unit_sees_in_the_background(world, settings, django_capture_on_commit_callbacks):
    settings.XIESHANG_EXPORT_INLINE_MAX_ROWS = 1
    client = client_for(world["unit_user"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("proposals:export"))
    export = Export.objects.get()
    assert export.row_count == 3
    rows = _rows(b"".join(client.get(reverse("core:export_download", args=[export.pk])).streaming_content))
    assert {r[0] for r in rows[1:]} == {"13-4-0001", "13-4-0002", "13-4-0003"}


def test_the_office_columns_cosigners_outcome_verdict_dates_and_overdue_days_as_numbers(committee):
    closed, actors = walk_to("closed", committee=committee, verdict="basically_satisfied", title="已办结的提案")
    late, _a = walk_to("handling", committee=committee, title="超期的提案")
    Assignment.objects.filter(proposal=late).update(due_date=timezone.localdate() - datetime.timedelta(days=12))
    handle = io.BytesIO()
    write_proposal_list(handle, user=actors.staff, committee=committee, params={})
    ws = load_workbook(io.BytesIO(handle.getvalue())).worksheets[0]
    assert ws.freeze_panes == "A3" and ws.cell(1, 1).font.bold and committee.short_name in ws.cell(1, 1).value
    header = [c.value for c in ws[2]]
    column = {name: header.index(name) + 1 for name in header}
    rows = {ws.cell(r, 2).value: r for r in range(3, ws.max_row + 1)}
    done, overdue = rows["已办结的提案"], rows["超期的提案"]
    cosigner_name = actors.cosigner.memberships.get(committee=committee).name
    assert ws.cell(done, column["附议人"]).value == cosigner_name
    assert ws.cell(done, column["答复类别"]).value == "A"
    assert ws.cell(done, column["评价"]).value == "基本满意"
    replied = ws.cell(done, column[str(_("Reply date"))])
    assert replied.value.date() == timezone.localdate() and replied.number_format == "yyyy-mm-dd"
    days = ws.cell(overdue, column[str(_("Overdue days"))])
    assert days.value == 12 and days.data_type == "n"
    assert ws.cell(done, column[str(_("Overdue days"))]).value is None
    assert ws.cell(overdue, column[str(_("Handling due"))]).number_format == "yyyy-mm-dd"
    # widths fit: the title column is wider than the number column, Chinese counted double
    assert ws.column_dimensions["B"].width >= 2 * len("已办结的提案") + 2 > ws.column_dimensions["A"].width
