from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "xieshang.core"
    label = "core"
    verbose_name = _("Organisation and platform")

    def declare(self):
        """What core itself adds, declared as every app declares it (core.registry)."""
        from .registry import Declarations

        return Declarations(event_labels={"category": "xieshang.core.categories.event_label"})

    def ready(self):
        from . import checks  # noqa: F401 - registers core's system checks
        # Infrastructure, not a business rule: every new database connection gets the audit
        # table's guard function (SQLite) / purge switch state (PostgreSQL).
        from django.db.backends.signals import connection_created

        from .audit import install_sqlite_guard

        connection_created.connect(install_sqlite_guard, dispatch_uid="xieshang_audit_guard")
