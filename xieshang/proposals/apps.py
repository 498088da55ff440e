from django.apps import AppConfig


class ProposalsConfig(AppConfig):
    name = "xieshang.proposals"
    label = "proposals"

    def declare(self):
        """What proposals add to the platform (xieshang.core.registry), from declarations.py."""
        from xieshang.core.registry import Declarations

        from .declarations import DEADLINE_KINDS, DUTY_KINDS, SEARCH_KINDS

        return Declarations(deadline_kinds=DEADLINE_KINDS, duty_kinds=DUTY_KINDS, search_kinds=SEARCH_KINDS)
