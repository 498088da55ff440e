"""core.pickers: the searchable picker's markup (groups, order, search words, chosen options, the library's
files) and the handling-unit helpers every app's form uses."""

import pytest
from django import forms

from xieshang.core import pickers
from xieshang.core.errors import Invalid
from xieshang.core.models import HandlingUnit
from xieshang.core.tests.factories import HandlingUnitFactory

pytestmark = pytest.mark.django_db

K = HandlingUnit.Kind


@pytest.fixture
def units(committee):
    return [
        HandlingUnitFactory(committee=committee, name="州教育局", short_name="教育局", kind=K.GOVERNMENT),
        HandlingUnitFactory(committee=committee, name="州委宣传部", short_name="宣传部", kind=K.PARTY),
        HandlingUnitFactory(committee=committee, name="州发展和改革委员会", short_name="州发改委", kind=K.GOVERNMENT),
        HandlingUnitFactory(committee=committee, name="州中级人民法院", kind=K.COURT),
        HandlingUnitFactory(committee=committee, name="已撤销的局", kind=K.GOVERNMENT, is_active=False),
    ]


def test_units_to_assign_are_the_active_ones_grouped_by_kind_in_the_offices_order(committee, units):
    other = HandlingUnitFactory(name="别的委员会的局")
    chosen = pickers.units_to_assign(committee)
    assert [u.name for u in chosen] == ["州发展和改革委员会", "州教育局", "州委宣传部", "州中级人民法院"]
    assert other not in chosen and units[4] not in chosen


def test_the_picker_renders_optgroups_in_order_with_search_words_and_the_chosen_units(committee, units):
    class UnitsForm(forms.Form):
        one = pickers.UnitChoiceField(label="一个")
        many = pickers.UnitMultipleChoiceField(label="多个", required=False)

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            chosen = pickers.units_to_assign(committee)
            options = pickers.unit_options(chosen)
            self.fields["one"].use(chosen, options)
            self.fields["many"].use(chosen, options)

    education, propaganda, reform, court, _gone = units
    form = UnitsForm(initial={"one": reform.pk, "many": [education.pk, court.pk]})
    html = str(form["one"])
    assert 'data-picker' in html and "<optgroup" in html
    groups = [html.index(f'<optgroup label="{label}">') for label in (K.GOVERNMENT.label, K.PARTY.label, K.COURT.label)]
    assert groups == sorted(groups)
    order = [html.index(f">{u.name}</option>") for u in (reform, education, propaganda, court)]
    assert order == sorted(order) and groups[0] < order[0] < groups[1] < order[2] < groups[2] < order[3]
    assert f'<option value="{reform.pk}" selected data-search="州发改委">州发展和改革委员会</option>' in html
    assert 'data-search="教育局"' in html and "已撤销的局" not in html
    assert html.index('<option value=""') < groups[0]  # a single choice can be left empty
    many = str(form["many"])
    assert "multiple" in many and f'<option value="{education.pk}" selected' in many
    assert f'<option value="{court.pk}" selected>' in many and f'<option value="{reform.pk}" data-search' in many
    assert "vendor/tom-select/tom-select.complete.min.js" in str(form.media)
    assert "vendor/tom-select/tom-select.min.css" in str(form.media)
    bound = UnitsForm({"one": str(propaganda.pk), "many": [str(education.pk)]})
    assert bound.is_valid() and bound.cleaned_data["one"] == propaganda
    assert not UnitsForm({"one": str(units[4].pk)}).is_valid()  # an inactive unit is not offered, nor accepted


def test_hostile_names_are_escaped(committee):
    HandlingUnitFactory(committee=committee, name='<script>alert(1)</script>局', short_name='"><img src=x>')
    widget = pickers.MultiPicker(options=pickers.unit_options(pickers.units_to_assign(committee)))
    html = widget.render("units", None)
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;局" in html and 'data-search="&quot;&gt;&lt;img src=x&gt;"' in html


def test_the_picker_takes_any_options():
    widget = pickers.Picker(options=[
        pickers.Option("a", "甲", "第一组", "别名甲"), pickers.Option("b", "乙", "第一组"), pickers.Option("c", "丙"),
    ])
    html = widget.render("x", "b")
    assert html.count("<optgroup") == 1 and '<option value="b" selected>乙</option>' in html
    assert 'data-search="别名甲"' in html and '<option value="c">丙</option>' in html


def test_units_named_in_a_free_text(committee, units):
    education, propaganda, reform, court, gone = units
    chosen = pickers.units_to_assign(committee)
    assert pickers.units_named_in("州发改委、州教育局；宣传部", chosen) == [reform, education, propaganda]
    assert pickers.units_named_in("中级人民法院 州教育局 州教育局", chosen) == [court, education]
    assert pickers.units_named_in("教育", chosen) == [education]  # a part of one unit's name
    research = HandlingUnitFactory(committee=committee, name="州发展研究中心", kind=K.ENTERPRISE)
    chosen = pickers.units_to_assign(committee)
    assert pickers.units_named_in("发展", chosen) == []  # a part of several units' names: none is guessed
    assert pickers.units_named_in("州发展研究中心、州", chosen) == [research]
    assert pickers.units_named_in("已撤销的局", chosen) == []
    assert pickers.units_named_in("", chosen) == []


def test_the_offices_order_and_other_names(committee, units):
    education, propaganda, reform, court, _gone = units
    education.sort_order, reform.sort_order = 1, 2
    education.aliases = "州教委、教育体育局"
    education.save()
    reform.save()
    chosen = pickers.units_to_assign(committee)
    assert [u.name for u in chosen] == ["州教育局", "州发展和改革委员会", "州委宣传部", "州中级人民法院"]
    options = pickers.unit_options(chosen)
    assert options.search[str(education.pk)] == "教育局 州教委 教育体育局"
    assert pickers.units_named_in("教育体育局、州发改委", chosen) == [education, reform]


def test_the_office_sets_a_units_order_and_other_names(committee, units, make_user):
    from xieshang.core import services

    admin = make_user(committee, "admin")
    unit = services.handling_unit_save(actor=admin, committee=committee, unit=units[0], name="州教育局",
                                       short_name="教育局", aliases="州教委", sort_order=3)
    unit.refresh_from_db()
    assert (unit.aliases, unit.sort_order) == ("州教委", 3)
    with pytest.raises(Invalid):
        services.handling_unit_save(actor=admin, committee=committee, unit=unit, name="州教育局", aliases="长" * 201)
