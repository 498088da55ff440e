from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "xieshang.reports"
    label = "reports"

    def declare(self):
        """What the reports app adds to the platform (xieshang.core.registry): its menu entry."""
        from django.utils.translation import gettext_lazy as _

        from xieshang.core.models import Role
        from xieshang.core.registry import Declarations, NavItem

        return Declarations(nav=(
            NavItem(_("Statistics"), "reports:proposals", frozenset({Role.STAFF, Role.ADMIN, Role.LEADER}), order=800),
            NavItem(_("Opinion report statistics"), "reports:opinions", frozenset({Role.STAFF, Role.ADMIN, Role.LEADER}),
                    order=810),
            NavItem(_("Hot topics"), "reports:hot", frozenset({Role.STAFF, Role.ADMIN, Role.LEADER}), order=815),
        ))
