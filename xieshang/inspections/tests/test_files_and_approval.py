"""Attached files of inspections and supervision items, and the year's plan's approval (主席会议审议通过, 党委批准):
the services' permission matrix (office, leader, member, unit), the date rules, the pages (shown, refused input kept,
hidden = 404) and the approval line of the year's plan in Word."""

from __future__ import annotations

import datetime
import io

import docx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from xieshang.consultation.tests.test_views import client
from xieshang.core.attachments import attachments_of
from xieshang.core.errors import Conflict, Forbidden, IllegalTransition, Invalid, NotFound
from xieshang.core.models import Event
from xieshang.inspections import documents, selectors, services
from xieshang.inspections.models import PlanApproval
from xieshang.inspections.tests.factories import make_world, plan, walk_supervision_to, walk_to

pytestmark = pytest.mark.django_db

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")
PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
APPROVAL = {"chair_approved_on": "2026-01-15", "chair_document": "州政协主席会议纪要〔2026〕1号"}
PARTY = {"party_approved_on": "2026-02-10", "party_document": "州党委办〔2026〕12号"}


@pytest.fixture
def w():
    return make_world()  # "today" is 2026-03-02


def png(name="视察现场.png"):
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def pdf(name="调研材料.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


# --- Services: attached files ------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["inspection", "supervision"])
def test_who_may_attach_and_remove_files(w, kind):
    obj = walk_to("under_way", w) if kind == "inspection" else walk_supervision_to("under_way", w)
    # the office attaches and removes; leaders and the team (w.member) read: 403; not on the team, a unit: 404
    for user in (w.staff, w.admin):
        row = services.attachment_add(actor=user, obj=obj, file=pdf(), purpose="material")
        assert row.purpose == "material" and row.committee_id == w.committee.pk
    expected = {w.leader: Forbidden, w.member: Forbidden, w.outsider: NotFound, w.unit: NotFound}
    for user, error in expected.items():
        with pytest.raises(error):
            services.attachment_add(actor=user, obj=obj, file=pdf())
        with pytest.raises(error):
            services.attachment_remove(actor=user, obj=obj, attachment=row)
    assert len(selectors.files_of(obj)) == 2
    services.attachment_remove(actor=w.staff, obj=obj, attachment=row)
    assert [a.uploaded_by_id for a in selectors.files_of(obj)] == [w.staff.pk]
    actions = list(Event.objects.filter(action__startswith="attachment.").values_list("action", flat=True))
    assert sorted(actions) == ["attachment.add", "attachment.add", "attachment.remove"]


def test_a_file_is_checked_and_a_photo_is_an_image(w):
    i = plan(w)
    with pytest.raises(Invalid) as exc:
        services.attachment_add(actor=w.staff, obj=i, file=pdf(), purpose="photo")
    assert "file" in exc.value.field_errors
    with pytest.raises(Invalid) as exc:
        services.attachment_add(actor=w.staff, obj=i, file=SimpleUploadedFile("x.exe", b"MZ"), purpose="report")
    assert "file" in exc.value.field_errors
    with pytest.raises(Invalid) as exc:
        services.attachment_add(actor=w.staff, obj=i, file=pdf(), purpose="other")
    assert "purpose" in exc.value.field_errors
    services.attachment_add(actor=w.staff, obj=i, file=png(), purpose="photo")
    # another item's file is not this one's
    other = plan(w, title="另一项调研")
    with pytest.raises(NotFound):
        services.attachment_remove(actor=w.staff, obj=other, attachment=attachments_of(i).get())


# --- Services: the plan's approval ------------------------------------------------------------------------------


def record(w, actor=None, year=2026, expected_version=None, **fields):
    return services.plan_approval_record(actor=actor or w.staff, committee=w.committee, year=year,
                                         data={**APPROVAL, **fields}, expected_version=expected_version)


def test_who_may_record_the_plans_approval(w):
    for user in (w.leader, w.member, w.unit, w.outsider):
        with pytest.raises(Forbidden):
            record(w, actor=user)
    assert not PlanApproval.objects.exists()
    row = record(w, actor=w.admin)
    assert (row.version, row.chair_document, row.party_approved_on) == (1, APPROVAL["chair_document"], None)
    row = record(w, expected_version=1, **PARTY)
    assert row.version == 2 and row.party_approved_on == datetime.date(2026, 2, 10) and row.is_final
    events = list(Event.objects.filter(action="inspection.plan_approval").order_by("id"))
    assert len(events) == 2 and events[1].payload["changes"]["party_document"] == ["", PARTY["party_document"]]
    assert selectors.event_label("inspection.plan_approval")
    # final: no more changes
    with pytest.raises(IllegalTransition):
        record(w, **PARTY)
    assert selectors.plan_approval(w.leader, w.committee, 2026) == row
    assert selectors.plan_approval(w.member, w.committee, 2026) is None


@pytest.mark.parametrize(("fields", "field"), [
    ({"chair_approved_on": "2026-03-03"}, "chair_approved_on"),  # tomorrow
    ({**PARTY, "party_approved_on": "2026-03-03"}, "party_approved_on"),
    ({**PARTY, "party_approved_on": "2026-01-14"}, "party_approved_on"),  # before the chairpersons' meeting
    ({"chair_approved_on": "2024-12-31"}, "chair_approved_on"),  # two years before the plan's year
    ({"party_document": "州党委办〔2026〕12号"}, "party_approved_on"),  # a number without its date
    ({"party_approved_on": "2026-02-10"}, "party_document"),  # a date without its number
    ({"chair_document": " "}, "chair_document"),
])
def test_the_approval_dates_and_numbers(w, fields, field):
    with pytest.raises(Invalid) as exc:
        record(w, **fields)
    assert field in exc.value.field_errors
    assert not PlanApproval.objects.exists()


def test_the_approval_is_versioned_and_one_per_year(w):
    record(w, chair_approved_on="2025-12-20")  # in the year before: fine
    with pytest.raises(Conflict):
        record(w, expected_version=0)  # the caller saw no record
    with pytest.raises(Conflict):
        record(w, expected_version="x")
    row = record(w, expected_version=1, chair_document="纪要〔2026〕2号")
    assert row.version == 2 and PlanApproval.objects.count() == 1
    record(w, year=2027, chair_approved_on="2026-02-01")
    with pytest.raises(NotFound):
        record(w, year=1999)
    # nothing else waits for the approval: planning and starting go on as before
    assert walk_to("under_way", w).state == "under_way"


# --- Pages ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["inspection", "supervision"])
def test_the_desk_shows_files_and_keeps_a_refused_upload(w, kind):
    if kind == "inspection":
        obj, page = walk_to("under_way", w), "inspections:inspection"
    else:
        obj, page = walk_supervision_to("under_way", w), "inspections:supervision_item"
    url = reverse(page, args=[obj.pk])
    add = reverse(f"inspections:{kind}_file_add", args=[obj.pk])
    staff = client(w.staff)
    assert 'data-testid="file-form"' in staff.get(url).content.decode()
    for user in (w.leader, w.member):  # they read the files, no form
        page_text = client(user).get(url).content.decode()
        assert 'data-testid="files"' in page_text and 'data-testid="file-form"' not in page_text
    # a refused file: the message next to the field, the choice kept
    r = staff.post(add, {"purpose": "photo", "file": pdf()})
    text = r.content.decode()
    assert r.status_code == 422 and 'class="field has-error"' in text and 'value="photo" selected' in text
    assert not attachments_of(obj).exists()
    r = staff.post(add, {"purpose": "photo", "file": png()})
    assert r.status_code == 302 and r["Location"].endswith("#files")
    row = attachments_of(obj).get()
    page_text = client(w.member).get(url).content.decode()
    assert "视察现场.png" in page_text and 'data-testid="remove-file"' not in page_text
    download = reverse(f"inspections:{kind}_file", args=[obj.pk, row.pk])
    r = client(w.member).get(download)  # on the team: sees the item, has its files
    assert r.status_code == 200 and b"".join(r.streaming_content) == PNG
    for user in (w.outsider, w.unit):  # hidden: the same 404 as a missing file
        assert client(user).get(download).status_code == 404
        assert client(user).post(add, {"purpose": "material", "file": pdf()}).status_code == 404
    assert staff.get(reverse(f"inspections:{kind}_file", args=[obj.pk, row.pk + 1000])).status_code == 404
    # only the office uploads and removes
    assert client(w.leader).post(add, {"purpose": "material", "file": pdf()}).status_code == 403
    remove = reverse(f"inspections:{kind}_file_remove", args=[obj.pk, row.pk])
    assert client(w.member).post(remove).status_code == 403
    assert client(w.outsider).post(remove).status_code == 404
    assert staff.post(remove).status_code == 302 and not attachments_of(obj).exists()


def test_the_board_records_the_approval_and_keeps_refused_input(w):
    plan(w)
    board = reverse("inspections:board") + "?year=2026"
    post = reverse("inspections:plan_approval", args=[2026])
    staff = client(w.staff, "zh-hans")
    page = staff.get(board).content.decode()
    assert 'data-testid="approval-none"' in page and 'data-testid="approval-form"' in page
    # the Party committee before the chairpersons' meeting: refused next to the field, everything typed kept
    r = staff.post(post, {**APPROVAL, "party_approved_on": "2026-01-10", "party_document": "州党委办〔2026〕12号",
                          "expected_version": "0"})
    page = r.content.decode()
    assert r.status_code == 422 and 'class="field has-error"' in page
    assert "州党委办〔2026〕12号" in page and "州政协主席会议纪要〔2026〕1号" in page and 'value="2026-01-10"' in page
    assert not PlanApproval.objects.exists()
    assert staff.post(post, {**APPROVAL, "expected_version": "0"}).status_code == 302
    # a leader sees it, cannot record; members and units have no board
    page = client(w.leader).get(board).content.decode()
    assert 'data-testid="chair-approval"' in page and "州政协主席会议纪要〔2026〕1号" in page
    assert 'data-testid="approval-form"' not in page
    assert client(w.leader).post(post, {**APPROVAL, **PARTY}).status_code == 403
    for user in (w.member, w.unit):
        assert client(user).post(post, {**APPROVAL, **PARTY}).status_code == 404
    # a stale page: refused, nothing changed
    r = staff.post(post, {**APPROVAL, **PARTY, "expected_version": "0"})
    assert r.status_code == 422 and PlanApproval.objects.get().party_approved_on is None
    assert staff.post(post, {**APPROVAL, **PARTY, "expected_version": "1"}).status_code == 302
    page = staff.get(board).content.decode()
    assert "州党委办〔2026〕12号" in page and 'data-testid="approval-form"' not in page  # final
    assert "主席会议" in page and "党委" in page
    r = staff.post(post, {**APPROVAL, **PARTY, "expected_version": "2"})
    assert r.status_code == 422 and PlanApproval.objects.get().version == 2


def test_the_years_plan_in_word_carries_the_approval_line(w):
    plan(w)
    url = reverse("inspections:plan_docx", args=[2026])

    def text():
        content = client(w.leader).get(url).content
        return "\n".join(p.text for p in docx.Document(io.BytesIO(content)).paragraphs)

    assert "主席会议审议通过" not in text()
    record(w)
    assert "本计划经2026年1月15日主席会议审议通过（州政协主席会议纪要〔2026〕1号）。" in text()
    record(w, **PARTY)
    assert ("本计划经2026年1月15日主席会议审议通过（州政协主席会议纪要〔2026〕1号），"
            "2026年2月10日经党委批准（州党委办〔2026〕12号）。") in text()
    assert documents.approval_line(None) == ""
