"""The administration screens of a committee (/admin/), for users with the `admin` role in it.

Thin views: parse with a form from `admin_forms`, call one service, render. Every screen works on
the committee chosen in the header (`request.committee`); a user who does not administer it gets
404, as does any row of another committee. Platform administrators (superusers) administer every
committee. Django's own admin stays at /django-admin/ for platform administrators only.
"""

from __future__ import annotations

import datetime
import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.shortcuts import render as django_render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from . import admin_forms as f
from . import audit, calendar, imports, second_factor, services
from .errors import Invalid, ServiceError, pages
from .middleware import committee_of_request
from .models import (
    Holiday, HandlingUnit, LiaisonStation, Member, Organization, PartyCommittee, RoleAssignment, Sector, Session,
    SpecialCommittee, Studio, Term, TimerSetting,
)
from .selectors import account_manageable_by, administered_committee, users_of_committee
from .timers import defaults as timer_defaults

PER_PAGE = 25

# The side menu of the administration screens: (label, url name, url-name prefix that marks it current).
SECTIONS = [
    (gettext_lazy("Overview"), "core:admin_home", "admin_home"),
    (gettext_lazy("Committee settings"), "core:admin_committee", "admin_committee"),
    (gettext_lazy("Terms and sessions"), "core:admin_terms", ("admin_term", "admin_session")),
    (gettext_lazy("Sectors"), "core:admin_sectors", "admin_sector"),
    (gettext_lazy("Special committees"), "core:admin_special_committees", "admin_special_committee"),
    (gettext_lazy("Parties and groups"), "core:admin_organizations", "admin_organization"),
    (gettext_lazy("Handling units"), "core:admin_units", "admin_unit"),
    (gettext_lazy("Liaison stations"), "core:admin_stations", "admin_station"),
    (gettext_lazy("Studios"), "core:admin_studios", "admin_studio"),
    (gettext_lazy("Party committee"), "core:admin_party_committee", "admin_party_committee"),
    (gettext_lazy("Members"), "core:admin_members", "admin_member"),
    (gettext_lazy("Users and roles"), "core:admin_users", ("admin_user", "admin_role")),
    (gettext_lazy("Timers"), "core:admin_timers", "admin_timer"),
    (gettext_lazy("Holiday calendar"), "core:admin_calendar", ("admin_calendar", "admin_holiday")),
]


# --- Helpers ---------------------------------------------------------------------------


def render(request, template, context=None, status=200):
    """Render an administration page: adds the side menu and the holiday-calendar warning."""
    context = dict(context or {})
    current = request.resolver_match.url_name if request.resolver_match else ""
    context["admin_sections"] = [
        {"label": label, "url": reverse(name), "current": current.startswith(prefix)}
        for label, name, prefix in SECTIONS
    ]
    context["calendar_missing_years"] = calendar_warning_years(committee_of_request(request))
    return django_render(request, template, context, status=status)


def admin_view(view):
    """Sign-in required; the committee in the header must be one the user administers (else 404).
    The view receives it as its second argument."""

    @login_required
    @functools.wraps(view)
    @pages
    def wrapper(request, *args, **kwargs):
        committee = administered_committee(request.user, committee_of_request(request))
        return view(request, committee, *args, **kwargs)
    return wrapper


