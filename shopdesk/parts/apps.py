from django.apps import AppConfig


class PartsConfig(AppConfig):
    name = "shopdesk.parts"
    label = "parts"

    def ready(self) -> None:
        # Parts plugs into the job spine's seams (core) without importing jobs.
        from shopdesk.core.gates import release_checks
        from shopdesk.core.live_sections import live_sections
        from shopdesk.parts.gate_checks import released_drawing_check
        from shopdesk.parts.sections import released_files_section

        release_checks.register("parts.released_drawing", released_drawing_check, order=10)
        live_sections.register(released_files_section)
