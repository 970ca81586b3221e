from django.urls import path

from shopdesk.travelers import batch_views, views

app_name = "travelers"
urlpatterns = [
    # Batches come before the scan route: a token is 22 random characters, never "batches".
    path("batches/", batch_views.batch_list, name="batches"),
    path("batches/new/", batch_views.batch_start, name="batch_start"),
    path("batches/<int:batch_id>/", batch_views.batch_detail, name="batch"),
    path("batches/<int:batch_id>/retry/", batch_views.batch_retry, name="batch_retry"),
    path("batches/<int:batch_id>/travelers.pdf", batch_views.batch_pdf, name="batch_pdf"),
    path("<str:token>/", views.traveler_scan, name="scan"),
]
