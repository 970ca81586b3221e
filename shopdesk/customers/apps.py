from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "shopdesk.customers"
    label = "customers"
