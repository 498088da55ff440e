from django.apps import AppConfig


class ProposalsConfig(AppConfig):
    name = "xieshang.proposals"
    label = "proposals"
