from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "xieshang.members"
    label = "members"
    verbose_name = _("members' duty")

    def declare(self):
        """What the app adds to the platform (menu entries)."""
        from .declarations import declarations

        return declarations()
