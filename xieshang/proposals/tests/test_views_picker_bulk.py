"""The assignment pages' unit pickers (one mode at a time, units grouped by kind in the office's order,
short names searchable, the proposer's suggestions chosen at first) and the staff list's actions on the
ticked rows (批量操作), its phone-card labels and unbreakable numbers."""

import io

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from xieshang.core.models import Event, HandlingUnit, Notification
from xieshang.proposals.models import Assignment
from xieshang.proposals.tests.factories import make_actors, make_unit, walk_to

pytestmark = pytest.mark.django_db
K = HandlingUnit.Kind


@pytest.fixture
def actors(committee):
    units = [
        make_unit(committee, name="州农业农村局", short_name="农业局", kind=K.GOVERNMENT)[0],
        make_unit(committee, name="州委组织部", short_name="组织部", kind=K.PARTY)[0],
        make_unit(committee, name="州发展和改革委员会", short_name="州发改委", kind=K.GOVERNMENT)[0],
    ]
    return make_actors(committee, units=units)


def client_for(user):
    c = Client()
    c.force_login(user)
    return c


def _walk(state, actors, title, **fields):
    return walk_to(state, actors=actors, cosign=False, title=title, **fields)[0]


def _select(html, name):
    start = html.index(f'name="{name}"')
    return html[html.rindex("<select", 0, start):html.index("</select>", start)]


def test_the_assign_page_shows_one_mode_with_pickers_and_the_suggested_units_chosen(actors):
    farm, organisation, reform = actors.units
    p = _walk("registered", actors, "关于发展特色农业的提案", suggested_units="州发改委、州农业农村局")
    html = client_for(actors.staff).get(reverse("proposals:assign", args=[p.pk])).content.decode()
    assert "vendor/tom-select/tom-select.complete.min.js" in html and "vendor/tom-select/tom-select.min.css" in html
    assert "<script>" not in html.replace("<script src=", "")  # no inline script (CSP)
    # one mode at a time: two suggestions → lead + co chosen; each mode's panel holds only its own fields
    assert 'value="lead_co" checked' in html and 'value="sole" checked' not in html and 'value="split" checked' not in html
    sole_panel = html[html.index('data-testid="mode-sole"'):html.index('data-testid="mode-lead_co"')]
    assert 'name="sole_unit"' in sole_panel and 'name="lead_unit"' not in sole_panel and 'name="split_units"' not in sole_panel
    lead = _select(html, "lead_unit")
    assert "data-picker" in lead and lead.count("<optgroup") == 2
    # grouped by kind (government before Party), in the office's order inside a group
    assert lead.index(str(K.GOVERNMENT.label)) < lead.index("州农业农村局") < lead.index("州发展和改革委员会") \
        < lead.index(str(K.PARTY.label)) < lead.index("州委组织部")
    assert 'data-search="州发改委"' in lead and 'data-search="农业局"' in lead  # short names are searched
    assert f'<option value="{reform.pk}" selected' in lead and f'<option value="{farm.pk}" selected' not in lead
    co = _select(html, "co_units")
    assert "multiple" in co and f'<option value="{farm.pk}" selected' in co
    split = _select(html, "split_units")
    assert f'<option value="{farm.pk}" selected' in split and f'<option value="{reform.pk}" selected' in split
    assert f'<option value="{organisation.pk}" selected' not in split


def test_one_suggestion_chooses_the_sole_mode_and_hostile_text_is_escaped(actors):
    p = _walk("registered", actors, "单办", suggested_units='农业局<script>alert(1)</script>')
    html = client_for(actors.staff).get(reverse("proposals:assign", args=[p.pk])).content.decode()
    assert 'value="sole" checked' in html and "<script>alert(1)" not in html and "&lt;script&gt;" in html
    p2 = _walk("registered", actors, "单办二", suggested_units="农业局")
    html = client_for(actors.staff).get(reverse("proposals:assign", args=[p2.pk])).content.decode()
    assert f'<option value="{actors.units[0].pk}" selected' in _select(html, "sole_unit")


def test_only_the_chosen_modes_units_are_assigned(actors):
    farm, organisation, reform = actors.units
    p = _walk("registered", actors, "分办")
    response = client_for(actors.staff).post(reverse("proposals:assign", args=[p.pk]), {
        "mode": "lead_co", "sole_unit": organisation.pk, "split_units": [organisation.pk, farm.pk],
        "lead_unit": reform.pk, "co_units": [farm.pk], "version": p.version,
    })
    assert response.status_code == 302
    assert dict(Assignment.objects.filter(proposal=p).values_list("unit_id", "role")) == {reform.pk: "lead", farm.pk: "co"}


