from django.urls import path

from shopdesk.jobs.views import editing, pages

# Mounted by the project's urls under /jobs/ in the "jobs" namespace, together with the dispatch
# lists and the floor's and travelers' pages of a job (their fixed paths first): one set of names
# and paths, whichever app serves them.
app_name = "jobs"
urlpatterns = [
    path("", pages.job_list, name="list"),
    path("new/", editing.job_create, name="create"),
    path("work-centers/", editing.work_center_list, name="work_centers"),
    path("work-centers/new/", editing.work_center_create, name="work_center_create"),
    path("work-centers/<int:pk>/edit/", editing.work_center_edit, name="work_center_edit"),
    path("blockers/<int:blocker_id>/resolve/", pages.blocker_resolve, name="blocker_resolve"),
    path("<str:number>/", pages.job_detail, name="detail"),
    path("<str:number>/edit/", editing.job_edit, name="edit"),
    path("<str:number>/routing/add/", editing.operation_add, name="operation_add"),
    path("<str:number>/routing/<int:op_id>/edit/", editing.operation_edit, name="operation_edit"),
    path("<str:number>/routing/<int:op_id>/move/", editing.operation_move, name="operation_move"),
    path(
        "<str:number>/routing/<int:op_id>/remove/",
        editing.operation_remove,
        name="operation_remove",
    ),
    path("<str:number>/release/", pages.job_release, name="release"),
    path("<str:number>/unrelease/", pages.job_unrelease, name="unrelease"),
    path("<str:number>/ship/", pages.job_ship, name="ship"),
    path(
        "<str:number>/routing/<int:operation_id>/sent-out/",
        pages.operation_send_out,
        name="operation_send_out",
    ),
    path(
        "<str:number>/routing/<int:operation_id>/received/",
        pages.operation_receive,
        name="operation_receive",
    ),
    path("<str:number>/close/", pages.job_close, name="close"),
    path("<str:number>/material/", pages.job_material, name="material"),
    path("<str:number>/move-revision/", pages.job_move_revision, name="move_revision"),
    path("notices/<int:notice_id>/confirm/", pages.notice_confirm, name="notice_confirm"),
    path("notices/<int:notice_id>/dismiss/", pages.notice_dismiss, name="notice_dismiss"),
    path("<str:number>/blockers/new/", pages.blocker_raise, name="blocker_raise"),
]
