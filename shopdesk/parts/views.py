"""Parts: the searchable list, one part with its revisions, files and jobs, the planner's
create / edit forms, revisions (add, release), document upload and the private file view.
Writes go through parts.services."""

from __future__ import annotations

import json
import re
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.forms import Form
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shopdesk.core.errors import FileMissing, InvalidInput, ShopDeskError
from shopdesk.core.pages import file_missing_page
from shopdesk.customers.models import Customer
from shopdesk.parts import files, services
from shopdesk.parts.files import kind_for_name
from shopdesk.parts.forms import PartForm, RevisionForm
from shopdesk.parts.models import Document, DocumentKind, Part, PartRevision, RevisionStatus
from shopdesk.parts.selectors import (
    get_document_for,
    get_part_for,
    get_revision_for,
    open_jobs_needing_notice,
    part_jobs,
    part_revision_files,
    revision_documents,
)
from shopdesk.parts.selectors import part_list as select_parts
from shopdesk.parts.services.documents import upload_limit_bytes

PAGE_SIZE = 50
SEARCH_MAX_LENGTH = 100


def _require_planner(request: HttpRequest) -> None:
    membership = getattr(request, "membership", None)
    if membership is None or not membership.can_plan:
        raise PermissionDenied("Only an owner, office or supervisor account can change parts.")


def _show_error(form: Form, error: ShopDeskError) -> None:
    for item in error.errors:
        field = item.get("field")
        form.add_error(field if field in form.fields else None, item.get("message"))


def _customer_filter(raw: object) -> int | None:
    """The customer id to filter by; junk is ignored, another shop's id simply matches nothing."""
    text = str(raw or "").strip()
    return int(text) if text.isdigit() and len(text) <= 12 else None


