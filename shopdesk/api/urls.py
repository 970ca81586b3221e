from django.http import HttpRequest, JsonResponse
from django.urls import path, re_path
from django.views.decorators.csrf import csrf_exempt

from shopdesk.api.api import api


@csrf_exempt
def not_found(request: HttpRequest, rest: str = "") -> JsonResponse:
    # An unknown API path answers the API's error shape, not the site's HTML 404 page.
    return JsonResponse({"detail": "Not found.", "errors": []}, status=404)


urlpatterns = [
    path("", api.urls),
    re_path(r"^(?P<rest>.*)$", not_found),
]
