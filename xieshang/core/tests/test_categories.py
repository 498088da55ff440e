"""Categories as data (core.categories, issue #16): the services and their permission matrix, the one cached
lookup and its invalidation, the screen, the default list of committees without rows, the data migration."""

import importlib

import pytest
from django.apps import apps as django_apps
from django.urls import reverse
from django.utils import translation

from xieshang.core import categories
from xieshang.core.errors import Conflict, Forbidden, Invalid, NotFound
from xieshang.core.models import Category, Committee, Event, Role
from xieshang.core.tests.factories import CommitteeFactory, HandlingUnitFactory, UserFactory, grant

pytestmark = pytest.mark.django_db

DEFAULT_CODES = ["economy", "politics", "culture", "society", "ecology", "agriculture", "other"]


@pytest.fixture
def office():
    committee = CommitteeFactory(code="cat1")
    people = {}
    for role in (Role.ADMIN, Role.STAFF, Role.MEMBER, Role.LEADER):
        people[role] = UserFactory(username=f"cat-{role}")
        grant(people[role], committee, role)
    people[Role.UNIT] = UserFactory(username="cat-unit")
    grant(people[Role.UNIT], committee, Role.UNIT, unit=HandlingUnitFactory(committee=committee))
    return committee, people


def codes(committee):
    return [e.code for e in categories.catalogue(committee).entries]


def test_a_new_committee_has_the_default_list_with_its_chinese_names(office):
    committee, _people = office
    cat = categories.catalogue(committee)
    assert cat.stored and codes(committee) == DEFAULT_CODES
    assert cat.label("economy") == "经济建设" and cat.label("other") == "其他"
    with translation.override("en"):
        assert cat.label("economy") == "economic development"
    assert cat.name("economy") == "经济建设"  # documents: as the committee writes it, in any language
    assert cat.label("gone") == "gone"  # a code the list does not hold is shown as it is


def test_a_committee_without_rows_reads_the_default_list_and_the_first_write_stores_it(office):
    _committee, people = office
    bare = Committee.objects.create(code="bare", name="无类别政协", level=Committee.Level.COUNTY)
    grant(people[Role.STAFF], bare, Role.STAFF)
    cat = categories.catalogue(bare)
    assert not cat.stored and [e.code for e in cat.entries] == DEFAULT_CODES and cat.default() == "other"
    categories.category_create(actor=people[Role.STAFF], committee=bare, name="民族宗教")
    assert codes(bare) == [*DEFAULT_CODES, "c8"] and categories.catalogue(bare).stored


@pytest.mark.parametrize("role, allowed", [
    (Role.ADMIN, True), (Role.STAFF, True), (Role.MEMBER, False), (Role.UNIT, False), (Role.LEADER, False),
])
def test_permission_matrix_of_every_service(office, role, allowed):
    committee, people = office
    actor = people[role]
    row = Category.objects.get(committee=committee, code="ecology")
    spare = Category.objects.create(committee=committee, code="spare", name="备用", position=99)
    calls = [
        lambda: categories.category_create(actor=actor, committee=committee, name="港澳台侨"),
        lambda: categories.category_update(actor=actor, committee=committee, category=row, name="生态环境"),
        lambda: categories.category_move(actor=actor, committee=committee, category=row, direction="up"),
        lambda: categories.category_set_active(actor=actor, committee=committee, category=row, active=False),
        lambda: categories.category_delete(actor=actor, committee=committee, category=spare),
        lambda: categories.categories_named(actor=actor, committee=committee, names=["外事"]),
    ]
    for call in calls:
        if allowed:
            call()
        else:
            with pytest.raises(Forbidden):
                call()
    if not allowed:
        assert codes(committee) == [*DEFAULT_CODES, "spare"]
        assert not Event.objects.filter(action__startswith="category.").exists()


def test_a_row_of_another_committee_is_not_found(office):
    committee, people = office
    other = CommitteeFactory(code="cat2")
    foreign = Category.objects.get(committee=other, code="economy")
    with pytest.raises(NotFound):
        categories.category_update(actor=people[Role.STAFF], committee=committee, category=foreign, name="x")


def test_rename_keeps_the_code_records_the_old_name_and_every_label_follows_at_once(office):
    committee, people = office
    row = Category.objects.get(committee=committee, code="society")
    assert categories.label(committee, "society") == "社会建设"  # read once: now held by the thread and the cache
    categories.category_update(actor=people[Role.STAFF], committee=committee, category=row, name="社会民生",
                               name_en="livelihood")
    assert categories.label(committee, "society") == "社会民生"  # the one invalidation (categories.changed)
    event = Event.objects.get(action="category.updated")
    assert event.payload["changes"]["name"] == ["社会建设", "社会民生"] and event.payload["code"] == "society"


