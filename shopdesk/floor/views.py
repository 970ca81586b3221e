"""The floor page: one job on a phone, gloves on. Start, pause and finish operations, add a
note, raise a blocker. Every form carries a client id made at render time, so a retried or
double-submitted form is a replay the service answers once."""

from __future__ import annotations

import json
import re
import uuid
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from shopdesk.core.errors import InvalidInput, ShopDeskError
from shopdesk.core.models import Membership
from shopdesk.floor import services as floor_services
from shopdesk.jobs import labor as labor_selectors
from shopdesk.jobs import live, services
from shopdesk.jobs.models import (
    BlockerKind,
    FloorActionKind,
    Job,
    JobState,
    LaborEntry,
    Operation,
    OperationStatus,
)
from shopdesk.jobs.selectors import (
    get_job_for,
    get_operation_on_job,
    parse_job_number,
)
from shopdesk.parts.models import PartRevision
from shopdesk.parts.selectors import released_files, with_links
from shopdesk.travelers.selectors import get_traveler_for_scan, newer_print_of

# More digits than any job holds: refused here, before int() builds a huge number.
QUANTITY_PATTERN = re.compile(r"^\d{1,9}$")
# Nine digits stay inside every id column's range (users' ids are 32-bit).
ID_PATTERN = re.compile(r"^\d{1,9}$")
NOTE_MAX_LENGTH = 2000
FLOOR_BLOCKER_DEFAULT_NOTE = "Raised from the floor without details."
# Flash messages a JSON caller's sends leave for the next page it shows (the newest ones).
JSON_MESSAGES_KEPT = 5


def _can_pause_for_everyone(request: HttpRequest) -> bool:
    membership = getattr(request, "membership", None)
    return membership is not None and membership.can_supervise


def _client_id() -> str:
    return uuid.uuid4().hex


def _wants_json(request: HttpRequest) -> bool:
    # floor.js asks for JSON; a plain form post (no JS) gets a redirect or a page.
    return "application/json" in request.headers.get("Accept", "")


def _floor_url(job: Job) -> str:
    return reverse("jobs:floor", args=[job.display_number])


def _back_url(request: HttpRequest, job: Job) -> str:
    """Where a plain form post returns to: the page it came from (the floor page or the scan
    page of a traveler), never another site."""
    target = str(request.POST.get("next", ""))
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return _floor_url(job)


def _routing_for_floor(
    request: HttpRequest, job: Job, *, pause_for_everyone: bool
) -> list[Operation]:
    operations = list(
        job.operations.select_related("work_center", "started_by", "finished_by").order_by(
            "sequence", "id"
        )
    )
    people_on = labor_selectors.people_on([op.pk for op in operations])
    quantity = job.quantity or 0
    previous: Operation | None = None
    for op in operations:
        # What can be reported here: what the previous operation passed as good.
        op.available = (
            previous.qty_good
            if previous is not None and previous.status == OperationStatus.DONE
            else quantity
        )
        op.on_it = people_on.get(op.pk, [])
        op.mine = any(person.pk == request.user.pk for person in op.on_it)
        op.others_on_it = [person for person in op.on_it if person.pk != request.user.pk]
        # floor.js redraws the "On it" line from these when an action waits offline.
        op.on_it_json = json.dumps(
            [{"id": person.pk, "name": live.person(person)} for person in op.on_it]
        )
        # Outside work has no floor buttons: the office sends it out and receives it back.
        op.floor_actions = (
            []
            if op.is_outside
            else floor_services.floor_buttons(
                op.status, mine=op.mine, pause_for_everyone=pause_for_everyone
            )
        )
        op.client_ids = {kind: _client_id() for kind in FloorActionKind.values}
        op.job = job  # the templates read job fields through the operation without a query
        previous = op
    return operations