def test_a_bad_choice_keeps_the_mode_and_the_units_chosen(actors):
    farm, organisation, reform = actors.units
    p = _walk("registered", actors, "选错")
    response = client_for(actors.staff).post(reverse("proposals:assign", args=[p.pk]), {
        "mode": "split", "split_units": [farm.pk], "version": p.version,
    })
    html = response.content.decode()
    assert response.status_code == 200 and 'value="split" checked' in html and 'role="alert"' in html
    assert f'<option value="{farm.pk}" selected' in _select(html, "split_units")


def test_the_assignment_meeting_uses_the_same_pickers_with_the_suggestions_chosen(actors):
    farm, organisation, reform = actors.units
    p = _walk("registered", actors, "交办会", suggested_units="州委组织部，农业局")
    html = client_for(actors.staff).get(reverse("proposals:assign_batch")).content.decode()
    assert "vendor/tom-select/tom-select.complete.min.js" in html
    main = _select(html, f"unit_{p.pk}")
    assert "data-picker" in main and "<optgroup" in main and f'<option value="{organisation.pk}" selected' in main
    others = _select(html, f"others_{p.pk}")
    assert "multiple" in others and f'<option value="{farm.pk}" selected' in others
    assert f'<option value="{organisation.pk}" selected' not in others
    assert 'data-label="主办或单办单位" class="picker-cell"' in html  # a phone card keeps its labels


# --- The staff list: labels, numbers, actions on the ticked rows -------------------------------------------


def test_the_list_offers_only_the_actions_the_user_may_take(actors):
    _walk("assigned", actors, "列表")
    staff = client_for(actors.staff).get(reverse("proposals:list")).content.decode()
    for action in ("urge", "mark_key", "set_public", "export"):
        assert f'data-testid="bulk-{action}"' in staff
    leader = client_for(actors.leader).get(reverse("proposals:list")).content.decode()
    assert 'data-testid="bulk-urge"' in leader and 'data-testid="bulk-mark_key"' not in leader
    assert 'data-testid="bulk-set_public"' not in leader and 'data-testid="bulk-export"' in leader
    unit = client_for(actors.unit_users[0]).get(reverse("proposals:list")).content.decode()
    assert 'data-testid="bulk-urge"' not in unit and 'data-testid="bulk-mark_key"' not in unit


def test_phone_cards_keep_their_labels_and_numbers_do_not_break(actors):
    p = _walk("assigned", actors, "卡片")
    html = client_for(actors.staff).get(reverse("proposals:list")).content.decode()
    for label in ("提案号", "案由", "提案人", "类别", "状态", "承办单位"):
        assert f'data-label="{label}"' in html
    assert f'<td class="nowrap" data-label="提案号"><span class="number" data-testid="proposal-number">{p.number}</span></td>' in html
    assert f'name="ids" value="{p.pk}" form="bulk-form"' in html


def test_bulk_urge_from_the_list_reports_what_was_done_and_what_was_refused(actors):
    urgeable = _walk("assigned", actors, "可以催办")
    registered = _walk("registered", actors, "尚未交办")
    back = reverse("proposals:list") + "?state=assigned"
    response = client_for(actors.staff).post(reverse("proposals:bulk"), {
        "action": "urge", "ids": [urgeable.pk, registered.pk], "next": back,
    })
    assert response.status_code == 302 and response["Location"] == back
    texts = [str(m) for m in get_messages(response.wsgi_request)]
    assert len(texts) == 2 and texts[0].count("1") == 2  # 催办：成功 1 件，未成功 1 件。
    assert texts[1].startswith(registered.number) and "催办" in texts[1]  # the number and the reason
    assert Event.objects.filter(action="proposal.urge").count() == 1 and Notification.objects.filter(kind="proposal.urged").exists()


def test_bulk_requests_never_fail_with_a_500(actors):
    p = _walk("assigned", actors, "安全")
    member = client_for(actors.proposer)
    assert member.post(reverse("proposals:bulk"), {"action": "mark_key", "ids": [p.pk]}).status_code == 403
    unit = client_for(actors.unit_users[0])
    assert unit.post(reverse("proposals:bulk"), {"action": "urge", "ids": [p.pk]}).status_code == 403
    staff = client_for(actors.staff)
    for data in ({"action": "urge"}, {"action": "delete", "ids": [p.pk]}, {"action": "urge", "ids": ["<b>", "9" * 40]},
                 {"action": "export"}, {"action": "mark_key", "ids": [p.pk], "next": "https://evil.example/"}):
        response = staff.post(reverse("proposals:bulk"), data)
        assert response.status_code == 302 and response["Location"] == reverse("proposals:list")
    assert not Event.objects.filter(action="proposal.urge").exists()
    assert client_for(actors.staff).get(reverse("proposals:bulk")).status_code == 405