def test_names_are_unique_and_checked(office):
    committee, people = office
    staff = people[Role.STAFF]
    with pytest.raises(Invalid) as caught:
        categories.category_create(actor=staff, committee=committee, name=" 经济 建设 ")
    assert "name" in caught.value.field_errors
    with pytest.raises(Invalid):
        categories.category_create(actor=staff, committee=committee, name="")
    with pytest.raises(Invalid):
        categories.category_create(actor=staff, committee=committee, name="长" * 41)
    with pytest.raises(Invalid) as caught:
        categories.category_create(actor=staff, committee=committee, name="新类", code="Bad Code")
    assert "code" in caught.value.field_errors
    with pytest.raises(Invalid):
        categories.category_create(actor=staff, committee=committee, name="新类", code="economy")
    row = categories.category_create(actor=staff, committee=committee, name="新类\x07", code="new-one")
    assert (row.code, row.name, row.position) == ("new-one", "新类", 8)


def test_reorder_moves_one_place_and_the_ends_stay(office):
    committee, people = office
    staff = people[Role.STAFF]
    other = Category.objects.get(committee=committee, code="other")
    categories.category_move(actor=staff, committee=committee, category=other, direction="up")
    assert codes(committee)[-2:] == ["other", "agriculture"]
    first = Category.objects.get(committee=committee, code="economy")
    categories.category_move(actor=staff, committee=committee, category=first, direction="up")
    assert codes(committee)[0] == "economy"
    with pytest.raises(Invalid):
        categories.category_move(actor=staff, committee=committee, category=first, direction="sideways")


def test_out_of_use_leaves_forms_but_keeps_records_and_the_record_s_own(office):
    from django import forms

    committee, people = office
    staff = people[Role.STAFF]
    row = Category.objects.get(committee=committee, code="politics")
    categories.category_set_active(actor=staff, committee=committee, category=row, active=False)
    field = forms.ChoiceField()
    categories.use(field, committee)
    assert "politics" not in dict(field.choices) and field.initial == "other"
    categories.use(field, committee, current="politics")  # editing a record filed under it: still offered
    assert "politics" in dict(field.choices)
    assert categories.label(committee, "politics") == "政治建设"
    assert "politics" in dict(categories.catalogue(committee).choices(every=True))  # filters find old records
    assert categories.problem(committee, "politics") and categories.problem(committee, "politics", "politics") is None
    categories.category_set_active(actor=staff, committee=committee, category=row, active=True)
    assert categories.problem(committee, "politics") is None


def test_the_last_category_in_use_stays(office):
    committee, people = office
    staff = people[Role.STAFF]
    rows = list(Category.objects.filter(committee=committee).order_by("position"))
    for row in rows[:-1]:
        categories.category_set_active(actor=staff, committee=committee, category=row, active=False)
    with pytest.raises(Conflict):
        categories.category_set_active(actor=staff, committee=committee, category=rows[-1], active=False)
    assert categories.catalogue(committee).default() == "other"


def test_a_used_category_is_never_deleted(office):
    from xieshang.proposals.tests.factories import ProposalFactory, make_member

    committee, people = office
    staff = people[Role.STAFF]
    member = make_member(committee)
    from xieshang.core.models import Member

    from xieshang.core.models import Term
    from xieshang.core.tests.factories import SessionFactory

    SessionFactory(term=Term.objects.get(committee=committee), is_current=True)
    ProposalFactory(committee=committee, lead_proposer=Member.objects.get(user=member), category="culture")
    row = Category.objects.get(committee=committee, code="culture")
    assert categories.in_use(committee, "culture")
    with pytest.raises(Conflict):
        categories.category_delete(actor=staff, committee=committee, category=row)
    unused = Category.objects.get(committee=committee, code="ecology")
    categories.category_delete(actor=staff, committee=committee, category=unused)
    assert "ecology" not in codes(committee) and "culture" in codes(committee)
    assert Event.objects.filter(action="category.deleted").count() == 1


def test_names_given_by_an_import_are_found_or_added(office):
    committee, people = office
    got = categories.categories_named(actor=people[Role.STAFF], committee=committee,
                                      names=["经济建设", "Economic Development", "民族宗教", "民族 宗教"])
    assert got["经济建设"] == got["Economic Development"] == "economy"
    assert got["民族宗教"] == got["民族 宗教"] == "c8"
    event = Event.objects.get(action="category.created")
    assert event.payload == {"code": "c8", "name": "民族宗教", "name_en": "", "source": "import"}


