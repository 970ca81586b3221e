"""The floor's pages. Mounted by the project's urls: job_urlpatterns under /jobs/ (the "jobs"
namespace), traveler_urlpatterns under /t/ (the "travelers" namespace), kiosk_urlpatterns at
the root, so every name and path is what it was when these pages lived in jobs and core."""

from django.urls import path

from shopdesk.floor import kiosk, views

job_urlpatterns = [
    path("scan/", views.scan_page, name="scan"),
    path("floor-sw.js", views.floor_service_worker, name="floor_sw"),
    path("<str:number>/floor/", views.floor_page, name="floor"),
    path("<str:number>/floor/action/", views.floor_action, name="floor_action"),
    path("<str:number>/floor/blocker/", views.floor_blocker, name="floor_blocker"),
]

traveler_urlpatterns = [
    path("<str:token>/", views.traveler_scan, name="scan"),
]

kiosk_urlpatterns = [
    path("kiosk/", kiosk.kiosk_home, name="kiosk"),
    path("kiosk/setup/", kiosk.kiosk_setup, name="kiosk_setup"),
    path("kiosk/sign-in/", kiosk.kiosk_sign_in, name="kiosk_sign_in"),
    path("kiosk/sign-out/", kiosk.kiosk_sign_out, name="kiosk_sign_out"),
    path("kiosk/work-centers/", kiosk.kiosk_work_centers, name="kiosk_work_centers"),
    path("kiosk/work-centers/<int:pk>/", kiosk.kiosk_queue, name="kiosk_queue"),
]
