"""The member's screens: my reports with their outcomes (件件有回音), drafting (limit, kept input), the
detail page (text, versions, outcomes, timeline), submitting, and answering a call for reports."""

import pytest
from django.urls import reverse

from xieshang.opinions import services
from xieshang.opinions.models import TEXT_LIMIT, OpinionReport, OpinionState
from xieshang.opinions.tests._screens import ANALYSIS, SITUATION, SUGGESTION, act, client_for, draft, people, walk

pytestmark = pytest.mark.django_db


@pytest.fixture
def p(committee):
    return people(committee)


def _post(**overrides):
    data = {"title": "关于规范城区共享单车停放的建议", "category": "society",
            "situation": SITUATION, "analysis": ANALYSIS, "suggestion": SUGGESTION}
    data.update(overrides)
    return data


def test_my_reports_lists_own_reports_with_state_and_not_others(p):
    own = walk(p, "submitted", title="我自己的信息")
    other = draft(p, author=p.other_member, title="别人的草稿")
    html = client_for(p.member).get(reverse("opinions:mine")).content.decode()
    assert "我自己的信息" in html and other.title not in html
    assert reverse("opinions:detail", args=[own.pk]) in html
    assert 'data-state="submitted"' in html


def test_my_reports_show_every_outcome(p):
    """Returned with what is missing, declined with the reason, forwarded (recipients and issue), adopted
    (recipient and level), instructed (leader and text), combined into another report."""
    returned = walk(p, "returned", title="被退回的信息")
    declined = walk(p, "declined", title="未采用的信息")
    adopted = walk(p, "adopted", title="被采用的信息")
    a = walk(p, "submitted", title="待综合一")
    b = walk(p, "submitted", title="待综合二", author=p.other_member)
    combined = services.opinion_combine(actor=p.staff, reports=[a, b], title="综合：农村客运问题",
                                        situation=SITUATION, analysis=ANALYSIS, suggestion=SUGGESTION)
    response = client_for(p.member).get(reverse("opinions:mine"))
    html = response.content.decode()
    assert "请补充具体乡镇名称和受影响人数。" in html  # what is missing
    assert "内容已有部门答复，不再编报。" in html  # why it was not used
    assert "州委" in html and "州政府" in html  # forwarded to
    assert 'data-kind="forwarded"' in html and 'data-kind="adopted"' in html and 'data-kind="instruction"' in html
    assert "张书记" in html and "请州交通运输局研究落实。" in html
    assert "综合：农村客运问题" in html and reverse("opinions:detail", args=[combined.pk]) in html
    rows = {r.pk: r for r in response.context["rows"]}
    assert [o.kind for o in rows[returned.pk].outcomes] == ["returned"]
    assert [o.kind for o in rows[declined.pk].outcomes] == ["declined"]
    assert {"approved", "forwarded", "adopted", "instruction"} <= {o.kind for o in rows[adopted.pk].outcomes}
    assert rows[a.pk].outcomes[0].kind == "combined"


def test_combined_reports_outcomes_reach_each_author(p):
    a = walk(p, "submitted", title="待综合一")
    b = walk(p, "submitted", title="待综合二", author=p.other_member)
    combined = services.opinion_combine(actor=p.staff, reports=[a, b], title="综合：农村客运问题",
                                        situation=SITUATION, analysis=ANALYSIS, suggestion=SUGGESTION)
    combined = act(combined, p.staff, "send_for_approval")
    combined = act(combined, p.leader, "approve")
    combined = act(combined, p.staff, "forward", recipients=[p.recipients[0].pk])
    act(combined, p.staff, "record_adoption", recipient=p.recipients[0].pk, level="prefecture", kind="combined")
    for author, own in ((p.member, a), (p.other_member, b)):
        response = client_for(author).get(reverse("opinions:detail", args=[own.pk]))
        assert response.status_code == 200
        kinds = [o.kind for o in response.context["outcomes"]]
        assert kinds[0] == "combined" and "forwarded" in kinds and "adopted" in kinds, kinds