def test_the_code_type_checks_against_the_committee_in_the_context(office):
    from pydantic import BaseModel

    from xieshang.core.workflow import parse_input

    committee, people = office
    categories.category_create(actor=people[Role.STAFF], committee=committee, name="港澳台侨", code="hk")

    class In(BaseModel):
        category: categories.Code(required=False) = None

    assert parse_input(In, {"category": "hk"}, committee=committee).category == "hk"
    assert parse_input(In, {"category": ""}, committee=committee).category is None
    with pytest.raises(Invalid) as caught:
        parse_input(In, {"category": "hk"}, committee=CommitteeFactory(code="cat3"))
    assert "hk" in caught.value.field_errors["category"][0]
    with pytest.raises(Invalid):
        parse_input(In, {"category": 7}, committee=committee)


def test_the_cached_list_is_read_once_per_request(office, django_assert_num_queries):
    committee, _people = office
    categories.forget_memo()
    from django.core.cache import cache

    cache.clear()
    with django_assert_num_queries(1):
        for _ in range(50):
            categories.label(committee.pk, "economy")
    categories.forget_memo()
    with django_assert_num_queries(0):  # the shared cache (keyed on the organisation version)
        categories.label(committee.pk, "economy")


# --- The screen -------------------------------------------------------------------------------------


def _client(client, user, committee):
    client.force_login(user)
    session = client.session
    session["xieshang_committee_id"] = committee.pk
    session.save()
    return client


@pytest.mark.parametrize("role, status", [
    (Role.ADMIN, 200), (Role.STAFF, 200), (Role.MEMBER, 404), (Role.UNIT, 404), (Role.LEADER, 404),
])
def test_the_screen_is_the_office_s(client, office, role, status):
    committee, people = office
    c = _client(client, people[role], committee)
    assert c.get(reverse("core:categories")).status_code == status
    row = Category.objects.get(committee=committee, code="other")
    assert c.post(reverse("core:category_action", args=[row.pk, "up"])).status_code == (302 if status == 200 else 404)
    assert c.post(reverse("core:categories"), {"name": "新增"}).status_code == (302 if status == 200 else 404)


def test_the_screen_adds_renames_reorders_and_takes_out_of_use(client, office):
    committee, people = office
    c = _client(client, people[Role.STAFF], committee)
    page = c.get(reverse("core:categories"))
    assert page.status_code == 200 and "生态文明建设" in page.content.decode()
    assert c.post(reverse("core:categories"), {"name": "港澳台侨", "name_en": "", "code": ""}).status_code == 302
    again = c.post(reverse("core:categories"), {"name": "港澳台侨", "name_en": "", "code": ""})
    assert again.status_code == 422 and "港澳台侨" in again.content.decode()  # what was typed stays
    row = Category.objects.get(committee=committee, name="港澳台侨")
    assert c.post(reverse("core:category_action", args=[row.pk, "up"])).status_code == 302
    assert codes(committee)[-2:] == [row.code, "other"]
    edit = reverse("core:category_edit", args=[row.pk])
    assert c.post(edit, {"name": "港澳台侨事务", "name_en": "Hong Kong, Macao, Taiwan"}).status_code == 302
    history = c.get(edit).content.decode()
    assert "港澳台侨事务" in history and "港澳台侨" in history  # old and new name in the timeline
    assert c.post(reverse("core:category_action", args=[row.pk, "deactivate"])).status_code == 302
    assert not Category.objects.get(pk=row.pk).active
    assert c.post(reverse("core:category_action", args=[row.pk, "nonsense"])).status_code == 404
    assert c.post(reverse("core:category_action", args=[row.pk, "delete"])).status_code == 302
    assert not Category.objects.filter(pk=row.pk).exists()


def test_the_menu_names_the_screen_for_the_office_only(client, office):
    committee, people = office
    url = reverse("core:categories")
    assert url in _client(client, people[Role.STAFF], committee).get(reverse("core:home")).content.decode()
    client.logout()
    assert url not in _client(client, people[Role.MEMBER], committee).get(reverse("core:home")).content.decode()


# --- The data migration ----------------------------------------------------------------------------------


def test_the_migration_gives_every_existing_committee_today_s_list():
    migration = importlib.import_module("xieshang.core.migrations.0015_category")
    old = Committee.objects.create(code="old", name="旧政协", level=Committee.Level.COUNTY)  # no rows, as before 0015
    assert not Category.objects.filter(committee=old).exists()
    migration.seed(django_apps, None)
    migration.seed(django_apps, None)  # twice: nothing more
    rows = list(Category.objects.filter(committee=old).order_by("position"))
    assert [r.code for r in rows] == DEFAULT_CODES
    categories.forget_memo()
    with translation.override("zh-hans"):
        for code, _label in categories.Category.choices:  # the labels the records showed before: unchanged
            assert categories.label(old, code) == categories.DEFAULT_NAMES[code]
            assert str(categories.Category(code).label) == categories.DEFAULT_NAMES[code]
