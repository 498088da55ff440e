from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "xieshang.reports"
    label = "reports"
