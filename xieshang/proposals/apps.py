from django.apps import AppConfig


class ProposalsConfig(AppConfig):
    name = "xieshang.proposals"
    label = "proposals"

    def declare(self):
        """What proposals add to the platform (xieshang.core.registry): menu entries, to-dos, the periodic job,
        timers, export kinds, timeline labels, organisation-change handler, deadline, duty and search kinds —
        one Declarations, made in declarations.py."""
        from .declarations import declarations

        return declarations()