def _render_part_list(
    request: HttpRequest, *, limit_error: ShopDeskError | None = None, status: int = 200
) -> HttpResponse:
    q = str(request.GET.get("q", ""))[:SEARCH_MAX_LENGTH].strip()
    customer_id = _customer_filter(request.GET.get("customer"))
    paginator = Paginator(select_parts(request.shop, q=q, customer_id=customer_id), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    customers = list(Customer.objects.filter(shop=request.shop).order_by("name").only("pk", "name"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "parts": page.object_list,
        "q": q,
        "customers": customers,
        "customer_id": customer_id,
        "query": query.urlencode(),
        "nav": "parts",
        "can_set_upload_limit": request.membership.can_supervise,
        "limit_error": limit_error,
    }
    return render(request, "parts/part_list.html", context, status=status)


@login_required
@require_GET
def part_list(request: HttpRequest) -> HttpResponse:
    return _render_part_list(request)


UPLOAD_LIMIT_PATTERN = re.compile(r"^[0-9]{1,5}$")


@login_required
@require_POST
def upload_limit(request: HttpRequest) -> HttpResponse:
    """Owners and supervisors set the largest document the shop accepts, from the parts list."""
    raw = str(request.POST.get("upload_limit_mb", "")).strip()[:20]
    try:
        if not UPLOAD_LIMIT_PATTERN.match(raw):
            raise InvalidInput(
                "The upload limit is a whole number of megabytes.", field="upload_limit_mb"
            )
        shop = services.shop_set_upload_limit(user=request.user, megabytes=int(raw))
    except ShopDeskError as error:
        return _render_part_list(request, limit_error=error, status=error.status)
    request.shop = shop
    messages.success(request, f"Documents up to {shop.upload_limit_mb} MB are accepted now.")
    return HttpResponseRedirect(reverse("parts:list"), status=303)


@login_required
@require_http_methods(["GET", "POST"])
def part_create(request: HttpRequest) -> HttpResponse:
    _require_planner(request)
    form = PartForm(request.POST or None, shop=request.shop)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                part = services.part_create(user=request.user, **form.cleaned_data)
            except ShopDeskError as error:
                _show_error(form, error)
                status = error.status
            else:
                messages.success(request, f"Part {part.number} rev {part.revision} created.")
                return HttpResponseRedirect(reverse("parts:detail", args=[part.pk]), status=303)
    return _render_form(request, form, None, status)


def _render_form(
    request: HttpRequest, form: PartForm, part: Part | None, status: int
) -> HttpResponse:
    context = {"form": form, "part": part, "nav": "parts"}
    return render(request, "parts/part_form.html", context, status=status)


@login_required
@require_GET
def part_detail(request: HttpRequest, pk: int) -> HttpResponse:
    part = get_part_for(request.shop, pk)
    return _render_detail(request, part)


def _render_detail(
    request: HttpRequest,
    part: Part,
    *,
    status: int = 200,
    revision_form: RevisionForm | None = None,
    upload_errors: dict[int, list[str]] | None = None,
) -> HttpResponse:
    revisions = part_revision_files(part)
    for row in revisions:
        row.errors = (upload_errors or {}).get(row.revision.pk, [])
    context = {
        "part": part,
        "jobs": part_jobs(part),
        "revisions": revisions,
        "revision_form": revision_form or RevisionForm(),
        "kinds": DocumentKind.choices,
        "kind_map": json.dumps(files.KIND_FOR_EXTENSION),
        "upload_limit_mb": request.shop.upload_limit_mb,
        "upload_limit_bytes": upload_limit_bytes(request.shop),
        "nav": "parts",
    }
    return render(request, "parts/part_detail.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def part_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _require_planner(request)
    part = get_part_for(request.shop, pk)
    if request.method == "GET":
        initial = {
            "number": part.number,
            "description": part.description,
            "material": part.material,
            "customer": part.customer_id,
        }
        form = PartForm(shop=request.shop, initial=initial, editing=True)
        return _render_form(request, form, part, 200)
    form = PartForm(request.POST, shop=request.shop, editing=True)
    status = 422
    if form.is_valid():
        try:
            part = services.part_update(user=request.user, part=part, **form.cleaned_data)
        except ShopDeskError as error:
            _show_error(form, error)
            status = error.status
        else:
            messages.success(request, f"Part {part.number} saved.")
            return HttpResponseRedirect(reverse("parts:detail", args=[part.pk]), status=303)
    return _render_form(request, form, part, status)


# ---------------------------------------------------------------------------------------------
# Revisions and documents


def _wants_json(request: HttpRequest) -> bool:
    # The upload script asks for JSON; a plain form post (no JavaScript) gets a page.
    return "application/json" in request.headers.get("Accept", "")


@login_required
@require_POST
def revision_create(request: HttpRequest, pk: int) -> HttpResponse:
    _require_planner(request)
    part = get_part_for(request.shop, pk)
    form = RevisionForm(request.POST)
    if form.is_valid():
        try:
            revision = services.revision_create(
                user=request.user,
                part=part,
                code=form.cleaned_data["code"],
                note=form.cleaned_data["note"],
            )
        except ShopDeskError as error:
            for item in error.errors:
                field = {"revision": "code"}.get(item.get("field") or "", item.get("field"))
                form.add_error(field if field in form.fields else None, item.get("message"))
            return _render_detail(request, part, status=error.status, revision_form=form)
        messages.success(
            request,
            f"Revision {revision.code} added as a draft. Upload its files, then release it.",
        )
        return HttpResponseRedirect(reverse("parts:detail", args=[part.pk]), status=303)
    return _render_detail(request, part, status=422, revision_form=form)


@login_required
@require_http_methods(["GET", "POST"])
def revision_release(request: HttpRequest, pk: int, revision_id: int) -> HttpResponse:
    """GET: the confirm step (which open jobs get a notice of change). POST: release."""
    _require_planner(request)
    part = get_part_for(request.shop, pk)
    revision = get_revision_for(request.shop, revision_id, part=part)
    jobs = open_jobs_needing_notice(revision)
    error = None
    status = 200
    if request.method == "POST":
        try:
            services.revision_release(user=request.user, revision=revision)
        except ShopDeskError as refused:
            error, status = refused.message, refused.status
        else:
            noticed = f" {len(jobs)} open job{pluralize(len(jobs))} got a notice of change."
            messages.success(
                request,
                f"Revision {revision.code} released."
                + (noticed if jobs else " No open job was on an older revision."),
            )
            return HttpResponseRedirect(reverse("parts:detail", args=[part.pk]), status=303)
    documents = revision_documents(revision)
    context = {
        "part": part,
        "revision": revision,
        "jobs": jobs,
        "documents": documents,
        "has_drawing": any(doc.kind == DocumentKind.DRAWING for doc in documents),
        "released": PartRevision.objects.filter(part=part, status=RevisionStatus.RELEASED).first(),
        "error": error,
        "nav": "parts",
    }
    return render(request, "parts/revision_release.html", context, status=status)


def _kind_for(raw: str, name: str) -> str:
    # "auto" (the no-JavaScript form's default) picks the kind from the file's extension.
    return kind_for_name(name) if raw in ("", "auto") else raw


def _document_json(document: Document) -> dict[str, Any]:
    return {
        "id": document.pk,
        "name": document.name,
        "kind": document.kind,
        "version": document.version,
        "size": document.stored.size,
        "content_type": document.stored.content_type,
        "sha256": document.stored.sha256,
        "url": reverse("parts:document_file", args=[document.pk]),
    }


def _error_json(error: ShopDeskError) -> JsonResponse:
    return JsonResponse({"detail": error.message, "errors": error.errors}, status=error.status)


@login_required
@require_POST
def document_upload(request: HttpRequest, pk: int, revision_id: int) -> HttpResponse:
    """One or more files (`file`, repeated) onto a revision. The upload script sends one file
    per request with its own kind and asks for JSON; the plain form sends them all at once."""
    _require_planner(request)
    part = get_part_for(request.shop, pk)
    revision = get_revision_for(request.shop, revision_id, part=part)
    uploads = request.FILES.getlist("file")
    raw_kind = str(request.POST.get("kind", "auto"))
    if not uploads:
        error = InvalidInput("Choose at least one file to upload.", field="file")
        if _wants_json(request):
            return _error_json(error)
        return _render_detail(
            request, part, status=422, upload_errors={revision.pk: [error.message]}
        )
    stored: list[Document] = []
    refused: list[str] = []
    status = 422
    for upload in uploads:
        try:
            stored.append(
                services.document_upload(
                    user=request.user,
                    revision=revision,
                    upload=upload,
                    kind=_kind_for(raw_kind, upload.name or ""),
                )
            )
        except ShopDeskError as error:
            if _wants_json(request):
                return _error_json(error)
            refused.append(
                f"{files.safe_name(upload.name, sha256='', content_type='')}: {error.message}"
            )
            status = error.status
    if _wants_json(request):
        return JsonResponse({"documents": [_document_json(doc) for doc in stored]}, status=201)
    if stored:
        names = ", ".join(doc.name for doc in stored)
        messages.success(request, f"Uploaded to rev {revision.code}: {names}.")
    if refused:
        return _render_detail(request, part, status=status, upload_errors={revision.pk: refused})
    return HttpResponseRedirect(reverse("parts:detail", args=[part.pk]), status=303)


@login_required
@require_POST
def document_replace(request: HttpRequest, document_id: int) -> HttpResponse:
    """A new version of a document (the old one stays in the history)."""
    _require_planner(request)
    document = get_document_for(request.shop, document_id)
    part = document.revision.part
    upload = request.FILES.get("file")
    try:
        if upload is None:
            raise InvalidInput("Choose the file with the new version.", field="file")
        new = services.document_upload(
            user=request.user,
            revision=document.revision,
            upload=upload,
            kind=document.kind,
            replaces=document,
        )
    except ShopDeskError as error:
        if _wants_json(request):
            return _error_json(error)
        return _render_detail(
            request,
            part,
            status=error.status,
            upload_errors={document.revision_id: [f"{document.name}: {error.message}"]},
        )
    if _wants_json(request):
        return JsonResponse({"documents": [_document_json(new)]}, status=201)
    messages.success(request, f"{new.name} is now version {new.version}.")
    return HttpResponseRedirect(reverse("parts:detail", args=[part.pk]), status=303)


@login_required
@require_GET
def document_file(request: HttpRequest, document_id: int) -> HttpResponse:
    """Any person of the shop may open a document (operators need drawings on the floor);
    another shop's id is 404."""
    if request.shop is None:
        raise PermissionDenied("This account does not belong to a shop.")
    document = get_document_for(request.shop, document_id)
    try:
        return files.file_response(document)
    except FileMissing as missing:
        return file_missing_page(
            request,
            missing,
            back_url=reverse("parts:detail", args=[document.revision.part_id]),
            back_label="Back to the part",
        )
