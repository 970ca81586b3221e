"""Pages any app's views render for what went wrong, in the site's one error page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from shopdesk.core.errors import FileMissing


def file_missing_page(
    request: HttpRequest, missing: FileMissing, *, back_url: str, back_label: str
) -> HttpResponse:
    """The page a download answers when the stored file is gone: what happened, what to do."""
    return render(
        request,
        "error.html",
        {
            "status": missing.status,
            "title": "File missing",
            "message": missing.message,
            "back_url": back_url,
            "back_label": back_label,
        },
        status=missing.status,
    )
