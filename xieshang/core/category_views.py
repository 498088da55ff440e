"""The screen of a committee's category list (/categories/, issue #16): office staff and administrators add,
rename, reorder, take out of use and (while unused) delete categories. Thin: a form, one service of
`core.categories`, the page again. Anyone else gets 404 (the page does not exist for them)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_POST

from . import audit, categories
from .errors import ServiceError
from .models import Category, Role
from .screens import committee_or_404, form_error, require_roles, screen
from .text import text_field

OFFICE = (Role.ADMIN, Role.STAFF)


class CategoryForm(forms.Form):
    name = text_field(categories.NAME_MAX, label=gettext_lazy("Name"), single_line=True,
                      help_text=gettext_lazy("As the committee writes it (shown everywhere, and in documents)."))
    name_en = text_field(categories.NAME_EN_MAX, label=gettext_lazy("English name"), single_line=True, required=False,
                         help_text=gettext_lazy("Optional: shown to readers who chose English."))


class NewCategoryForm(CategoryForm):
    code = forms.CharField(label=pgettext_lazy("category", "Code"), max_length=categories.CODE_MAX, required=False,
                           help_text=gettext_lazy("Optional: lower-case letters and digits, kept in exports and the "
                                                  "API; made up when empty. It never changes."))


def _office_committee(request):
    committee = committee_or_404(request)
    require_roles(request, OFFICE)
    return committee


def _uses(committee) -> dict[str, int]:
    """{code: records filed under it}, over every app's categorised records (one query per kind)."""
    counts: dict[str, int] = {}
    for model in categories.categorized_models():
        rows = model._default_manager.filter(committee=committee).values("category").annotate(n=Count("pk")).order_by()
        for row in rows:
            counts[row["category"]] = counts.get(row["category"], 0) + row["n"]
    return counts


def _list(request, committee, form=None, status=200):
    rows = list(Category.objects.filter(committee=committee).order_by("position", "id"))
    uses = _uses(committee)
    for row in rows:
        row.uses = uses.get(row.code, 0)
    stored = bool(rows)
    if not stored:  # a committee without its own rows yet: the default list stands in (read only until a change)
        rows = [Category(code=e.code, name=e.name, name_en=e.name_en, position=e.position)
                for e in categories.catalogue(committee).entries]
        for row in rows:
            row.uses = uses.get(row.code, 0)
    return render(request, "core/categories/list.html", {
        "rows": rows, "stored": stored, "form": form or NewCategoryForm(), "picker_over": categories.PICKER_OVER,
    }, status=status)


@screen
def category_list(request):
    committee = _office_committee(request)
    if request.method != "POST":
        return _list(request, committee)
    form = NewCategoryForm(request.POST)
    if form.is_valid():
        try:
            row = categories.category_create(actor=request.user, committee=committee, **form.cleaned_data)
        except ServiceError as exc:
            form_error(request, form, exc)
        else:
            messages.success(request, _("The category “%(name)s” was added.") % {"name": row.name})
            return redirect("core:categories")
    return _list(request, committee, form, status=422)


@screen
def category_edit(request, pk):
    committee = _office_committee(request)
    row = get_object_or_404(Category, committee=committee, pk=pk)
    if request.method == "POST":
        form = CategoryForm(request.POST)
        if form.is_valid():
            try:
                categories.category_update(actor=request.user, committee=committee, category=row, **form.cleaned_data)
            except ServiceError as exc:
                form_error(request, form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect("core:categories")
    else:
        form = CategoryForm(initial={"name": row.name, "name_en": row.name_en})
    return render(request, "core/categories/edit.html", {
        "form": form, "row": row, "events": audit.timeline(row), "back": reverse("core:categories"),
    }, status=422 if form.errors else 200)


@screen
@require_POST
def category_action(request, pk, action):
    """move up / move down / out of use / back in use / delete: one POST button each."""
    committee = _office_committee(request)
    row = get_object_or_404(Category, committee=committee, pk=pk)
    calls = {
        "up": lambda: categories.category_move(actor=request.user, committee=committee, category=row, direction="up"),
        "down": lambda: categories.category_move(actor=request.user, committee=committee, category=row, direction="down"),
        "deactivate": lambda: categories.category_set_active(actor=request.user, committee=committee, category=row,
                                                             active=False),
        "activate": lambda: categories.category_set_active(actor=request.user, committee=committee, category=row,
                                                           active=True),
        "delete": lambda: categories.category_delete(actor=request.user, committee=committee, category=row),
    }
    if action not in calls:
        raise Http404
    try:
        calls[action]()
    except ServiceError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Deleted.") if action == "delete" else _("Saved."))
    return redirect("core:categories")


@screen
@require_POST
def category_list_store(request):
    """Turn the default list a committee reads into its own rows (before the first change of a row)."""
    committee = _office_committee(request)
    categories.seed(committee)
    return redirect("core:categories")
