from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "shopdesk.jobs"
    label = "jobs"

    def ready(self) -> None:
        from shopdesk.core.gates import release_checks
        from shopdesk.jobs.services.jobs import job_ready_check
        from shopdesk.jobs.services.notices import notices_on_revision_released
        from shopdesk.parts.services.revisions import revision_released

        release_checks.register("jobs.ready", job_ready_check, order=20)
        # Releasing a part's revision gives every open job on an older one a notice of change.
        revision_released.subscribe(notices_on_revision_released)
