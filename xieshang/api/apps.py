from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "xieshang.api"
    label = "api"
