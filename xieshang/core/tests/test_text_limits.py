"""core.text: the one normaliser of typed text, the limits, the schema type and the form field."""

import pytest
from django import forms
from django.utils import translation
from pydantic import BaseModel, ValidationError

from xieshang.core.text import BODY_MAX, COMMENT_MAX, TITLE_MAX, Text, clean, single_line, text_field
from xieshang.core.workflow import validation_errors

HOSTILE = "a\u0013b\u000bc\u0000d\u007fe\ud800f\ufffeg\th\r\ni\rj"


class Sample(BaseModel):
    title: Text(TITLE_MAX, required=True, single_line=True) = None
    body: Text(BODY_MAX, strip=False) = ""
    comment: Text(COMMENT_MAX) = ""


def test_clean_keeps_tab_and_line_feed_and_drops_the_other_controls():
    assert clean(HOSTILE) == "abcdef" "g\th\ni\nj"
    assert clean(None) == ""
    assert clean("教育 局\n长") == "教育 局\n长"


def test_single_line_joins_lines_with_one_space():
    assert single_line("  第一行 \r\n\n  第二行\u0013\t尾 ") == "第一行 第二行 尾"
    assert clean("a\n b", single_line=True) == "a b"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def test_schema_type_cleans_strips_and_requires():
    s = Sample(title=" 关于\r\n教育\u0013 ", body=" x\u000by \n", comment=" c ")
    assert (s.title, s.body, s.comment) == ("关于 教育", " xy \n", "c")
    with pytest.raises(ValidationError) as err:
        Sample(title=" \u0013 \n ")
    assert validation_errors(err.value) == {"title": ["This field is required."]}


def test_schema_type_refuses_a_nine_megabyte_body():
    with pytest.raises(ValidationError) as err:
        Sample(title="t", body="长" * 9_000_000)
    assert validation_errors(err.value) == {"body": ["At most 50000 characters."]}
    assert Sample(title="t", body="长" * BODY_MAX).body == "长" * BODY_MAX


class SampleForm(forms.Form):
    title = text_field(TITLE_MAX, single_line=True)
    body = text_field(BODY_MAX, required=False, strip=False, widget=forms.Textarea)


def test_form_field_cleans_and_keeps_an_overlong_text_with_a_message():
    form = SampleForm({"title": "关于\n教育\u0013", "body": "x\u0000y\r\n"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data == {"title": "关于 教育", "body": "xy\n"}
    big = "长" * (BODY_MAX + 1)
    form = SampleForm({"title": "t", "body": big})
    assert not form.is_valid()
    assert "50000" in form.errors["body"][0]
    assert form["body"].value() == big  # what was typed is shown again
