from django.apps import AppConfig


class FloorConfig(AppConfig):
    """The floor: floor actions (scans), labor, the kiosk and the offline protocol."""

    name = "shopdesk.floor"
    label = "floor"
