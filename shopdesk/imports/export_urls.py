from django.urls import path

from shopdesk.imports import export_views

app_name = "exports"
urlpatterns = [
    path("jobs.<str:fmt>", export_views.export_jobs, name="jobs"),
    path("operations.<str:fmt>", export_views.export_operations, name="operations"),
    path("blockers.<str:fmt>", export_views.export_blockers, name="blockers"),
    path("labor.<str:fmt>", export_views.export_labor, name="labor"),
]
