"""The app's URLs plus the bench's Django floor, for the bench's server only (bench.settings).

The floor is the cheapest request Django serves here: the same gunicorn, the same middleware,
one query and a small JSON answer. The scans are reported against it, so a report says what
share of this machine's Django speed a scan gets, whatever the machine.
"""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.urls import path

from shopdesk.core.models import Shop
from shopdesk.urls import urlpatterns as app_urlpatterns


def django_floor(request: HttpRequest) -> JsonResponse:
    shop = Shop.objects.filter(slug="bench").values("id", "name").first()
    return JsonResponse({"shop": shop})


urlpatterns = [path("bench/floor/", django_floor, name="bench_floor"), *app_urlpatterns]
