"""What the opinions app adds to the platform (read by xieshang.core.registry through OpinionsConfig.declare)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from xieshang.core.registry import Declarations, NavItem


def declarations() -> Declarations:
    return Declarations(
        nav=(
            NavItem(_("My opinion reports"), "opinions:mine", frozenset({"member", "station"}), order=210),
            NavItem(_("Opinion reports"), "opinions:list", frozenset({"staff", "admin", "leader"}), order=220),
            NavItem(_("Reports to approve"), "opinions:approvals", frozenset({"leader"}), order=230),
            NavItem(_("Commissioned topics"), "opinions:commissions", frozenset({"staff", "admin", "member"}), order=240),
        ),
    )
