"""Benchmark: upload a 20 MB drawing through the API, timed as the server spends it.

The multipart body is built before the clock starts; the time is Django's whole handling of
POST /api/v1/parts/{id}/revisions/{id}/documents (parsing the upload to a temporary file,
hashing, sniffing, writing the blob to the documents storage, the rows and the event). Each
run sends different bytes, so each one is stored (identical content would be stored once).
Everything is rolled back and the blobs deleted after. Django must already be set up.
"""

from __future__ import annotations

import math
import os
import statistics
import time
import uuid
from typing import Any

SIZE = 20 * 1024 * 1024


class _Rollback(Exception):
    """Raised to undo the scenario's rows once measured."""


def _body(boundary: str, name: str, payload: bytes) -> bytes:
    return b"".join(
        [
            f"--{boundary}\r\n".encode(),
            b'Content-Disposition: form-data; name="kind"\r\n\r\ndrawing\r\n',
            f"--{boundary}\r\n".encode(),
            f'Content-Disposition: form-data; name="file"; filename="{name}"\r\n'.encode(),
            b"Content-Type: application/pdf\r\n\r\n",
            payload,
            f"\r\n--{boundary}--\r\n".encode(),
        ]
    )


def _pdf_bytes(size: int) -> bytes:
    """`size` bytes that sniff as a PDF and differ every call."""
    head, tail = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", b"\n%%EOF\n"
    return head + os.urandom(size - len(head) - len(tail)) + tail


def run(shop: Any, user: Any, *, runs: int = 5, size: int = SIZE) -> dict[str, Any]:
    """Answers {"scenario", "runs", "median_ms", "p95_ms", "status", "bytes"}; status is "ok"
    or "error: ..."."""
    from django.db import transaction
    from django.test import Client

    from shopdesk.core.services import api_token_create
    from shopdesk.customers.models import Customer
    from shopdesk.parts.models import Document, Part, PartRevision, RevisionStatus

    outcome: dict[str, Any] = {"scenario": "upload a 20 MB document", "runs": runs, "bytes": size}
    blobs: list[str] = []
    try:
        with transaction.atomic():
            customer = Customer.objects.filter(shop=shop).order_by("id").first()
            part = Part.objects.create(
                shop=shop,
                customer=customer,
                number=f"UPLOAD-{uuid.uuid4().hex[:8]}",
                description="Upload bench part",
            )
            revision = PartRevision.objects.create(
                shop=shop, part=part, code="A", status=RevisionStatus.DRAFT
            )
            _, raw = api_token_create(user=user, name="bench upload")
            client = Client(raise_request_exception=False, HTTP_AUTHORIZATION=f"Bearer {raw}")
            url = f"/api/v1/parts/{part.pk}/revisions/{revision.pk}/documents"
            samples = []
            for index in range(runs + 1):
                boundary = uuid.uuid4().hex
                body = _body(boundary, f"drawing-{index}.pdf", _pdf_bytes(size))
                started = time.perf_counter()
                response = client.generic(
                    "POST", url, body, content_type=f"multipart/form-data; boundary={boundary}"
                )
                elapsed = (time.perf_counter() - started) * 1000
                if response.status_code != 201:
                    outcome["status"] = (
                        f"error {response.status_code}: {response.content[:120].decode()}"
                    )
                    break
                if index:  # the first one warms up
                    samples.append(elapsed)
            blobs.extend(
                Document.objects.filter(revision=revision).values_list("stored__blob", flat=True)
            )
            if "status" in outcome:
                raise _Rollback
            ordered = sorted(samples)
            outcome.update(
                median_ms=round(statistics.median(samples), 1),
                p95_ms=round(ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)], 1),
                status="ok",
            )
            raise _Rollback
    except _Rollback:
        pass
    except Exception as error:  # a benchmark reports its failure rather than stopping the run
        outcome["status"] = f"error: {type(error).__name__}: {error}"
    finally:
        from shopdesk.parts.models import private_storage

        for name in blobs:
            private_storage.delete(name)
    return outcome
