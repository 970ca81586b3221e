from django.apps import AppConfig


class DispatchConfig(AppConfig):
    """Work centers' dispatch lists and their reordering, the board and the dashboard."""

    name = "shopdesk.dispatch"
    label = "dispatch"
