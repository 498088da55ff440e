from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpinionsConfig(AppConfig):
    name = "xieshang.opinions"
    label = "opinions"
    verbose_name = _("opinion reports")

    def declare(self):
        """What the app adds to the platform (menu, to-dos, timers, deadlines, duty kinds, search …)."""
        from .declarations import declarations

        return declarations()
