from django.urls import path

from shopdesk.imports import views

app_name = "imports"
urlpatterns = [
    path("", views.import_page, name="page"),
    path("check/", views.import_check, name="check"),
    path("<int:pending_id>/apply/", views.import_apply, name="apply"),
    path("templates/<str:kind>.<str:fmt>", views.import_template, name="template"),
]