def render_floor_page(
    request: HttpRequest,
    number: str | int,
    *,
    traveler: Any = None,
    newer_print: Any = None,
    error: ShopDeskError | None = None,
    status: int = 200,
    back_url: str | None = None,
) -> HttpResponse:
    """The floor page of one of the caller's shop's jobs (404 for anything else). Also
    rendered by a traveler scan, which passes the traveler and any newer print of it."""
    job = get_job_for(request.shop, number)
    pause_for_everyone = _can_pause_for_everyone(request)
    routing = _routing_for_floor(request, job, pause_for_everyone=pause_for_everyone)
    current = next((op for op in routing if op.pk == job.current_operation_id), None)
    if current is None:
        current = next((op for op in routing if op.status != OperationStatus.DONE), None)
    others = [op for op in routing if op is not current]
    open_blockers = list(
        job.blockers.filter(resolved_at__isnull=True)
        .select_related("owner", "operation")
        .order_by("-raised_at")
    )
    people = list(
        Membership.objects.filter(shop=request.shop)
        .select_related("user")
        .order_by("user__first_name", "user__last_name", "user__username")
    )
    # Released files: the files to make parts to, and whether the paper or the job is on an
    # older revision than the released one.
    released_revision, released_documents = released_files(request.shop, job.part_id)
    traveler_revision = None
    if traveler is not None and traveler.part_revision_id:
        traveler_revision = PartRevision.objects.filter(pk=traveler.part_revision_id).first()
    files_context = {
        "released_revision": released_revision,
        "released_documents": with_links(released_documents),
        "rev": live.revision_state(job, released_revision),
        "traveler_superseded": bool(traveler_revision and traveler_revision.is_superseded),
        "traveler_revision": traveler_revision,
    }
    context = {
        **files_context,
        "job": job,
        "current": current,
        "others": others,
        "routing_total": len(routing),
        "routing_done": sum(1 for op in routing if op.status == OperationStatus.DONE),
        "open_blockers": open_blockers,
        "blocker_kinds": BlockerKind.choices,
        "people": [m.user for m in people],
        "blocker_client_id": _client_id(),
        "floor_open": job.state == JobState.RELEASED and not job.quantity_shipped,
        "pause_for_everyone": pause_for_everyone,
        # Handed to floor.js, which redraws an operation's buttons from it while offline.
        "floor_buttons": floor_services.floor_button_table(pause_for_everyone=pause_for_everyone),
        "traveler": traveler,
        "newer_print": newer_print,
        "newer_print_at": timezone.localtime(newer_print.printed_at) if newer_print else None,
        "error": error,
        # Where the forms come back to after a plain post: this page (or the scan page).
        "back_url": back_url or request.get_full_path(),
        "today": timezone.localdate(),
    }
    return render(request, "floor/floor.html", context, status=status)


@login_required
@require_GET
def floor_page(request: HttpRequest, number: str) -> HttpResponse:
    return render_floor_page(request, number)


def _quantity(request: HttpRequest, field: str) -> int:
    raw = str(request.POST.get(field, "")).strip()
    if raw == "":
        return 0
    if raw.startswith("-") and QUANTITY_PATTERN.match(raw[1:]):
        raise InvalidInput("Quantities are whole numbers, 0 or more.", field=field)
    if re.fullmatch(r"\d+", raw) and not QUANTITY_PATTERN.match(raw):
        raise InvalidInput("That quantity is more than any job holds.", field=field)
    if not QUANTITY_PATTERN.match(raw):
        raise InvalidInput("Enter the quantity as a whole number, like 25.", field=field)
    return int(raw)


def _operation_id(raw: object) -> str:
    raw = str(raw or "").strip()
    if not ID_PATTERN.match(raw):
        raise InvalidInput("Choose the operation.", field="operation")
    return raw


def _refused(request: HttpRequest, job: Job, error: ShopDeskError) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse({"detail": error.message, "errors": error.errors}, status=error.status)
    return render_floor_page(
        request,
        job.number,
        error=error,
        status=error.status,
        back_url=_back_url(request, job),
    )


def _done(request: HttpRequest, job: Job, message: str, **data: Any) -> HttpResponse:
    if _wants_json(request):
        # floor.js shows the flash on the page it fetches after sending; a client that never
        # fetches a page must not pile up messages (past the cookie's size they would go to
        # the session: a write on every scan). The latest few stay.
        pending = list(messages.get_messages(request))
        for old in pending[-(JSON_MESSAGES_KEPT - 1) :]:
            messages.add_message(request, old.level, old.message, extra_tags=old.extra_tags)
        messages.success(request, message)
        return JsonResponse({"detail": message, **data})
    messages.success(request, message)
    return HttpResponseRedirect(_back_url(request, job), status=303)


