from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "shopdesk.jobs"
    label = "jobs"

    def ready(self) -> None:
        from shopdesk.core.gates import release_checks
        from shopdesk.core.live_sections import live_sections
        from shopdesk.jobs.sections import floor_notes_section
        from shopdesk.jobs.services.jobs import job_ready_check

        release_checks.register("jobs.ready", job_ready_check, order=20)
        live_sections.register(floor_notes_section)
