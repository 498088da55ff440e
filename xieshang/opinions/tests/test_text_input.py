"""Typed text of opinion reports (issue #12, items 5 and 7): every text field has a maximum length in the
API schema and the form (a 9 MB part is a quick 422), control characters are dropped, a title is one line."""

import datetime

import pytest

from xieshang.api.tests.conftest import ApiClient, issue_token
from xieshang.core import clock
from xieshang.opinions.forms import DraftForm, InstructionForm
from xieshang.opinions.models import OpinionReport
from xieshang.opinions.tests.factories import make_actors

pytestmark = pytest.mark.django_db


@pytest.fixture
def author():
    clock.set_to(datetime.date(2026, 3, 2))
    yield ApiClient(issue_token(make_actors().author), "en")
    clock.reset()


def test_a_nine_megabyte_part_is_refused_by_the_api_schema(author):
    for field in ("body", "situation", "analysis", "suggestion"):
        r = author.post("opinions", {"title": "标题", field: "x" * 9_000_000})
        assert r.status_code == 422, r.content[:300]
        assert r.json()["fields"] == {field: ["Ensure this value has at most 50000 characters (it has 9000000)."]}
    assert not OpinionReport.objects.exists()


def test_control_characters_are_dropped_and_the_title_is_one_line(author):
    r = author.post("opinions", {"title": "关于\n乡村学校\u0013寄宿的建议", "situation": "情况\u000b说明\r\n第二行",
                                 "suggestion": "建议\u0000一"})
    assert r.status_code == 201, r.content[:300]
    report = OpinionReport.objects.get()
    assert (report.title, report.situation, report.suggestion) == ("关于 乡村学校寄宿的建议", "情况说明\n第二行", "建议一")


def test_the_forms_hold_every_text_to_a_limit_and_clean_it():
    form = DraftForm(data={"title": "关于\r\n寄宿\u0013", "category": "other", "situation": "x" * 50_001})
    assert not form.is_valid()
    assert "50000" in form.errors["situation"][0]
    assert form["situation"].value() == "x" * 50_001
    form = InstructionForm({"leader": "王\n主席", "level": "prefecture", "date": "2026-03-02", "text": "批示\u0013"},
                           ctx={}, action="record_instruction")
    assert form.is_valid(), form.errors
    assert (form.cleaned_data["leader"], form.cleaned_data["text"]) == ("王 主席", "批示")
