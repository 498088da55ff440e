from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "xieshang.api"
    label = "api"
    verbose_name = _("REST API")

    def declare(self):
        from xieshang.core.registry import Declarations

        # A password change or reset revokes the user's tokens (core.sign_in.password_replace).
        return Declarations(credentials_changed=("xieshang.api.services.api_tokens_revoke_all",))
