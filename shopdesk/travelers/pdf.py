"""The printed traveler: an HTML template rendered to PDF by WeasyPrint, with a QR code
that opens the live job (through the traveler's token, never the job number)."""

from __future__ import annotations

import gc
import hashlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from functools import cache

import segno
from django.conf import settings
from django.core.cache import cache as pdf_cache
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from weasyprint import CSS, HTML, Document
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

from shopdesk.core.models import PaperSize
from shopdesk.jobs.models import Job, Operation
from shopdesk.parts.models import PartRevision, RevisionStatus
from shopdesk.travelers.models import Traveler

# The printed width of the QR symbol itself (finder pattern to finder pattern). Phones read a
# 32 mm code from arm's length on a dim floor; the quiet zone is added around it.
QR_SYMBOL_MM = Decimal("32")
QR_QUIET_ZONE_MODULES = 4
# "Q" recovers from about 25 % damage: coolant, fingerprints and a punched hole.
QR_ERROR_LEVEL = "q"
# Pixels a module in the QR PNG: under a kilobyte and quick to place; where a viewer smooths
# images anyway (against the PDF's word), an edge blurs over a quarter of a module, not half.
QR_PNG_SCALE = 2

PDF_CACHE_SECONDS = 7 * 24 * 3600
PAGE_SIZES = {PaperSize.LETTER: "letter", PaperSize.A4: "A4"}


def scan_url(traveler: Traveler, request: HttpRequest | None = None) -> str:
    """The absolute URL the traveler's QR code carries."""
    path = reverse("travelers:scan", args=[traveler.token])
    if settings.SITE_URL:
        return settings.SITE_URL + path
    if request is None:
        raise ValueError("Without SITE_URL the scan URL needs the request it is printed for.")
    return request.build_absolute_uri(path)


@dataclass(frozen=True)
class QrCode:
    png_data_uri: str
    width_mm: Decimal
    symbol_mm: Decimal


def qr_code(url: str) -> QrCode:
    """The QR code for the URL as a small black-and-white PNG (quiet zone included), given
    inline as a data: URI and sized by CSS. WeasyPrint places a PNG far faster than it parses
    and draws the same code as an SVG path. The template draws it with `image-rendering:
    pixelated`, so viewers and printers that honour it keep every module a crisp square."""
    code = segno.make(url, error=QR_ERROR_LEVEL, micro=False)
    modules = code.symbol_size(border=0)[0]
    with_quiet_zone = modules + 2 * QR_QUIET_ZONE_MODULES
    width_mm = (QR_SYMBOL_MM * with_quiet_zone / modules).quantize(Decimal("0.1"))
    png = code.png_data_uri(
        scale=QR_PNG_SCALE, border=QR_QUIET_ZONE_MODULES, dark="#000", light="#fff"
    )
    return QrCode(png_data_uri=png, width_mm=width_mm, symbol_mm=QR_SYMBOL_MM)


def _short_url(url: str) -> tuple[str, str]:
    """The URL without its scheme, as two lines (host, then the path with the token) so the
    token is never broken across lines under the code."""
    host, _, path = url.split("://", 1)[-1].partition("/")
    return host, "/" + path


def css_string(text: str) -> str:
    """Text as a quoted CSS string for a <style> block: everything but letters, digits and a
    few harmless signs is escaped, so no name can close the string or the style element."""
    safe = " -_.,·#/()"
    body = "".join(ch if ch.isalnum() or ch in safe else f"\\{ord(ch):x} " for ch in text)
    return f'"{body}"'


def _routing(job: Job) -> list[Operation]:
    return list(job.operations.select_related("work_center").order_by("sequence", "id"))


def _superseded_by(traveler: Traveler, job: Job) -> str | None:
    """The code of the revision released in place of the traveler's, if that one is
    superseded ("" when none is released now); None while the traveler's revision stands."""
    if not traveler.part_revision_id:
        return None
    revisions = list(
        PartRevision.objects.filter(
            part_id=job.part_id,
            status__in=[RevisionStatus.RELEASED, RevisionStatus.SUPERSEDED],
        )
    )
    printed = next((r for r in revisions if r.pk == traveler.part_revision_id), None)
    if printed is None or printed.status != RevisionStatus.SUPERSEDED:
        return None
    released = next((r for r in revisions if r.status == RevisionStatus.RELEASED), None)
    return released.code if released else ""


