from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GrassrootsConfig(AppConfig):
    name = "xieshang.grassroots"
    label = "grassroots"
    verbose_name = _("grassroots consultation")

    def declare(self):
        """What the app adds to the platform (menu, to-dos, timers, deadlines, duty kinds, search, jobs …)."""
        from .declarations import declarations

        return declarations()
