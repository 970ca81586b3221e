from django.apps import AppConfig


class FloorConfig(AppConfig):
    """The floor: floor actions (scans), labor, the kiosk and the offline protocol."""

    name = "shopdesk.floor"
    label = "floor"

    def ready(self) -> None:
        from shopdesk.core.live_sections import live_sections
        from shopdesk.floor.sections import floor_notes_section

        # The notes operators wrote, on the live job page.
        live_sections.register(floor_notes_section)
