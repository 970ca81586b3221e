from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo shops and `manage.py load_demo`. On top of every app: it may use them all."""

    name = "shopdesk.demo"
    label = "demo"
