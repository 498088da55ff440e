from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TextConfig(AppConfig):
    name = "xieshang.text"
    label = "text"
    verbose_name = _("Text intelligence")

    def declare(self):
        """The nightly training job and the acceptance page (xieshang.text.declarations)."""
        from .declarations import declarations

        return declarations()
