from django.urls import path

from shopdesk.parts import views

app_name = "parts"
urlpatterns = [
    path("", views.part_list, name="list"),
    path("new/", views.part_create, name="create"),
    path("upload-limit/", views.upload_limit, name="upload_limit"),
    path("<int:pk>/", views.part_detail, name="detail"),
    path("<int:pk>/edit/", views.part_edit, name="edit"),
    path("<int:pk>/revisions/", views.revision_create, name="revision_create"),
    path(
        "<int:pk>/revisions/<int:revision_id>/release/",
        views.revision_release,
        name="revision_release",
    ),
    path(
        "<int:pk>/revisions/<int:revision_id>/documents/",
        views.document_upload,
        name="document_upload",
    ),
    path("documents/<int:document_id>/", views.document_file, name="document_file"),
    path(
        "documents/<int:document_id>/replace/",
        views.document_replace,
        name="document_replace",
    ),
]
