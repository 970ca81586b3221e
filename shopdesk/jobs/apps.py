from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "shopdesk.jobs"
    label = "jobs"