def _numbers(data: bytes) -> set:
    ws = load_workbook(io.BytesIO(data), read_only=True).worksheets[0]
    return {row[0] for row in ws.iter_rows(values_only=True) if row and isinstance(row[0], str) and row[0][:2].isdigit()}


def test_export_the_selection_writes_only_the_ticked_rows(actors, settings):
    a, b, c = (_walk("assigned", actors, f"导出{i}") for i in range(3))
    response = client_for(actors.staff).post(reverse("proposals:bulk"), {"action": "export", "ids": [a.pk, c.pk]})
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert _numbers(b"".join(response.streaming_content)) == {a.number, c.number}
    # a member exports only what they see, whatever ids they send
    other = _walk("assigned", make_actors(actors.committee, units=1), "别人的提案")
    response = client_for(actors.proposer).post(reverse("proposals:bulk"), {"action": "export", "ids": [a.pk, other.pk]})
    assert _numbers(b"".join(response.streaming_content)) == {a.number}


def test_a_selection_is_written_at_once_even_above_the_inline_limit(actors, settings):
    from xieshang.core.models import Export

    settings.XIESHANG_EXPORT_INLINE_MAX_ROWS = 1
    a, b = (_walk("assigned", actors, f"选中{i}") for i in range(2))
    response = client_for(actors.staff).post(reverse("proposals:bulk"), {"action": "export", "ids": [b.pk, a.pk]})
    assert response.status_code == 200 and _numbers(b"".join(response.streaming_content)) == {a.number, b.number}
    assert not Export.objects.exists()


def test_the_other_lists_label_their_cells_for_phone_cards(actors):
    p = _walk("assigned", actors, "标签")
    mine = client_for(actors.proposer).get(reverse("proposals:mine")).content.decode()
    assert 'data-label="提案号"' in mine and 'data-label="案由"' in mine and f'<span class="number">{p.number}</span>' in mine
    for name in ("proposals:overdue", "proposals:extensions"):
        assert client_for(actors.staff).get(reverse(name)).status_code == 200
    assert client_for(actors.proposer).get(reverse("proposals:cosign_invitations")).status_code == 200


def test_the_actions_and_the_summary_speak_the_readers_language(actors, settings):
    p = _walk("registered", actors, "语言")
    staff = client_for(actors.staff)
    assert 'data-testid="bulk-urge">催办</button>' in staff.get(reverse("proposals:list")).content.decode()
    response = staff.post(reverse("proposals:bulk"), {"action": "mark_key", "ids": [p.pk]})
    assert str(list(get_messages(response.wsgi_request))[0]).startswith("列为重点提案") or \
        str(list(get_messages(response.wsgi_request))[0]).startswith("Mark as key")  # until the fragment is merged
    staff.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert 'data-testid="bulk-urge">Urge</button>' in staff.get(reverse("proposals:list")).content.decode()
    response = staff.post(reverse("proposals:bulk"), {"action": "set_public", "ids": [p.pk]})
    assert str(list(get_messages(response.wsgi_request))[0]) == "Publish: 1 done, 0 not done."


def test_reassigning_after_an_objection_uses_the_picker(actors, committee):
    from xieshang.proposals.models import AssignmentState

    farm, organisation, reform = actors.units
    p = _walk("assigned", actors, "申退后重新交办")
    client_for(actors.unit_users[0]).post(reverse("proposals:act", args=[p.pk, "object"]), {"object-reason": "非本单位职责"})
    objected = Assignment.objects.get(proposal=p, unit=farm)
    assert objected.state == AssignmentState.OBJECTED
    new_unit = make_unit(committee, name="州交通运输局", short_name="交通局", kind=K.GOVERNMENT)[0]
    html = client_for(actors.staff).get(reverse("proposals:detail", args=[p.pk])).content.decode()
    unit = _select(html, "reassign-unit")
    assert "data-picker" in unit and unit.count("<optgroup") == 2 and 'data-search="交通局"' in unit
    assert 'data-picker-js="/static/vendor/tom-select/tom-select.complete.min.js"' in unit  # loaded on demand
    assert '<option value="" selected>' in unit  # no unit chosen by default
    response = client_for(actors.staff).post(reverse("proposals:act", args=[p.pk, "reassign"]),
                                             {"reassign-assignment": objected.pk, "reassign-unit": ""})
    assert Assignment.objects.filter(proposal=p, unit=new_unit).count() == 0 and response.status_code in (200, 302)
    response = client_for(actors.staff).post(reverse("proposals:act", args=[p.pk, "reassign"]),
                                             {"reassign-assignment": objected.pk, "reassign-unit": new_unit.pk})
    assert response.status_code == 302 and Assignment.objects.get(proposal=p, unit=new_unit).role == "lead"