def test_another_members_draft_is_404_everywhere(p):
    other = draft(p, author=p.other_member)
    c = client_for(p.member)
    for url in (reverse("opinions:detail", args=[other.pk]), reverse("opinions:edit", args=[other.pk])):
        assert c.get(url).status_code == 404
    assert c.post(reverse("opinions:act", args=[other.pk, "submit"])).status_code == 404
    # staff do not see a draft either, and the same 404 as a missing report
    assert client_for(p.staff).get(reverse("opinions:detail", args=[other.pk])).status_code == 404
    assert c.get(reverse("opinions:detail", args=[99999999])).status_code == 404


def test_create_makes_a_draft_and_shows_the_counter(p):
    c = client_for(p.member)
    page = c.get(reverse("opinions:create")).content.decode()
    assert 'data-counter="report-text"' in page and f'data-limit="{TEXT_LIMIT}"' in page
    assert 'data-count="report-text"' in page
    response = c.post(reverse("opinions:create"), _post())
    assert response.status_code == 302
    report = OpinionReport.objects.get(title="关于规范城区共享单车停放的建议")
    assert response["Location"] == reverse("opinions:detail", args=[report.pk])
    assert report.state == OpinionState.DRAFT and report.suggestion == SUGGESTION
    assert report.category == "society"


