from django.urls import path

from shopdesk.jobs.views import dispatch, editing, floor, pages
from shopdesk.travelers import views as traveler_views

app_name = "jobs"
urlpatterns = [
    path("", pages.job_list, name="list"),
    path("new/", editing.job_create, name="create"),
    path("work-centers/", editing.work_center_list, name="work_centers"),
    path("work-centers/new/", editing.work_center_create, name="work_center_create"),
    path("work-centers/<int:pk>/edit/", editing.work_center_edit, name="work_center_edit"),
    path("blockers/<int:blocker_id>/resolve/", pages.blocker_resolve, name="blocker_resolve"),
    path("work-centers/<int:pk>/dispatch/", dispatch.dispatch_page, name="dispatch"),
    path(
        "work-centers/<int:pk>/dispatch/<int:op_id>/move/",
        dispatch.dispatch_move,
        name="dispatch_move",
    ),
    path("work-centers/<int:pk>/dispatch/reset/", dispatch.dispatch_reset, name="dispatch_reset"),
    path("board/", dispatch.board, name="board"),
    path("dashboard/", dispatch.dashboard, name="dashboard"),
    path("scan/", floor.scan_page, name="scan"),
    path("floor-sw.js", floor.floor_service_worker, name="floor_sw"),
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
    # Released files (issue 3): material status, moving revisions, notices of change.
    path("<str:number>/material/", pages.job_material, name="material"),
    path("<str:number>/move-revision/", pages.job_move_revision, name="move_revision"),
    path("notices/<int:notice_id>/confirm/", pages.notice_confirm, name="notice_confirm"),
    path("notices/<int:notice_id>/dismiss/", pages.notice_dismiss, name="notice_dismiss"),
    path("<str:number>/blockers/new/", pages.blocker_raise, name="blocker_raise"),
    path("<str:number>/floor/", floor.floor_page, name="floor"),
    path("<str:number>/floor/action/", floor.floor_action, name="floor_action"),
    path("<str:number>/floor/blocker/", floor.floor_blocker, name="floor_blocker"),
    path("<str:number>/travelers/print/", traveler_views.traveler_print, name="traveler_print"),
    path(
        "<str:number>/travelers/<int:traveler_id>.pdf",
        traveler_views.traveler_pdf,
        name="traveler_pdf",
    ),
    path(
        "<str:number>/travelers/<int:traveler_id>/revoke/",
        traveler_views.traveler_revoke,
        name="traveler_revoke",
    ),
]
