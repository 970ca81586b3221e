"""Dispatch lists, the board and the dashboard. Mounted by the project's urls under /jobs/ in
the "jobs" namespace, so every name and path is what it was when they lived in jobs."""

from django.urls import path

from shopdesk.dispatch import views

job_urlpatterns = [
    path("work-centers/<int:pk>/dispatch/", views.dispatch_page, name="dispatch"),
    path(
        "work-centers/<int:pk>/dispatch/<int:op_id>/move/",
        views.dispatch_move,
        name="dispatch_move",
    ),
    path("work-centers/<int:pk>/dispatch/reset/", views.dispatch_reset, name="dispatch_reset"),
    path("board/", views.board, name="board"),
    path("dashboard/", views.dashboard, name="dashboard"),
]