def _action_message(operation: Operation, action: str, replayed: bool) -> str:
    label = f"Op {operation.sequence} {operation.name}"
    if action == FloorActionKind.FINISH:
        message = f"{label} finished: {operation.qty_good} good, {operation.qty_scrap} scrap."
    elif action == FloorActionKind.NOTE:
        message = f"Note added to {label}."
    elif (
        action == FloorActionKind.PAUSE
        and operation.status == OperationStatus.RUNNING
        and not replayed
    ):
        # The caller paused their own time; the operation runs on while others are on it.
        message = f"Your time on {label} is paused; it keeps running for the others on it."
    else:
        message = f"{label} is {operation.get_status_display().lower()}."
    if replayed:
        message += " (Already recorded; not applied twice.)"
    return message


@login_required
@require_POST
def floor_action(request: HttpRequest, number: str) -> HttpResponse:
    job_number = parse_job_number(number)
    if job_number is None:
        raise Http404("No such job.")
    try:
        operation_id = _operation_id(request.POST.get("operation"))
        action = str(request.POST.get("action", ""))
        qty_good = _quantity(request, "qty_good")
        qty_scrap = _quantity(request, "qty_scrap")
        note = str(request.POST.get("note", ""))
        if len(note) > NOTE_MAX_LENGTH:
            raise InvalidInput("A note is at most 2000 characters.", field="note")
        # The service finds the operation on the shop's job inside its transaction (no read
        # before it); another shop's or another job's operation answers 404.
        result = floor_services.floor_action(
            user=request.user,
            operation=Operation(pk=int(operation_id)),
            job_number=job_number,
            action=action,
            client_id=str(request.POST.get("client_id", "")),
            qty_good=qty_good,
            qty_scrap=qty_scrap,
            note=note,
        )
    except Operation.DoesNotExist as exc:
        raise Http404("No such operation.") from exc
    except ShopDeskError as error:
        return _refused(request, get_job_for(request.shop, job_number), error)
    op = result.operation
    return _done(
        request,
        op.job,
        _action_message(op, result.action.action, result.replayed),
        replayed=result.replayed,
        operation={
            "id": op.pk,
            "status": op.status,
            "qty_good": op.qty_good,
            "qty_scrap": op.qty_scrap,
        },
        # Whether the caller has open time on it now (a joiner who paused has not; the
        # operation may still be running for the others).
        caller_on_it=_caller_on_it(request, result),
    )


def _caller_on_it(request: HttpRequest, result: floor_services.FloorResult) -> bool:
    """Whether the caller has open time on the operation after the action. A fresh start puts
    them on it, a fresh pause or finish takes them off (without a read); after a note or a
    replay (the state may have moved on since) the labor entries say."""
    action = result.action.action
    if not result.replayed and action == FloorActionKind.START:
        return True
    if not result.replayed and action in (FloorActionKind.PAUSE, FloorActionKind.FINISH):
        return False
    return LaborEntry.objects.filter(
        operation_id=result.operation.pk, user_id=request.user.pk, ended_at__isnull=True
    ).exists()


@login_required
@require_POST
def floor_blocker(request: HttpRequest, number: str) -> HttpResponse:
    job = get_job_for(request.shop, number)
    try:
        client_id = str(request.POST.get("client_id", "")).strip()
        if not client_id:
            raise InvalidInput(
                "This form is missing its client id; reload the page.", field="client_id"
            )
        raw_operation = str(request.POST.get("operation", "")).strip()
        operation = (
            get_operation_on_job(request.shop, job.number, _operation_id(raw_operation))
            if raw_operation
            else None
        )
        kind = str(request.POST.get("kind", ""))
        note = str(request.POST.get("note", "")).strip()
        if len(note) > NOTE_MAX_LENGTH:
            raise InvalidInput("At most 2000 characters.", field="note")
        if not note and kind in BlockerKind.values:
            # Gloves on, the kind is often all there is to say; the owner asks for details.
            note = FLOOR_BLOCKER_DEFAULT_NOTE
        blocker, replayed = services.blocker_raise(
            user=request.user,
            job=job,
            kind=kind,
            note=note,
            owner_id=str(request.POST.get("owner", "")),
            operation=operation,
            client_id=client_id,
        )
    except ShopDeskError as error:
        return _refused(request, job, error)
    who = (blocker.owner.get_full_name() or blocker.owner.username) if blocker.owner else None
    message = f"Blocker raised on {job}: {blocker.get_kind_display()}."
    if who:
        message += f" {who} owns it."
    if replayed:
        message += " (Already recorded; not raised twice.)"
    return _done(request, job, message, replayed=replayed, blocker={"id": blocker.pk})


