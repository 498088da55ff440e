"""Excel import of members and handling units: all rows checked, every bad row reported, all or nothing."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from xieshang.core import services
from xieshang.core.errors import Forbidden, Invalid
from xieshang.core.imports import MEMBER_COLUMNS, UNIT_COLUMNS, normalise_phone
from xieshang.core.models import Event, HandlingUnit, Member, RoleAssignment, SpecialCommittee, Term, User
from xieshang.core.tests.factories import HandlingUnitFactory, MemberFactory, OrganizationFactory, SectorFactory

MEMBER_HEADERS = ["姓名", "性别", "民族", "界别", "党派团体", "专委会", "常委", "工作单位及职务", "手机", "电子邮箱"]
UNIT_HEADERS = ["单位名称", "简称", "类别", "联系人", "联系电话"]


def xlsx(headers, rows, name="名单.xlsx") -> SimpleUploadedFile:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return SimpleUploadedFile(name, out.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@pytest.fixture
def setup(committee, make_user, client):
    admin = make_user(committee, "admin", username="admin-a")
    client.force_login(admin)
    SectorFactory(committee=committee, name="经济界")
    SectorFactory(committee=committee, name="医药卫生界")
    OrganizationFactory(committee=committee, name="民革")
    SpecialCommittee.objects.create(committee=committee, name="提案委员会")
    SpecialCommittee.objects.create(committee=committee, name="经济委员会")
    return {"admin": admin, "client": client, "committee": committee}


GOOD_MEMBERS = [
    ["王芳", "女", "回族", "经济界", "民革", "提案委员会、经济委员会", "是", "州工商联副主席", 13909940001, "wf@example.org"],
    ["李强", "男", "汉族", "医药卫生界", "", "", "否", "州人民医院院长", "139-0994-0002", ""],
    ["马丽", "", "", "", "", "", "", "", "", ""],
]


def import_members(client, upload):
    return client.post(reverse("core:admin_members_import"), {"file": upload}, follow=True)


# --- Members ----------------------------------------------------------------------------------------


def test_member_import_happy_path(setup):
    client, committee, admin = setup["client"], setup["committee"], setup["admin"]
    response = import_members(client, xlsx(MEMBER_HEADERS, GOOD_MEMBERS))
    assert response.redirect_chain[-1][0] == reverse("core:admin_members")
    html = response.content.decode()
    assert "导入完成：新增 3 条，更新 0 条。" in html

    wang = Member.objects.get(committee=committee, name="王芳")
    assert wang.gender == "female" and wang.ethnicity == "回族" and wang.sector.name == "经济界"
    assert wang.organization.name == "民革" and wang.is_standing_committee_member
    assert sorted(sc.name for sc in wang.special_committees.all()) == ["提案委员会", "经济委员会"]
    assert wang.phone == "13909940001" and wang.email == "wf@example.org"
    assert wang.term == Term.objects.get(committee=committee, is_current=True)
    assert wang.user.username == "13909940001" and not wang.user.has_usable_password()
    assert Member.objects.get(name="李强").phone == "13909940002"
    ma = Member.objects.get(name="马丽")
    assert ma.user.username.startswith(f"{committee.code}-m") and not ma.is_standing_committee_member
    for member in Member.objects.filter(committee=committee):
        assert RoleAssignment.objects.filter(user=member.user, committee=committee, role="member").exists()
    assert Event.objects.filter(action="member.created", actor=admin).count() == 3
    [summary] = Event.objects.filter(action="member.imported")
    assert summary.payload["created"] == 3 and summary.payload["updated"] == 0


def test_importing_again_updates_instead_of_duplicating(setup):
    client, committee = setup["client"], setup["committee"]
    import_members(client, xlsx(MEMBER_HEADERS, GOOD_MEMBERS))
    changed = [row[:] for row in GOOD_MEMBERS]
    changed[0][7] = "州工商联主席"  # matched by phone
    changed[2][8] = "13909940003"  # matched by name (no number stored yet), number added
    changed[1][2] = ""  # an empty cell keeps the stored value
    response = import_members(client, xlsx(MEMBER_HEADERS, changed))
    assert "导入完成：新增 0 条，更新 3 条。" in response.content.decode()
    assert Member.objects.filter(committee=committee).count() == 3
    assert User.objects.filter(memberships__committee=committee).count() == 3
    assert Member.objects.get(name="王芳").employer == "州工商联主席"
    assert Member.objects.get(name="马丽").phone == "13909940003"
    assert Member.objects.get(name="李强").ethnicity == "汉族"
    assert Event.objects.filter(action="member.updated").count() == 2  # 李强's row changed nothing


def test_member_import_with_bad_rows_reports_each_and_imports_nothing(setup):
    client, committee = setup["client"], setup["committee"]
    existing = MemberFactory(committee=committee, name="老委员", phone="13800000009")
    users_before = User.objects.count()
    rows = [
        GOOD_MEMBERS[0],                                                         # row 2: fine
        ["", "男", "", "经济界", "", "", "", "", "13900000001", ""],              # row 3: no name
        ["张三", "男", "", "不存在界", "无此党派", "", "", "", "13900000002", ""],  # row 4: unknown sector and org
        ["王芳", "女", "", "", "", "", "", "", "13900000003", ""],                # row 5: name again (row 2)
        ["赵六", "", "", "", "", "", "", "", "1390000", "bad@"],                  # row 6: phone and e-mail
        ["钱七", "未知", "", "", "", "宣传委员会", "也许", "", "", ""],            # row 7: gender, special committee, 常委
        ["孙八", "", "", "", "", "", "", "", "13909940001", ""],                 # row 8: phone of row 2
        ["老委员", "", "", "", "", "", "", "", "13800000010", ""],               # row 9: existing name, other phone
        ["周九", "", "", "", "", "", "", "", "13800000009", ""],                 # row 10: existing phone, other name
        GOOD_MEMBERS[1],                                                         # row 11: fine
    ]
    response = import_members(client, xlsx(MEMBER_HEADERS, rows))
    assert response.status_code == 422
    result = response.context["result"]
    bad_rows = sorted({row for row, _message in result.errors})
    assert bad_rows == [3, 4, 5, 6, 7, 8, 9, 10]
    messages = {row: [m for r, m in result.errors if r == row] for row in bad_rows}
    assert any("姓名" in m for m in messages[3])
    assert any("不存在界" in m for m in messages[4]) and any("无此党派" in m for m in messages[4])
    assert any("第 2 行" in m for m in messages[5])
    assert any("手机" in m for m in messages[6]) and any("bad@" in m for m in messages[6])
    assert len(messages[7]) == 3
    assert any("第 2 行" in m for m in messages[8])
    assert any("13800000009" in m for m in messages[9])
    assert any("老委员" in m for m in messages[10])
    html = response.content.decode()
    assert 'data-testid="import-errors"' in html and "不存在界" in html
    # Nothing was imported.
    assert list(Member.objects.filter(committee=committee)) == [existing]
    assert User.objects.count() == users_before
    assert not Event.objects.filter(action__startswith="member.").exists()


def test_namesakes_need_a_phone_number(setup):
    committee = setup["committee"]
    MemberFactory(committee=committee, name="王伟", phone="13800000001")
    MemberFactory(committee=committee, name="王伟", phone="13800000002")
    response = import_members(setup["client"], xlsx(MEMBER_HEADERS, [["王伟", "", "", "", "", "", "", "", "", ""]]))
    assert [row for row, _m in response.context["result"].errors] == [2]
    response = import_members(setup["client"], xlsx(MEMBER_HEADERS, [["王伟", "", "", "", "", "", "是", "", "13800000002", ""]]))
    assert "导入完成：新增 0 条，更新 1 条。" in response.content.decode()
    assert Member.objects.get(phone="13800000002").is_standing_committee_member


def test_no_current_term_is_reported(setup):
    committee = setup["committee"]
    Term.objects.filter(committee=committee).update(is_current=False)
    response = import_members(setup["client"], xlsx(MEMBER_HEADERS, GOOD_MEMBERS))
    assert response.status_code == 422
    assert [row for row, _m in response.context["result"].errors] == [None]
    assert not Member.objects.exists()


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("名单.csv", "姓名\n张三\n".encode(), content_type="text/csv"), "只能导入 Excel 文件（.xlsx）"),
        (SimpleUploadedFile("名单.xls", b"\xd0\xcf\x11\xe0 old excel", content_type="application/vnd.ms-excel"),
         "只能导入 Excel 文件（.xlsx）"),
        (SimpleUploadedFile("名单.xlsx", b"this is not a workbook at all"), "无法读取该文件"),
        (SimpleUploadedFile("名单.xlsx", b"PK\x03\x04 a broken zip"), "无法读取该文件"),
    ],
)
def test_bad_file_is_refused_with_a_clear_message(setup, upload, message):
    response = setup["client"].post(reverse("core:admin_members_import"), {"file": upload})
    assert response.status_code == 422
    assert message in " ".join(response.context["form"].errors["file"])
    assert message in response.content.decode()
    assert not Member.objects.exists()


def test_too_large_file_is_refused(setup, settings):
    settings.XIESHANG_MAX_UPLOAD_MB = 0
    response = setup["client"].post(reverse("core:admin_members_import"), {"file": xlsx(MEMBER_HEADERS, GOOD_MEMBERS)})
    assert response.status_code == 422
    assert "文件超过 0 MB" in response.content.decode()
    assert not Member.objects.exists()


def test_missing_column_and_empty_sheet(setup):
    client = setup["client"]
    response = client.post(reverse("core:admin_members_import"), {"file": xlsx(["名字", "手机"], [["张三", "13900000001"]])})
    assert response.status_code == 422 and "姓名" in " ".join(response.context["form"].errors["file"])
    response = client.post(reverse("core:admin_members_import"), {"file": xlsx(MEMBER_HEADERS, [])})
    assert response.status_code == 422 and "没有可导入的行" in " ".join(response.context["form"].errors["file"])


def test_template_download_and_round_trip(setup):
    client, committee = setup["client"], setup["committee"]
    response = client.get(reverse("core:admin_members_template"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = workbook.worksheets[0]
    headers = [c.value for c in sheet[1]]
    assert headers == [c.header for c in MEMBER_COLUMNS]
    assert headers[:10] == MEMBER_HEADERS
    assert "经济界" in " ".join(str(c.value) for c in workbook.worksheets[1]["A"])  # the committee's names listed
    sheet.append(["古丽", "女", "维吾尔族", "经济界", "", "提案委员会", "否", "州农科院研究员", "13909940008", "", ""])
    out = io.BytesIO()
    workbook.save(out)
    response = import_members(client, SimpleUploadedFile("模板.xlsx", out.getvalue()))
    assert "导入完成：新增 1 条，更新 0 条。" in response.content.decode()

    # The export has the import's format: importing it back changes nothing.
    response = client.get(reverse("core:admin_members_export"))
    assert response.status_code == 200
    response = import_members(client, SimpleUploadedFile("导出.xlsx", response.content))
    assert "导入完成：新增 0 条，更新 1 条。" in response.content.decode()
    assert Member.objects.filter(committee=committee).count() == 1
    assert not Event.objects.filter(action="member.updated").exists()


def test_import_needs_the_admin_role(committee, make_user, client):
    staff = make_user(committee, "staff")
    with pytest.raises(Forbidden):
        services.members_import(actor=staff, committee=committee, file=xlsx(MEMBER_HEADERS, GOOD_MEMBERS))
    client.force_login(staff)
    assert client.get(reverse("core:admin_members_import")).status_code == 404
    assert client.post(reverse("core:admin_members_import"), {"file": xlsx(MEMBER_HEADERS, GOOD_MEMBERS)}).status_code == 404
    assert client.get(reverse("core:admin_members_template")).status_code == 404
    assert not Member.objects.exists()


def test_service_returns_result_and_raises_on_bad_upload(committee, make_user):
    admin = make_user(committee, "admin")
    SectorFactory(committee=committee, name="经济界")
    result = services.members_import(actor=admin, committee=committee,
                                     file=xlsx(["姓名", "界别"], [["甲", "经济界"], ["乙", "无"]]))
    assert result.errors and result.errors[0][0] == 3 and (result.created, result.updated) == (0, 0)
    with pytest.raises(Invalid) as exc:
        services.members_import(actor=admin, committee=committee, file=SimpleUploadedFile("a.txt", b"x"))
    assert "file" in exc.value.field_errors


# --- Handling units --------------------------------------------------------------------------------------


def test_unit_import_happy_path_and_update(setup):
    client, committee = setup["client"], setup["committee"]
    HandlingUnitFactory(committee=committee, name="州教育局", contact_person="旧联系人")
    rows = [
        ["州教育局", "教育局", "政府部门", "李老师", "0994-2345678"],
        ["州中级人民法院", "州中院", "法院检察院", "", "(0994)2345679"],
        ["州委组织部", "", "党委部门", "王科长", 13909940005],
    ]
    response = client.post(reverse("core:admin_units_import"), {"file": xlsx(UNIT_HEADERS, rows)}, follow=True)
    assert "导入完成：新增 2 条，更新 1 条。" in response.content.decode()
    assert HandlingUnit.objects.filter(committee=committee).count() == 3
    education = HandlingUnit.objects.get(name="州教育局")
    assert education.contact_person == "李老师" and education.short_name == "教育局"
    assert HandlingUnit.objects.get(name="州中级人民法院").kind == "judicial"
    assert HandlingUnit.objects.get(name="州中级人民法院").contact_phone == "0994-2345679"
    assert HandlingUnit.objects.get(name="州委组织部").contact_phone == "13909940005"
    assert Event.objects.filter(action="handling_unit.created").count() == 2
    assert Event.objects.filter(action="handling_unit.updated").count() == 1
    assert Event.objects.filter(action="handling_unit.imported").count() == 1


def test_unit_import_with_bad_rows_imports_nothing(setup):
    client, committee = setup["client"], setup["committee"]
    rows = [
        ["州财政局", "财政局", "政府部门", "张三", "0994-1234567"],  # row 2: fine
        ["", "无名", "", "", ""],                                     # row 3: no name
        ["州财政局", "", "", "", ""],                                 # row 4: twice in the file
        ["州交通局", "", "部委", "", "abc"],                          # row 5: kind and phone
    ]
    response = client.post(reverse("core:admin_units_import"), {"file": xlsx(UNIT_HEADERS, rows)})
    assert response.status_code == 422
    errors = response.context["result"].errors
    assert sorted({row for row, _m in errors}) == [3, 4, 5]
    assert len([m for row, m in errors if row == 5]) == 2
    assert not HandlingUnit.objects.filter(committee=committee).exists()
    assert not Event.objects.filter(action__startswith="handling_unit.").exists()


def test_unit_template(setup):
    response = setup["client"].get(reverse("core:admin_units_template"))
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert [c.value for c in workbook.worksheets[0][1]] == [c.header for c in UNIT_COLUMNS] == UNIT_HEADERS


# --- Phone numbers --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "mobile_only", "expected"),
    [
        ("13912345678", True, "13912345678"),
        ("139 1234 5678", True, "13912345678"),
        ("+86 139-1234-5678", True, "13912345678"),
        ("8613912345678", True, "13912345678"),
        ("", True, ""),
        ("0994-2345678", False, "0994-2345678"),
        ("(0994)2345678", False, "0994-2345678"),
        ("09942345678", False, "0994-2345678"),
        ("2345678", False, "2345678"),
        ("0994-2345678-123", False, "0994-2345678-123"),
    ],
)
def test_normalise_phone(value, mobile_only, expected):
    assert normalise_phone(value, mobile_only=mobile_only) == expected


@pytest.mark.parametrize(
    ("value", "mobile_only"),
    [("12345678901", True), ("1391234567", True), ("0994-2345678", True), ("abc", False), ("123", False)],
)
def test_normalise_phone_refuses(value, mobile_only):
    with pytest.raises(ValueError):
        normalise_phone(value, mobile_only=mobile_only)