def traveler_html(traveler: Traveler, *, url: str) -> str:
    job = (
        Job.objects.select_related("shop", "customer", "part", "owner")
        .filter(pk=traveler.job_id)
        .get()
    )
    routing = _routing(job)
    superseded_by = _superseded_by(traveler, job)
    quantity = job.quantity or 0
    for op in routing:
        op.run_total = op.run_minutes * quantity
    qr = qr_code(url)
    context = {
        "traveler": traveler,
        "job": job,
        "shop": job.shop,
        "routing": routing,
        "qr": qr,
        "scan_url": url,
        "short_url_host": _short_url(url)[0],
        "short_url_path": _short_url(url)[1],
        "page_size": PAGE_SIZES.get(traveler.paper_size, "letter"),
        # Repeated at the top of every page after the first, so a loose sheet is still found.
        "running_head": mark_safe(  # noqa: S308 (css_string escapes everything but a-z 0-9)
            css_string(f"{job.display_number} · {job.part.number} rev {traveler.revision}")
        ),
        "printed_at": timezone.localtime(traveler.printed_at),
        "revoked_at": timezone.localtime(traveler.revoked_at) if traveler.revoked_at else None,
        "revision_changed": traveler.revision != job.revision,
        # The printed revision was superseded since (a reprint shows it; the floor page too).
        "superseded_by": superseded_by,
        # Ruled lines for hand-written notes: enough to use, few enough that a typical
        # routing (up to about eight operations) still fits on one page.
        "note_lines": range(2 if job.notes or len(routing) > 4 else 3),
    }
    return render_to_string("travelers/traveler_pdf.html", context)


@cache
def _stylesheet() -> CSS:
    """The traveler's stylesheet, parsed once per process. It is the same for every shop and
    job (the page size and footer live in the template), so nothing leaks between shops;
    parsing it on every print cost a fifth of the render."""
    return CSS(string=render_to_string("travelers/traveler_pdf.css"))


class _Renderer(threading.local):
    """What WeasyPrint would otherwise build afresh for every sheet, kept per thread (neither
    is safe to share between threads):

    - the font configuration, whose Pango font map keeps the fonts it has loaded and shaped;
      a new one per render cost about a sixth of the layout;
    - the URL fetcher, which opens nothing but the data: URI of the QR code. Everything the
      sheet shows is inline; any other URL is refused (and logged), never fetched from a file
      or the network.
    """

    def __init__(self) -> None:
        self.font_config = FontConfiguration()
        self.url_fetcher = URLFetcher(allowed_protocols={"data"})


_renderer = _Renderer()


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cycle collector held off while one sheet is laid out and written.

    A layout makes tens of thousands of objects that live as long as the sheet. With the
    collector on, they are walked again and again and pushed into the oldest generation, which
    then sets off full passes over the whole process; paused, the sheet's garbage goes in one
    young pass afterwards. That took about a tenth off a render. Only the caller that paused
    the collector starts it again, so a render in another thread can never leave it off.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _render(traveler: Traveler, *, url: str) -> Document:
    html = traveler_html(traveler, url=url)
    # base_url is set so no relative URL can ever resolve against the working directory.
    document = HTML(string=html, base_url=str(settings.BASE_DIR), url_fetcher=_renderer.url_fetcher)
    return document.render(stylesheets=[_stylesheet()], font_config=_renderer.font_config)


def traveler_pdf(traveler: Traveler, *, url: str) -> bytes:
    """The traveler as PDF bytes. Everything it needs is inline or local: no fonts or images
    are fetched over the network.

    A rendering takes WeasyPrint over 100 ms of layout, so the bytes are kept in the cache
    under a key that changes whenever what the sheet shows can change: the job (any edit,
    routing change or floor action moves its updated_at), the traveler's revocation and the
    link it carries.
    """
    job_updated_at = Job.objects.filter(pk=traveler.job_id).values_list("updated_at", flat=True)
    # A release of the part supersedes the printed revision without touching the job.
    printed_status = (
        PartRevision.objects.filter(pk=traveler.part_revision_id)
        .values_list("status", flat=True)
        .first()
        if traveler.part_revision_id
        else ""
    )
    fingerprint = hashlib.sha256(
        f"{job_updated_at.get().isoformat()}|{traveler.revoked_at}|{printed_status}|{url}".encode()
    ).hexdigest()[:24]
    key = f"traveler-pdf:{traveler.pk}:{fingerprint}"
    pdf = pdf_cache.get(key)
    if pdf is None:
        with _collector_paused():
            pdf = _render(traveler, url=url).write_pdf()
        pdf_cache.set(key, pdf, timeout=PDF_CACHE_SECONDS)
    return pdf


def traveler_document(traveler: Traveler, *, url: str) -> Document:
    """The traveler laid out by WeasyPrint but not yet written: a batch joins the pages of
    many of these into one PDF (travelers.tasks), so each sheet is laid out exactly once."""
    with _collector_paused():
        return _render(traveler, url=url)
