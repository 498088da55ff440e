"""The menu of the interface shell, by role: core's own entries and those the apps declare
(`Declarations.nav`, read through `xieshang.core.registry`). base.html renders it with a template loop."""

from django.conf import settings
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.translation import gettext_lazy as _

from . import registry
from .models import Role
from .registry import NavItem

# Core's own entries; the apps' come from their declarations. `order`: the workbench first, administration last.
CORE_ITEMS = (
    NavItem(_("Workbench"), "core:home", None, order=0),
    NavItem(_("My exports"), "core:exports", frozenset({Role.STAFF, Role.ADMIN, Role.LEADER}), order=900),
    NavItem(_("Categories"), "core:categories", frozenset({Role.STAFF, Role.ADMIN}), order=950),
    NavItem(_("Administration"), "core:admin_home", frozenset({Role.ADMIN}), order=1000),
)

# URL name -> its URL (None: the page does not exist in this URL configuration), per URL prefix and configuration.
_URLS: dict[tuple, str | None] = {}


def all_items() -> list[NavItem]:
    """Every entry of the menu, in its order (core's and the apps', stable within an order)."""
    return sorted([*CORE_ITEMS, *registry.nav_items()], key=lambda item: item.order)


def _url(url_name: str) -> str | None:
    key = (url_name, get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)
    if key not in _URLS:
        try:
            _URLS[key] = reverse(url_name)
        except NoReverseMatch:
            _URLS[key] = None
    return _URLS[key]


def items_for(roles: set[str]) -> list[dict]:
    """The menu for these roles: [{"label", "url", "name"}], skipping pages that do not exist (an app not
    deployed). The label is translated when the template shows it."""
    out = []
    for item in all_items():
        if item.roles is not None and not (roles & item.roles):
            continue
        url = _url(item.url_name)
        if url is not None:
            out.append({"label": item.label, "url": url, "name": item.url_name})
    return out
