from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsultationConfig(AppConfig):
    name = "xieshang.consultation"
    label = "consultation"
    verbose_name = _("consultation and meetings")

    def declare(self):
        """What the app adds to the platform (menu, to-dos, timers, deadlines, duty kinds)."""
        from .declarations import declarations

        return declarations()
