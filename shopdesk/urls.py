"""The project's URLs. Pages of one area served by several apps share a namespace here, so
names and paths do not depend on which app serves them; fixed paths come before the
/jobs/<number>/ and /t/<token>/ catch-alls."""

from django.urls import include, path

from shopdesk.dispatch import urls as dispatch_urls
from shopdesk.floor import urls as floor_urls
from shopdesk.jobs import urls as jobs_urls
from shopdesk.travelers import urls as travelers_urls

job_pages = (
    dispatch_urls.job_urlpatterns
    + floor_urls.job_urlpatterns
    + travelers_urls.job_urlpatterns
    + jobs_urls.urlpatterns
)
traveler_pages = travelers_urls.urlpatterns + floor_urls.traveler_urlpatterns

urlpatterns = [
    path("", include("shopdesk.core.urls")),
    path("", include(floor_urls.kiosk_urlpatterns)),
    path("jobs/", include((job_pages, "jobs"))),
    path("customers/", include("shopdesk.customers.urls")),
    path("parts/", include("shopdesk.parts.urls")),
    path("t/", include((traveler_pages, "travelers"))),
    path("imports/", include("shopdesk.imports.urls")),
    path("exports/", include("shopdesk.imports.export_urls")),
    path("api/v1/", include("shopdesk.api.urls")),
]
