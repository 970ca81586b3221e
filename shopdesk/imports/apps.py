from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "shopdesk.imports"
    label = "imports"