def _page(request, queryset):
    """One page of a list, with the query string of the other parameters for the page links."""
    page = Paginator(queryset, PER_PAGE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    page.query = params.urlencode()
    return page


def _call(form, service, **kwargs):
    """Run a service; on a refusal put its messages on the form. Returns (done, result)."""
    try:
        return True, service(**kwargs)
    except Invalid as exc:
        if not exc.field_errors:
            form.add_error(None, str(exc.message))
        for field, errors in exc.field_errors.items():
            for error in errors:
                form.add_error(field if field in form.fields else None, error)
    except ServiceError as exc:
        form.add_error(None, str(exc.message))
    return False, None


def _edit(request, committee, *, form_class, service, obj=None, obj_kw=None, names=(), title, back,
          form_kwargs=None, extra=None, delete_url=None, initial=None, success_url=None):
    """The common edit page: show the form, on POST call `service(actor, committee, <obj_kw>=obj, **data)`
    and go to `back` (or to `success_url(result)`)."""
    form_kwargs = form_kwargs or {}
    if request.method == "POST":
        form = form_class(request.POST, **form_kwargs)
        if form.is_valid():
            kwargs = dict(form.cleaned_data)
            if obj_kw:
                kwargs[obj_kw] = obj
            done, result = _call(form, service, actor=request.user, committee=committee, **kwargs)
            if done:
                messages.success(request, _("Saved."))
                return redirect(success_url(result) if success_url else back)
    else:
        form = form_class(initial=initial if initial is not None else f.initial_from(obj, names), **form_kwargs)
    context = {
        "form": form, "title": title, "back": back, "obj": obj, "delete_url": delete_url,
        "events": audit.timeline(obj) if obj is not None and obj.pk else None,
    }
    context.update(extra or {})
    return render(request, "core/admin/form.html", context, status=422 if form.errors else 200)


def _delete(request, committee, *, service, obj_kw, obj, back):
    try:
        service(actor=request.user, committee=committee, **{obj_kw: obj})
    except ServiceError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Deleted."))
    return redirect(back)


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=imports.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def _int(value) -> int:
    """A whole number from a query parameter; 0 when it is not one (so lookups find nothing)."""
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


def _search(queryset, q: str, *fields):
    q = (q or "").strip()
    if not q:
        return queryset
    condition = Q()
    for name in fields:
        condition |= Q(**{f"{name}__icontains": q})
    return queryset.filter(condition)


def _yes_no(queryset, value: str, field: str):
    if value == "yes":
        return queryset.filter(**{field: True})
    if value == "no":
        return queryset.filter(**{field: False})
    return queryset


def calendar_warning_years(committee) -> list[int]:
    """This year and next, when the holiday calendar has no rows for them (deadlines would be wrong)."""
    this_year = datetime.date.today().year
    return calendar.years_without_data([this_year, this_year + 1], committee)


# --- Home and committee settings --------------------------------------------------------


@admin_view
def home(request, committee):
    counts = {
        "terms": Term.objects.filter(committee=committee).count(),
        "sectors": Sector.objects.filter(committee=committee).count(),
        "special_committees": SpecialCommittee.objects.filter(committee=committee).count(),
        "organizations": Organization.objects.filter(committee=committee).count(),
        "units": HandlingUnit.objects.filter(committee=committee, is_active=True).count(),
        "stations": LiaisonStation.objects.filter(committee=committee, is_active=True).count(),
        "studios": Studio.objects.filter(committee=committee, is_active=True).count(),
        "members": Member.objects.filter(committee=committee, is_active=True).count(),
        "users": users_of_committee(committee).count(),
        "timers": TimerSetting.objects.filter(committee=committee).count(),
    }
    party = PartyCommittee.objects.filter(committee=committee).first()
    return render(request, "core/admin/home.html", {"counts": counts, "party": party})


@admin_view
def committee_settings(request, committee):
    return _edit(
        request, committee, form_class=f.CommitteeForm, service=services.committee_save, obj=committee,
        names=("name", "short_name", "portal_name", "require_second_factor"), title=_("Committee settings"),
        back=reverse("core:admin_committee"),
    )


@admin_view
def party_committee(request, committee):
    row = PartyCommittee.objects.filter(committee=committee).first()
    return _edit(
        request, committee, form_class=f.PartyCommitteeForm, service=services.party_committee_save, obj=row,
        names=("name",), title=_("Party committee"), back=reverse("core:admin_home"),
    )


# --- Terms and sessions ---------------------------------------------------------------------


@admin_view
def terms(request, committee):
    rows = Term.objects.filter(committee=committee).prefetch_related("sessions").order_by("-number")
    return render(request, "core/admin/terms.html", {"terms": rows})


@admin_view
def term_edit(request, committee, pk=None):
    term = get_object_or_404(Term, pk=pk, committee=committee) if pk else None
    return _edit(
        request, committee, form_class=f.TermForm, service=services.term_save, obj=term, obj_kw="term",
        names=("number", "start_year", "end_year", "is_current"),
        title=_("Change term") if term else _("New term"), back=reverse("core:admin_terms"),
    )


@admin_view
def session_edit(request, committee, pk=None):
    session = get_object_or_404(Session, pk=pk, term__committee=committee) if pk else None
    initial = None
    if session is None:
        term = Term.objects.filter(committee=committee, pk=_int(request.GET.get("term"))).first() or (
            Term.objects.filter(committee=committee, is_current=True).first()
        )
        initial = {"term": term}
    return _edit(
        request, committee, form_class=f.SessionForm, service=services.session_save, obj=session, obj_kw="session",
        names=("term", "number", "year", "opens_on", "closes_on", "is_current"), initial=initial,
        title=_("Change session") if session else _("New session"), back=reverse("core:admin_terms"),
        form_kwargs={"committee": committee},
    )


# --- Sectors, special committees, organizations ------------------------------------------------


def _named_list(request, committee, model, *, title, new_url, edit_name, filter_form=f.SearchForm, kind=False):
    form = filter_form(request.GET or None)
    rows = model.objects.filter(committee=committee).annotate(member_count=Count("member", distinct=True)).order_by(
        *model._meta.ordering, "pk"
    )
    if form.is_valid():
        rows = _search(rows, form.cleaned_data.get("q"), "name")
        if form.cleaned_data.get("kind"):
            rows = rows.filter(kind=form.cleaned_data["kind"])
    return render(request, "core/admin/named_list.html", {
        "title": title, "page": _page(request, rows), "filter_form": form, "new_url": new_url,
        "edit_name": edit_name, "show_kind": kind,
    })


@admin_view
def sectors(request, committee):
    return _named_list(request, committee, Sector, title=_("Sectors"), new_url=reverse("core:admin_sector_new"),
                       edit_name="core:admin_sector_edit")


@admin_view
def sector_edit(request, committee, pk=None):
    sector = get_object_or_404(Sector, pk=pk, committee=committee) if pk else None
    return _edit(
        request, committee, form_class=f.NamedForm, service=services.sector_save, obj=sector, obj_kw="sector",
        names=("name", "sort_order"), title=_("Change sector") if sector else _("New sector"),
        back=reverse("core:admin_sectors"),
        delete_url=reverse("core:admin_sector_delete", args=[sector.pk]) if sector else None,
    )


@admin_view
@require_POST
def sector_delete(request, committee, pk):
    sector = get_object_or_404(Sector, pk=pk, committee=committee)
    return _delete(request, committee, service=services.sector_delete, obj_kw="sector", obj=sector,
                   back=reverse("core:admin_sectors"))


@admin_view
def special_committees(request, committee):
    return _named_list(request, committee, SpecialCommittee, title=_("Special committees"),
                       new_url=reverse("core:admin_special_committee_new"), edit_name="core:admin_special_committee_edit")


@admin_view
def special_committee_edit(request, committee, pk=None):
    row = get_object_or_404(SpecialCommittee, pk=pk, committee=committee) if pk else None
    return _edit(
        request, committee, form_class=f.NamedForm, service=services.special_committee_save, obj=row,
        obj_kw="special_committee", names=("name", "sort_order"),
        title=_("Change special committee") if row else _("New special committee"),
        back=reverse("core:admin_special_committees"),
        delete_url=reverse("core:admin_special_committee_delete", args=[row.pk]) if row else None,
    )


@admin_view
@require_POST
def special_committee_delete(request, committee, pk):
    row = get_object_or_404(SpecialCommittee, pk=pk, committee=committee)
    return _delete(request, committee, service=services.special_committee_delete, obj_kw="special_committee",
                   obj=row, back=reverse("core:admin_special_committees"))


@admin_view
def organizations(request, committee):
    return _named_list(request, committee, Organization, title=_("Parties and groups"),
                       new_url=reverse("core:admin_organization_new"), edit_name="core:admin_organization_edit",
                       filter_form=f.OrganizationFilterForm, kind=True)


@admin_view
def organization_edit(request, committee, pk=None):
    row = get_object_or_404(Organization, pk=pk, committee=committee) if pk else None
    return _edit(
        request, committee, form_class=f.OrganizationForm, service=services.organization_save, obj=row,
        obj_kw="organization", names=("name", "kind"),
        title=_("Change party or group") if row else _("New party or group"),
        back=reverse("core:admin_organizations"),
        delete_url=reverse("core:admin_organization_delete", args=[row.pk]) if row else None,
    )


@admin_view
@require_POST
def organization_delete(request, committee, pk):
    row = get_object_or_404(Organization, pk=pk, committee=committee)
    return _delete(request, committee, service=services.organization_delete, obj_kw="organization", obj=row,
                   back=reverse("core:admin_organizations"))


# --- Handling units -----------------------------------------------------------------------------


def _units_filtered(request, committee):
    form = f.HandlingUnitFilterForm(request.GET or None)
    rows = HandlingUnit.objects.filter(committee=committee)
    if form.is_valid():
        data = form.cleaned_data
        rows = _search(rows, data["q"], "name", "short_name", "contact_person", "contact_phone")
        if data["kind"]:
            rows = rows.filter(kind=data["kind"])
        rows = _yes_no(rows, data["active"], "is_active")
        rows = rows.order_by(data["sort"] or "name", "pk")
    return form, rows


@admin_view
def units(request, committee):
    form, rows = _units_filtered(request, committee)
    return render(request, "core/admin/units.html", {"filter_form": form, "page": _page(request, rows)})


@admin_view
def units_export(request, committee):
    _form, rows = _units_filtered(request, committee)
    return _xlsx(imports.units_template(committee, rows), "承办单位.xlsx")


@admin_view
def unit_edit(request, committee, pk=None):
    unit = get_object_or_404(HandlingUnit, pk=pk, committee=committee) if pk else None
    return _edit(
        request, committee, form_class=f.HandlingUnitForm, service=services.handling_unit_save, obj=unit,
        obj_kw="unit", names=("name", "short_name", "aliases", "kind", "sort_order", "contact_person", "contact_phone",
                              "is_active"),
        initial=None if unit else {"is_active": True, "kind": HandlingUnit.Kind.GOVERNMENT},
        title=_("Change handling unit") if unit else _("New handling unit"), back=reverse("core:admin_units"),
    )


def _import(request, committee, *, service, title, template_url, back, columns, notes):
    result = None
    if request.method == "POST":
        form = f.ImportForm(request.POST, request.FILES)
        if form.is_valid():
            done, result = _call(form, service, actor=request.user, committee=committee, file=form.cleaned_data["file"])
            if done and result.ok:
                messages.success(request, _("Import finished: %(created)d created, %(updated)d updated.")
                                 % {"created": result.created, "updated": result.updated})
                return redirect(back)
    else:
        form = f.ImportForm()
    bad = bool(form.errors) or bool(result and result.errors)
    return render(request, "core/admin/import.html", {
        "form": form, "result": result, "title": title, "template_url": template_url, "back": back,
        "columns": columns, "notes": notes,
    }, status=422 if bad else 200)


@admin_view
def units_import(request, committee):
    return _import(
        request, committee, service=services.handling_units_import, title=_("Import handling units"),
        template_url=reverse("core:admin_units_template"), back=reverse("core:admin_units"),
        columns=imports.UNIT_COLUMNS,
        notes=[_("A unit whose full name is already in the list is updated, not added twice."),
               _("类别 is one of: %(choices)s.") % {"choices": "、".join(imports.UNIT_KINDS.values())}],
    )


@admin_view
def units_template(request, committee):
    return _xlsx(imports.units_template(committee), "承办单位导入模板.xlsx")


# --- Liaison stations and studios ----------------------------------------------------------------


def _places(request, committee, model, *, filter_form, title, new_url, edit_name):
    """The list of the committee's liaison stations or studios, with how many keepers each has."""
    form = filter_form(request.GET or None)
    rows = model.objects.filter(committee=committee).annotate(keeper_count=Count("roles", distinct=True))
    if form.is_valid():
        data = form.cleaned_data
        rows = _search(rows, data["q"], "name", "short_name", "address")
        rows = _yes_no(rows, data["active"], "is_active")
        if data.get("kind"):
            rows = rows.filter(kind=data["kind"])
    rows = rows.order_by("sort_order", "name", "pk")
    return render(request, "core/admin/places.html", {
        "title": title, "filter_form": form, "page": _page(request, rows), "new_url": new_url,
        "edit_name": edit_name, "show_kind": model is Studio,
    })


@admin_view
def stations(request, committee):
    return _places(request, committee, LiaisonStation, filter_form=f.PlaceFilterForm, title=_("Liaison stations"),
                   new_url=reverse("core:admin_station_new"), edit_name="core:admin_station_edit")


@admin_view
def station_edit(request, committee, pk=None):
    row = get_object_or_404(LiaisonStation, pk=pk, committee=committee) if pk else None
    return _edit(
        request, committee, form_class=f.LiaisonStationForm, service=services.liaison_station_save, obj=row,
        obj_kw="station", names=("name", "short_name", "address", "sort_order", "is_active"),
        initial=None if row else {"is_active": True, "sort_order": 0},
        title=_("Change liaison station") if row else _("New liaison station"), back=reverse("core:admin_stations"),
        delete_url=reverse("core:admin_station_delete", args=[row.pk]) if row else None,
    )


@admin_view
@require_POST
def station_delete(request, committee, pk):
    row = get_object_or_404(LiaisonStation, pk=pk, committee=committee)
    return _delete(request, committee, service=services.liaison_station_delete, obj_kw="station", obj=row,
                   back=reverse("core:admin_stations"))


@admin_view
def studios(request, committee):
    return _places(request, committee, Studio, filter_form=f.StudioFilterForm, title=_("Studios"),
                   new_url=reverse("core:admin_studio_new"), edit_name="core:admin_studio_edit")


@admin_view
def studio_edit(request, committee, pk=None):
    row = get_object_or_404(Studio, pk=pk, committee=committee) if pk else None
    return _edit(
        request, committee, form_class=f.StudioForm, service=services.studio_save, obj=row, obj_kw="studio",
        names=("name", "short_name", "kind", "address", "sort_order", "is_active"),
        initial=None if row else {"is_active": True, "sort_order": 0, "kind": Studio.Kind.MEMBER},
        title=_("Change studio") if row else _("New studio"), back=reverse("core:admin_studios"),
        delete_url=reverse("core:admin_studio_delete", args=[row.pk]) if row else None,
    )


@admin_view
@require_POST
def studio_delete(request, committee, pk):
    row = get_object_or_404(Studio, pk=pk, committee=committee)
    return _delete(request, committee, service=services.studio_delete, obj_kw="studio", obj=row,
                   back=reverse("core:admin_studios"))


# --- Members --------------------------------------------------------------------------------------


def _members_filtered(request, committee):
    form = f.MemberFilterForm(request.GET or None, committee=committee)
    rows = Member.objects.filter(committee=committee).select_related("sector", "organization", "term", "user")
    if form.is_valid():
        data = form.cleaned_data
        rows = _search(rows, data["q"], "name", "phone", "employer", "email")
        for field in ("sector", "organization", "term"):
            if data[field]:
                rows = rows.filter(**{field: data[field]})
        if data["special_committee"]:
            rows = rows.filter(special_committees=data["special_committee"])
        rows = _yes_no(rows, data["standing"], "is_standing_committee_member")
        rows = _yes_no(rows, data["active"], "is_active")
        order = {"sector": ("sector__sort_order", "sector__name", "name"), "organization": ("organization__name", "name"),
                 "-id": ("-id",)}.get(data["sort"], ("name",))
        rows = rows.order_by(*order, "pk")
    return form, rows.prefetch_related("special_committees")


@admin_view
def members(request, committee):
    form, rows = _members_filtered(request, committee)
    return render(request, "core/admin/members.html", {"filter_form": form, "page": _page(request, rows)})


@admin_view
def members_export(request, committee):
    _form, rows = _members_filtered(request, committee)
    return _xlsx(imports.members_template(committee, rows), "委员名单.xlsx")


@admin_view
def member_edit(request, committee, pk=None):
    member = get_object_or_404(Member, pk=pk, committee=committee) if pk else None
    names = ("name", "gender", "ethnicity", "term", "sector", "organization", "special_committees",
             "is_standing_committee_member", "employer", "phone", "email", "address", "is_active")
    return _edit(
        request, committee, form_class=f.MemberForm, service=services.member_save, obj=member, obj_kw="member",
        names=names, initial=None if member else {"is_active": True},
        title=_("Change member") if member else _("New member"), back=reverse("core:admin_members"),
        form_kwargs={"committee": committee, "editing": member is not None},
        extra={"account": member.user if member else None},
    )


@admin_view
def members_import(request, committee):
    return _import(
        request, committee, service=services.members_import, title=_("Import members"),
        template_url=reverse("core:admin_members_template"), back=reverse("core:admin_members"),
        columns=imports.MEMBER_COLUMNS,
        notes=[
            _("Members are matched by mobile number, then by name: an existing member is updated, not added twice. "
              "A number that belongs to a member with another name, or a name shared by several members, "
              "is reported instead."),
            _("Empty cells keep what is stored."),
            _("New members join the current term and get an account whose user name is their mobile number; "
              "they can sign in once an administrator sets a password."),
            _("界别, 党派团体 and 专委会 must be spelled as in this committee's lists; several 专委会 are separated by 、"),
        ],
    )


@admin_view
def members_template(request, committee):
    return _xlsx(imports.members_template(committee), "委员导入模板.xlsx")


# --- Users and roles ---------------------------------------------------------------------------


def _users_page(request, committee, grant_form=None, status=200):
    form = f.UserFilterForm(request.GET or None)
    rows = users_of_committee(committee).prefetch_related(Prefetch(
        "role_assignments",
        queryset=RoleAssignment.objects.filter(committee=committee).select_related(*RoleAssignment.SCOPE_FIELDS),
        to_attr="committee_roles",
    )).order_by("username")
    if form.is_valid():
        rows = _search(rows, form.cleaned_data["q"], "username", "full_name", "phone", "email")
        if form.cleaned_data["role"]:
            rows = rows.filter(pk__in=RoleAssignment.objects.filter(
                committee=committee, role=form.cleaned_data["role"]).values("user_id"))
    return render(request, "core/admin/users.html", {
        "filter_form": form, "page": _page(request, rows),
        "grant_form": grant_form or f.RoleGrantByNameForm(committee=committee, prefix="grant"),
    }, status=status)


@admin_view
def users(request, committee):
    return _users_page(request, committee)


@admin_view
@require_POST
def role_grant_by_name(request, committee):
    from django.contrib.auth import get_user_model

    form = f.RoleGrantByNameForm(request.POST, committee=committee, prefix="grant")
    if form.is_valid():
        user = get_user_model().objects.filter(username__iexact=form.cleaned_data["username"].strip()).first()
        if user is None:
            form.add_error("username", _("There is no account with this user name."))
        else:
            data = {k: v for k, v in form.cleaned_data.items() if k != "username"}
            done, _row = _call(form, services.role_grant, actor=request.user, committee=committee, user=user, **data)
            if done:
                messages.success(request, _("Role granted."))
                return redirect("core:admin_user", pk=user.pk)
    return _users_page(request, committee, grant_form=form, status=422)


@admin_view
def user_new(request, committee):
    return _edit(
        request, committee, form_class=f.NewAccountForm, service=services.user_save, initial={"is_active": True},
        title=_("New account"), back=reverse("core:admin_users"), form_kwargs={"committee": committee},
        success_url=lambda user: reverse("core:admin_user", args=[user.pk]),
        extra={"intro": _("The new account has no usable password: set one on the next page before the person "
                          "signs in.")},
    )


def _user_detail(request, committee, user, *, account_form=None, password_form=None, grant_form=None, status=200):
    manageable = account_manageable_by(request.user, user)
    if account_form is None and manageable:
        account_form = f.AccountForm(initial=f.initial_from(user, ("username", "full_name", "phone", "email", "is_active")))
    if password_form is None and manageable:
        password_form = f.PasswordForm()
    roles = RoleAssignment.objects.filter(committee=committee, user=user).select_related(*RoleAssignment.SCOPE_FIELDS)
    other_committees = (
        RoleAssignment.objects.filter(user=user).exclude(committee=committee).values_list("committee__name", flat=True)
        .distinct()
    )
    return render(request, "core/admin/user_detail.html", {
        "account": user, "manageable": manageable, "account_form": account_form, "password_form": password_form,
        "grant_form": grant_form or f.RoleGrantForm(committee=committee), "roles": roles,
        "member": Member.objects.filter(committee=committee, user=user).first(),
        "other_committees": sorted(set(other_committees)),
        "events": audit.timeline(user).filter(committee=committee),
        "second_factor": second_factor.is_enrolled(user),
    }, status=status)


def _committee_user(committee, pk):
    return get_object_or_404(users_of_committee(committee), pk=pk)


@admin_view
def user_detail(request, committee, pk):
    user = _committee_user(committee, pk)
    if request.method == "POST":
        form = f.AccountForm(request.POST)
        if form.is_valid():
            done, _user = _call(form, services.user_save, actor=request.user, committee=committee, user=user,
                                **form.cleaned_data)
            if done:
                messages.success(request, _("Saved."))
                return redirect("core:admin_user", pk=user.pk)
        user.refresh_from_db()
        return _user_detail(request, committee, user, account_form=form, status=422)
    return _user_detail(request, committee, user)


@admin_view
@require_POST
def user_password(request, committee, pk):
    user = _committee_user(committee, pk)
    form = f.PasswordForm(request.POST)
    if form.is_valid():
        done, _none = _call(form, services.user_set_password, actor=request.user, committee=committee, user=user,
                            password=form.cleaned_data["password"])
        if done:
            messages.success(request, _("The password has been set."))
            return redirect("core:admin_user", pk=user.pk)
    return _user_detail(request, committee, user, password_form=form, status=422)


@admin_view
@require_POST
def user_second_factor_reset(request, committee, pk):
    user = _committee_user(committee, pk)
    try:
        services.user_second_factor_reset(actor=request.user, committee=committee, user=user)
    except ServiceError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Two-step sign-in has been removed from this account."))
    return redirect("core:admin_user", pk=user.pk)


@admin_view
@require_POST
def user_role_grant(request, committee, pk):
    user = _committee_user(committee, pk)
    form = f.RoleGrantForm(request.POST, committee=committee)
    if form.is_valid():
        done, _row = _call(form, services.role_grant, actor=request.user, committee=committee, user=user,
                           **form.cleaned_data)
        if done:
            messages.success(request, _("Role granted."))
            return redirect("core:admin_user", pk=user.pk)
    return _user_detail(request, committee, user, grant_form=form, status=422)


@admin_view
@require_POST
def role_revoke(request, committee, pk):
    assignment = get_object_or_404(RoleAssignment.objects.select_related("user"), pk=pk, committee=committee)
    user = assignment.user
    try:
        services.role_revoke(actor=request.user, committee=committee, assignment=assignment)
    except ServiceError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Role revoked."))
    if users_of_committee(committee).filter(pk=user.pk).exists():
        return redirect("core:admin_user", pk=user.pk)
    return redirect("core:admin_users")


# --- Timers ------------------------------------------------------------------------------------


def _timer_rows(committee, bound: dict | None = None):
    own = {t.key: t for t in TimerSetting.objects.filter(committee=committee)}
    units = dict(TimerSetting.Unit.choices)
    rows = []
    for key, default in timer_defaults().items():
        setting = own.get(key)
        form = (bound or {}).get(key) or f.TimerForm(
            initial={"amount": setting.amount if setting else default.amount, "unit": setting.unit if setting else default.unit},
            prefix=key.replace(".", "-"),
        )
        rows.append({
            "key": key, "label": default.label, "default": f"{default.amount} {units.get(default.unit, default.unit)}",
            "setting": setting, "form": form,
        })
    return rows


@admin_view
def timers(request, committee):
    return render(request, "core/admin/timers.html", {"rows": _timer_rows(committee)})


@admin_view
@require_POST
def timer_set(request, committee, key):
    if key not in timer_defaults():
        raise Http404
    form = f.TimerForm(request.POST, prefix=key.replace(".", "-"))
    if form.is_valid():
        done, _row = _call(form, services.timer_set, actor=request.user, committee=committee, key=key,
                           amount=form.cleaned_data["amount"], unit=form.cleaned_data["unit"])
        if done:
            messages.success(request, _("Saved."))
            return redirect("core:admin_timers")
    return render(request, "core/admin/timers.html", {"rows": _timer_rows(committee, {key: form})}, status=422)


@admin_view
@require_POST
def timer_reset(request, committee, key):
    if key not in timer_defaults():
        raise Http404
    services.timer_reset(actor=request.user, committee=committee, key=key)
    messages.success(request, _("The default applies again."))
    return redirect("core:admin_timers")


# --- Holiday calendar ---------------------------------------------------------------------------


def _year(request) -> int:
    this_year = datetime.date.today().year
    try:
        year = int(request.GET.get("year") or request.POST.get("year") or this_year)
    except ValueError:
        year = this_year
    return min(max(year, 1990), this_year + 10)


@admin_view
def holidays(request, committee):
    allow_national = request.user.is_superuser
    year = _year(request)
    if request.method == "POST":
        form = f.HolidayForm(request.POST, allow_national=allow_national)
        if form.is_valid():
            data = form.cleaned_data
            done, row = _call(form, services.holiday_set, actor=request.user, date=data["date"],
                              is_working_day=data["is_working_day"], name=data["name"],
                              committee=None if data.get("national") else committee)
            if done:
                messages.success(request, _("Saved."))
                return redirect(f"{reverse('core:admin_calendar')}?year={row.date.year}")
    else:
        initial = {"is_working_day": "0"}
        chosen = Holiday.objects.filter(
            Q(committee__isnull=True) | Q(committee=committee), pk=_int(request.GET.get("edit"))
        ).first()
        if chosen is not None:
            initial = {"date": chosen.date, "is_working_day": "1" if chosen.is_working_day else "0",
                       "name": chosen.name, "national": chosen.committee_id is None}
        form = f.HolidayForm(initial=initial, allow_national=allow_national)
    rows = Holiday.objects.filter(Q(committee__isnull=True) | Q(committee=committee), date__year=year).order_by(
        "date", "committee_id"
    )
    return render(request, "core/admin/calendar.html", {
        "form": form, "rows": rows, "year": year, "prev_year": year - 1, "next_year": year + 1,
        "allow_national": allow_national,
    }, status=422 if form.errors else 200)


@admin_view
@require_POST
def holiday_delete(request, committee, pk):
    row = get_object_or_404(Holiday.objects.filter(Q(committee__isnull=True) | Q(committee=committee)), pk=pk)
    year = row.date.year
    try:
        services.holiday_delete(actor=request.user, committee=committee, holiday=row)
    except ServiceError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Deleted."))
    return redirect(f"{reverse('core:admin_calendar')}?year={year}")
