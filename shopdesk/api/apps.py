from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "shopdesk.api"
    label = "api"
