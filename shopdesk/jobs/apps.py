from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "shopdesk.jobs"
    label = "jobs"

    def ready(self) -> None:
        from shopdesk.jobs.services.notices import notices_raise_for_release
        from shopdesk.parts.services.revisions import on_revision_released

        # Releasing a part's revision gives every open job on an older one a notice of change.
        on_revision_released(notices_raise_for_release)
