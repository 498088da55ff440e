"""The navigation of the interface shell, by role. Apps add their entries here (plain list, no registry)."""

from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from .models import Role

# (label, url name, roles that see it). Keep in the order of the menu.
NAV_ITEMS = [
    (_("Workbench"), "core:home", None),
    (_("My proposals"), "proposals:mine", {Role.MEMBER}),
    (_("Co-signing invitations"), "proposals:cosign_invitations", {Role.MEMBER}),
    (_("Proposals"), "proposals:list", {Role.STAFF, Role.ADMIN, Role.LEADER}),
    (_("Review queue"), "proposals:review", {Role.STAFF, Role.ADMIN}),
    (_("Unit inbox"), "proposals:unit_inbox", {Role.UNIT}),
    (_("Overdue board"), "proposals:overdue", {Role.STAFF, Role.ADMIN, Role.LEADER}),
    (_("Supervised proposals"), "proposals:supervised", {Role.LEADER}),
    (_("Statistics"), "reports:proposals", {Role.STAFF, Role.ADMIN, Role.LEADER}),
    (_("My exports"), "core:exports", {Role.STAFF, Role.ADMIN, Role.LEADER}),
    (_("Administration"), "core:admin_home", {Role.ADMIN}),
]


_MADE: dict[tuple, list[dict]] = {}
_HTML: dict[tuple, str] = {}


def _key(roles) -> tuple:
    from django.conf import settings
    from django.urls import get_script_prefix, get_urlconf
    from django.utils.translation import get_language

    return frozenset(roles), get_language(), get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF


def items_for(roles: set[str]) -> list[dict]:
    """The menu for these roles: made once per set of roles, language and URL prefix per process (every
    page shows it; eleven URL reversals a page otherwise)."""
    key = _key(roles)
    made = _MADE.get(key)
    if made is None:
        made = _MADE[key] = _make(roles)
    return made


def menu_html(roles: set[str], view_name: str | None) -> str:
    """The menu's links as HTML, the current page's marked: made once per set of roles, language, URL
    prefix and current view per process (the template loop cost every page ~0.1 ms)."""
    key = (_key(roles), view_name)
    html = _HTML.get(key)
    if html is None:
        html = _HTML[key] = mark_safe("".join(
            format_html('<a href="{}"{}>{}</a>', item["url"],
                        mark_safe(' aria-current="page"') if item["name"] == view_name else "", item["label"])
            for item in items_for(roles)
        ))
    return html


def _make(roles: set[str]) -> list[dict]:
    out = []
    for label, url_name, allowed in NAV_ITEMS:
        if allowed is not None and not (roles & allowed):
            continue
        try:
            url = reverse(url_name)
        except NoReverseMatch:
            continue
        out.append({"label": str(label), "url": url, "name": url_name})
    return out
