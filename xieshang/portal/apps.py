from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "xieshang.portal"
    label = "portal"