def test_over_long_text_is_refused_with_the_limit_and_keeps_everything_typed(p):
    c = client_for(p.member)
    long_analysis = "分析" * (TEXT_LIMIT // 2)  # with the other parts: over the limit
    response = c.post(reverse("opinions:create"), _post(analysis=long_analysis))
    assert response.status_code == 200
    assert not OpinionReport.objects.filter(title="关于规范城区共享单车停放的建议").exists()
    html = response.content.decode()
    form = response.context["form"]
    assert "suggestion" in form.errors
    assert "1,500" in " ".join(form.errors["suggestion"]) or str(TEXT_LIMIT) in " ".join(form.errors["suggestion"])
    assert "1,500" in html or "1500" in html
    assert long_analysis in html and SITUATION in html and SUGGESTION in html
    assert "关于规范城区共享单车停放的建议" in html


def test_missing_title_error_is_next_to_the_field_and_text_kept(p):
    response = client_for(p.member).post(reverse("opinions:create"), _post(title=""))
    assert response.status_code == 200
    assert "title" in response.context["form"].errors
    assert SITUATION in response.content.decode()


def test_edit_own_draft_then_submit(p):
    report = draft(p)
    c = client_for(p.member)
    page = c.get(reverse("opinions:edit", args=[report.pk]))
    assert page.status_code == 200 and SITUATION in page.content.decode()
    response = c.post(reverse("opinions:edit", args=[report.pk]),
                      _post(title=report.title, situation="改过的情况", version=report.version))
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.situation == "改过的情况"
    response = c.post(reverse("opinions:act", args=[report.pk, "submit"]), {"version": report.version})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.state == OpinionState.SUBMITTED


def test_edit_with_a_stale_version_keeps_the_input(p):
    report = draft(p)
    stale = report.version
    services.opinion_update(actor=p.member, report=report, data=_post(title=report.title, situation="第一次改"))
    response = client_for(p.member).post(reverse("opinions:edit", args=[report.pk]),
                                         _post(title=report.title, situation="第二次改", version=stale))
    assert response.status_code == 200
    assert "第二次改" in response.content.decode()
    report.refresh_from_db()
    assert report.situation == "第一次改"


def test_detail_shows_the_edited_text_versions_and_timeline(p):
    report = walk(p, "editing")
    response = client_for(p.member).get(reverse("opinions:detail", args=[report.pk]))
    html = response.content.decode()
    assert SITUATION + "（经编辑）" in html  # the edited text
    assert 'data-testid="versions"' in html and 'data-testid="original-text"' in html
    assert 'data-testid="timeline"' in html and "opinion.submit" in html


def test_detail_of_a_returned_report_offers_edit_and_resubmit(p):
    report = walk(p, "returned")
    html = client_for(p.member).get(reverse("opinions:detail", args=[report.pk])).content.decode()
    assert 'data-testid="return-reason"' in html
    assert 'data-testid="action-update"' in html and 'data-testid="action-resubmit"' in html


def test_member_sees_open_calls_and_answers_one(p, committee):
    import datetime

    from xieshang.core import clock

    call = services.commission_create(actor=p.staff, committee=committee, topic="优化营商环境",
                                      due_on=clock.today() + datetime.timedelta(days=20))
    c = client_for(p.member)
    html = c.get(reverse("opinions:commissions")).content.decode()
    assert "优化营商环境" in html and f"?commission={call.pk}" in html
    form = c.get(reverse("opinions:create") + f"?commission={call.pk}")
    assert "优化营商环境" in form.content.decode()
    response = c.post(reverse("opinions:create"), _post(commission=call.pk))
    assert response.status_code == 302
    report = OpinionReport.objects.get(commission=call)
    act(report, p.member, "submit")
    answers = client_for(p.staff).get(reverse("opinions:commission", args=[call.pk]))
    assert report.title in answers.content.decode()


def test_member_may_not_open_staff_pages(p):
    c = client_for(p.member)
    report = walk(p, "submitted")
    for url in (reverse("opinions:list"), reverse("opinions:approvals"), reverse("opinions:bulletins"),
                reverse("opinions:bulletin_new"), reverse("opinions:instructions"), reverse("opinions:combine"),
                reverse("opinions:desk", args=[report.pk])):
        assert c.get(url).status_code == 404, url


def test_a_refused_action_is_not_a_500(p):
    report = walk(p, "submitted")
    response = client_for(p.member).post(reverse("opinions:act", args=[report.pk, "approve"]))
    assert response.status_code in (403, 404)
    response = client_for(p.member).post(reverse("opinions:act", args=[report.pk, "no-such-action"]))
    assert response.status_code == 404


def test_english_pages(p):
    c = client_for(p.member)
    c.cookies["django_language"] = "en"
    walk(p, "submitted")
    html = c.get(reverse("opinions:mine"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "My opinion reports" in html


def test_a_station_keeper_drafts_for_the_liaison_station(p, committee):
    from xieshang.opinions.tests._screens import user

    keeper = user(committee, "station", name="联络站站长")
    c = client_for(keeper)
    page = c.get(reverse("opinions:create"))
    assert page.status_code == 200 and 'name="submitter"' not in page.content.decode()  # one choice: no question
    response = c.post(reverse("opinions:create"), _post(title="联络站收集的群众意见"))
    assert response.status_code == 302
    report = OpinionReport.objects.get(title="联络站收集的群众意见")
    assert report.submitter_kind == "station" and report.liaison_station_id is not None


def test_a_member_of_a_party_may_draft_in_its_name(p, committee):
    from xieshang.core.tests.factories import OrganizationFactory

    party = OrganizationFactory(committee=committee, name="民盟昌吉州委")
    member = p.member.memberships.get(committee=committee)
    member.organization = party
    member.save()
    c = client_for(p.member)
    page = c.get(reverse("opinions:create")).content.decode()
    assert 'name="submitter"' in page and "民盟昌吉州委" in page
    response = c.post(reverse("opinions:create"), _post(title="党派提交的信息", submitter=f"organization:{party.pk}"))
    assert response.status_code == 302
    report = OpinionReport.objects.get(title="党派提交的信息")
    assert report.submitter_kind == "organization" and report.organization_id == party.pk
    bad = c.post(reverse("opinions:create"), _post(title="乱填的提交主体", submitter="organization:999999"))
    assert bad.status_code == 200 and "乱填的提交主体" in bad.content.decode()


def test_attachments_upload_download_remove_and_404_for_others(p):
    from django.core.files.uploadedfile import SimpleUploadedFile

    report = draft(p)
    c = client_for(p.member)
    response = c.post(reverse("opinions:attachment_add", args=[report.pk]),
                      {"file": SimpleUploadedFile("调研材料.pdf", b"%PDF-1.4 material", content_type="application/pdf")})
    assert response.status_code == 302
    html = c.get(reverse("opinions:detail", args=[report.pk])).content.decode()
    assert "调研材料.pdf" in html
    from xieshang.core.attachments import attachments_of

    attachment = attachments_of(report).get()
    url = reverse("opinions:attachment", args=[report.pk, attachment.pk])
    download = c.get(url)
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"%PDF-1.4 material"
    assert client_for(p.other_member).get(url).status_code == 404
    assert client_for(p.staff).get(url).status_code == 404  # a draft: not even the office
    # a file of a refused type keeps the page, with the message
    bad = c.post(reverse("opinions:attachment_add", args=[report.pk]),
                 {"file": SimpleUploadedFile("病毒.exe", b"MZ", content_type="application/octet-stream")})
    assert bad.status_code == 200
    assert c.post(reverse("opinions:attachment_remove", args=[report.pk, attachment.pk])).status_code == 302
    assert c.get(url).status_code == 404


def test_outcomes_follow_a_combined_report_combined_again(p):
    a = walk(p, "submitted", title="原稿甲")
    b = walk(p, "submitted", title="原稿乙", author=p.other_member)
    first = services.opinion_combine(actor=p.staff, reports=[a, b], title="第一次综合", situation=SITUATION)
    c = walk(p, "submitted", title="原稿丙", author=p.other_member)
    second = services.opinion_combine(actor=p.staff, reports=[first, c], title="第二次综合", situation=SITUATION)
    second = act(second, p.staff, "send_for_approval")
    second = act(second, p.leader, "approve")
    act(second, p.staff, "forward", recipients=[p.recipients[1].pk])
    rows = {r.pk: r for r in client_for(p.member).get(reverse("opinions:mine")).context["rows"]}
    kinds = [o.kind for o in rows[a.pk].outcomes]
    assert kinds[:2] == ["combined", "combined"] and "forwarded" in kinds, kinds
    assert rows[a.pk].outcomes[1].link.pk == second.pk


def test_answering_a_call_closed_meanwhile_says_so_and_keeps_the_text(p, committee):
    import datetime

    from xieshang.core import clock

    call = services.commission_create(actor=p.staff, committee=committee, topic="已截止的约稿",
                                      due_on=clock.today() + datetime.timedelta(days=5))
    services.commission_close(actor=p.staff, commission=call)
    response = client_for(p.member).post(reverse("opinions:create"), _post(commission=call.pk))
    assert response.status_code == 200
    assert not OpinionReport.objects.exists()
    form = response.context["form"]
    assert form.non_field_errors()  # next to nothing hidden: at the top of the form
    assert SITUATION in response.content.decode()


def test_a_combined_report_links_the_originals_for_the_office_only(p):
    a = walk(p, "submitted", title="我的原稿")
    b = walk(p, "submitted", title="别人的原稿", author=p.other_member)
    combined = services.opinion_combine(actor=p.staff, reports=[a, b], title="综合稿", situation=SITUATION)
    member_view = client_for(p.member).get(reverse("opinions:detail", args=[combined.pk])).content.decode()
    assert "别人的原稿" not in member_view and reverse("opinions:detail", args=[b.pk]) not in member_view
    staff_view = client_for(p.staff).get(reverse("opinions:detail", args=[combined.pk])).content.decode()
    assert reverse("opinions:detail", args=[b.pk]) in staff_view
