from django.apps import AppConfig


class TravelersConfig(AppConfig):
    name = "shopdesk.travelers"
    label = "travelers"