# --- Scanning: the in-page camera scanner and keyboard-wedge barcode scanners ---------------

# A traveler token is token_urlsafe(16) (22 characters); older or longer ones fit in 40.
TRAVELER_TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{8,40}$")
TRAVELER_PATH_PATTERN = re.compile(r"^/t/([A-Za-z0-9_-]{8,40})/?$")
SCAN_CODE_MAX_LENGTH = 2048
NOT_A_TRAVELER = "Not a ShopDesk traveler. Scan the QR code on a traveler printed by this shop."
NO_SUCH_TRAVELER = "No traveler with that code."


def _traveler_hosts(request: HttpRequest) -> set[str]:
    hosts = {request.get_host().lower()}
    if settings.SITE_URL:
        hosts.add(urlsplit(settings.SITE_URL).netloc.lower())
    return hosts


def traveler_token_from_code(request: HttpRequest, code: str) -> str | None:
    """The traveler token a scanned or typed code names: a bare token, or a traveler link on
    this site (absolute or a path). None for anything else: other sites, other schemes
    (javascript:, data:), control characters, oversized input."""
    code = code.strip()
    if not code or len(code) > SCAN_CODE_MAX_LENGTH:
        return None
    if any(ord(char) < 32 or ord(char) == 127 for char in code):
        return None
    if TRAVELER_TOKEN_PATTERN.match(code):
        return code
    try:
        parts = urlsplit(code)
    except ValueError:
        return None
    if parts.scheme or parts.netloc:
        if parts.scheme.lower() not in ("http", "https"):
            return None
        if parts.netloc.lower() not in _traveler_hosts(request):
            return None
    elif not parts.path.startswith("/"):
        return None
    match = TRAVELER_PATH_PATTERN.match(parts.path)
    return match.group(1) if match else None


def _scan_page(request: HttpRequest, *, error: str = "", status: int = 200) -> HttpResponse:
    return render(request, "floor/scan.html", {"error": error}, status=status)


@login_required
@require_GET
def scan_page(request: HttpRequest) -> HttpResponse:
    """The scan page (camera and a field a barcode scanner types into). With ?code= it opens
    the traveler that code names in the caller's shop; any other shop's answers the same 404
    as an unknown code, so a token never reveals whose it is."""
    if "code" not in request.GET:
        return _scan_page(request)
    token = traveler_token_from_code(request, str(request.GET.get("code", "")))
    if token is None:
        return _scan_page(request, error=NOT_A_TRAVELER, status=400)
    try:
        get_traveler_for_scan(getattr(request, "shop", None), token)
    except Http404:
        return _scan_page(request, error=NO_SUCH_TRAVELER, status=404)
    return HttpResponseRedirect(reverse("travelers:scan", args=[token]), status=303)


@require_GET
def floor_service_worker(request: HttpRequest) -> HttpResponse:
    """The service worker that keeps the floor pages openable offline. Served from /jobs/ but
    allowed the whole site's scope, so it also covers traveler links (/t/...) and sees the
    sign-out that clears its cache. No data in it: anyone may fetch it."""
    response = render(request, "floor/floor_sw.js", content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    # Browsers check for a new worker at most daily anyway; never let a proxy hold an old one.
    response["Cache-Control"] = "no-cache"
    return response


@login_required
@require_GET
def traveler_scan(request: HttpRequest, token: str) -> HttpResponse:
    traveler = get_traveler_for_scan(request.shop, token)
    if traveler.is_revoked:
        return render(
            request,
            "travelers/revoked.html",
            {
                "traveler": traveler,
                "revoked_at": timezone.localtime(traveler.revoked_at),
                "newer": newer_print_of(traveler),
            },
            status=410,
        )
    return render_floor_page(
        request,
        traveler.job.number,
        traveler=traveler,
        newer_print=newer_print_of(traveler),
    )
