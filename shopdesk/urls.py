from django.urls import include, path

urlpatterns = [
    path("", include("shopdesk.core.urls")),
    path("jobs/", include("shopdesk.jobs.urls")),
    path("customers/", include("shopdesk.customers.urls")),
    path("parts/", include("shopdesk.parts.urls")),
    path("t/", include("shopdesk.travelers.urls")),
    path("imports/", include("shopdesk.imports.urls")),
    path("exports/", include("shopdesk.imports.export_urls")),
    path("api/v1/", include("shopdesk.api.urls")),
]
