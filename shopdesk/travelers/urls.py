from django.urls import path

from shopdesk.travelers import views

app_name = "travelers"
urlpatterns = [
    path("<str:token>/", views.traveler_scan, name="scan"),
]
