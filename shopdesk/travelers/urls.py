from django.urls import path

from shopdesk.travelers import batch_views, views

app_name = "travelers"
urlpatterns = [
    # Before the floor's scan route (/t/<token>/): a token is 22 random characters, never
    # "batches".
    path("batches/", batch_views.batch_list, name="batches"),
    path("batches/new/", batch_views.batch_start, name="batch_start"),
    path("batches/<int:batch_id>/", batch_views.batch_detail, name="batch"),
    path("batches/<int:batch_id>/retry/", batch_views.batch_retry, name="batch_retry"),
    path("batches/<int:batch_id>/travelers.pdf", batch_views.batch_pdf, name="batch_pdf"),
]

# A job's travelers, served under /jobs/<number>/travelers/ in the "jobs" namespace.
job_urlpatterns = [
    path("<str:number>/travelers/print/", views.traveler_print, name="traveler_print"),
    path(
        "<str:number>/travelers/<int:traveler_id>.pdf",
        views.traveler_pdf,
        name="traveler_pdf",
    ),
    path(
        "<str:number>/travelers/<int:traveler_id>/revoke/",
        views.traveler_revoke,
        name="traveler_revoke",
    ),
]
