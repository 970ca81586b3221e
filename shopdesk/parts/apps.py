from django.apps import AppConfig


class PartsConfig(AppConfig):
    name = "shopdesk.parts"
    label = "parts"
