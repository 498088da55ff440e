from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspectionsConfig(AppConfig):
    name = "xieshang.inspections"
    label = "inspections"
    verbose_name = _("inspections and democratic supervision")

    def declare(self):
        """What the app adds to the platform (menu, to-dos, timers, deadlines, duty kinds, demo)."""
        from .declarations import declarations

        return declarations()
