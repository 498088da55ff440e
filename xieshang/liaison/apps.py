from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LiaisonConfig(AppConfig):
    name = "xieshang.liaison"
    label = "liaison"
    verbose_name = _("line to the Party committee")

    def declare(self):
        """What the app adds to the platform (menu, to-dos, timers, deadlines, event labels, demo)."""
        from .declarations import declarations

        return declarations()
