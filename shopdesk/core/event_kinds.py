"""Every kind of event the event log holds, declared in one place with its payload shape.

`event_append` refuses a kind not declared here, so timelines, customer updates, supplier
scorecards and KPIs can rely on the list. A new app adds its kinds here (one line each, with
what `before` and `after` hold) in the change that starts appending them. A stored kind is
never renamed: old events keep their words.

Every event also carries shop, actor, job (when it belongs to one), subject type and id, a
one-line summary and the time; PAYLOADS documents the subject and the `before` / `after`
dictionaries. Readers treat a payload key as optional: older events may lack a newer key.
"""

from __future__ import annotations

from django.db import models


class EventKind(models.TextChoices):
    # Jobs and their gate
    JOB_CREATED = "job.created", "Job created"
    JOB_UPDATED = "job.updated", "Job updated"
    JOB_MATERIAL_STATUS_CHANGED = "job.material_status_changed", "Material status changed"
    JOB_RELEASED = "job.released", "Job released"
    JOB_RELEASE_OVERRIDDEN = "job.release_overridden", "Released past the gate"
    JOB_UNRELEASED = "job.unreleased", "Job back to planning"
    JOB_REVISION_MOVED = "job.revision_moved", "Job moved to another revision"
    JOB_SHIPPED = "job.shipped", "Job shipped"
    JOB_CLOSED = "job.closed", "Job closed"
    JOB_REVISION_NOTICE = "job.revision_notice", "Notice of change raised"
    JOB_REVISION_NOTICE_CONFIRMED = "job.revision_notice_confirmed", "Notice of change confirmed"
    JOB_REVISION_NOTICE_DISMISSED = "job.revision_notice_dismissed", "Notice of change dismissed"
    # Routing
    OPERATION_ADDED = "operation.added", "Operation added"
    OPERATION_UPDATED = "operation.updated", "Operation updated"
    OPERATION_REMOVED = "operation.removed", "Operation removed"
    ROUTING_REORDERED = "routing.reordered", "Routing reordered"
    # The floor
    OPERATION_START = "operation.start", "Operation started"
    OPERATION_PAUSE = "operation.pause", "Operation paused"
    OPERATION_FINISH = "operation.finish", "Operation finished"
    OPERATION_NOTE = "operation.note", "Note from the floor"
    # Outside work (an operation at a supplier)
    OPERATION_SENT_OUT = "operation.sent_out", "Sent to the supplier"
    OPERATION_RECEIVED = "operation.received", "Received back from the supplier"
    LABOR_SHIFT_END = "labor.shift_end", "Labor closed at shift end"
    # Blockers
    BLOCKER_RAISED = "blocker.raised", "Blocker raised"
    BLOCKER_RESOLVED = "blocker.resolved", "Blocker resolved"
    # Dispatch
    DISPATCH_MOVED = "dispatch.moved", "Dispatch list reordered"
    DISPATCH_RESET = "dispatch.reset", "Dispatch list reset"
    WORK_CENTER_CREATED = "work_center.created", "Work center created"
    WORK_CENTER_UPDATED = "work_center.updated", "Work center updated"
    # Travelers
    TRAVELER_PRINTED = "traveler.printed", "Traveler printed"
    TRAVELER_REVOKED = "traveler.revoked", "Traveler revoked"
    TRAVELER_BATCH_STARTED = "traveler_batch.started", "Traveler batch started"
    TRAVELER_BATCH_RETRIED = "traveler_batch.retried", "Traveler batch retried"
    # Customers and parts
    CUSTOMER_CREATED = "customer.created", "Customer created"
    CUSTOMER_UPDATED = "customer.updated", "Customer updated"
    CONTACT_ADDED = "contact.added", "Contact added"
    PART_CREATED = "part.created", "Part created"
    PART_UPDATED = "part.updated", "Part updated"
    PART_REVISION_CREATED = "part.revision_created", "Revision created"
    PART_REVISION_RELEASED = "part.revision_released", "Revision released"
    PART_REVISION_SUPERSEDED = "part.revision_superseded", "Revision superseded"
    PART_DOCUMENT_UPLOADED = "part.document_uploaded", "Document uploaded"
    PART_DOCUMENT_REPLACED = "part.document_replaced", "Document replaced"
    # The shop itself
    SHOP_UPLOAD_LIMIT = "shop.upload_limit", "Upload limit reached"
    SHOP_FLOOR_SETTINGS = "shop.floor_settings", "Floor settings changed"
    API_TOKEN_CREATED = "api_token.created", "API token created"
    API_TOKEN_REVOKED = "api_token.revoked", "API token revoked"
    MEMBERSHIP_BADGE_SET = "membership.badge_set", "Badge set"
    KIOSK_ENROLLED = "kiosk.enrolled", "Kiosk enrolled"
    KIOSK_UNENROLLED = "kiosk.unenrolled", "Kiosk unenrolled"
    IMPORT_APPLIED = "import.applied", "Import applied"


# What each kind's `before` and `after` hold, "-" for nothing; the subject in brackets.
PAYLOADS: dict[EventKind, str] = {
    EventKind.JOB_CREATED: "[job] after: the job's editable fields and revision; imported: "
    "true when made by an import",
    EventKind.JOB_UPDATED: "[job] before/after: the changed fields' old and new values",
    EventKind.JOB_MATERIAL_STATUS_CHANGED: "[job] before/after: material_status",
    EventKind.JOB_RELEASED: "[job] before/after: state; after: override_reason when the "
    "gate was overridden",
    EventKind.JOB_RELEASE_OVERRIDDEN: "[job] before: problems (the gate's words); after: reason",
    EventKind.JOB_UNRELEASED: "[job] before/after: state; after: reason",
    EventKind.JOB_REVISION_MOVED: "[job] before: revision; after: revision, reason, notices_closed",
    EventKind.JOB_SHIPPED: "[job] before: quantity_shipped, stage; after: quantity (this "
    "shipment), quantity_shipped, good, stage",
    EventKind.JOB_CLOSED: "[job] before/after: state; after: reason",
    EventKind.JOB_REVISION_NOTICE: "[revisionnotice] after: from, to (revision codes)",
    EventKind.JOB_REVISION_NOTICE_CONFIRMED: "[revisionnotice] before/after: status; "
    "after: blocker (id)",
    EventKind.JOB_REVISION_NOTICE_DISMISSED: "[revisionnotice] before/after: status; after: note",
    EventKind.OPERATION_ADDED: "[operation] after: sequence, work_center (id)",
    EventKind.OPERATION_UPDATED: "[operation] before/after: the changed fields",
    EventKind.OPERATION_REMOVED: "[operation] before: the operation's fields",
    EventKind.ROUTING_REORDERED: "[job] before/after: order (operation ids)",
    EventKind.OPERATION_START: "[operation] before: status, qty_good, qty_scrap; after: the "
    "same with note and client_id",
    EventKind.OPERATION_PAUSE: "[operation] as operation.start",
    EventKind.OPERATION_FINISH: "[operation] as operation.start; after holds the quantities "
    "reported",
    EventKind.OPERATION_NOTE: "[operation] as operation.start",
    EventKind.OPERATION_SENT_OUT: "[operation] before: status; after: status, vendor, quantity "
    "(parts sent), note",
    EventKind.OPERATION_RECEIVED: "[operation] before: status, qty_good, qty_scrap; after: "
    "status, qty_good, qty_scrap, vendor, note",
    EventKind.LABOR_SHIFT_END: "[laborentry] before: ended_at (null), operation_status; after: "
    "ended_at, end_reason, user_id, operation_id, operation_status",
    EventKind.BLOCKER_RAISED: "[blocker] after: kind, owner (id or null), note",
    EventKind.BLOCKER_RESOLVED: "[blocker] before: open; after: open, note",
    EventKind.DISPATCH_MOVED: "[operation] before/after: position (from 1), work_center (id)",
    EventKind.DISPATCH_RESET: "[workcenter] before: ranked (how many were placed by hand)",
    EventKind.WORK_CENTER_CREATED: "[workcenter] -",
    EventKind.WORK_CENTER_UPDATED: "[workcenter] before/after: the changed fields",
    EventKind.TRAVELER_PRINTED: "[traveler] after: traveler (id), revision",
    EventKind.TRAVELER_REVOKED: "[traveler] before/after: revoked",
    EventKind.TRAVELER_BATCH_STARTED: "[travelerbatch] after: released, printed, refused "
    "(job numbers), not_found",
    EventKind.TRAVELER_BATCH_RETRIED: "[travelerbatch] before/after: status, attempt",
    EventKind.CUSTOMER_CREATED: "[customer] -",
    EventKind.CUSTOMER_UPDATED: "[customer] before/after: the changed fields",
    EventKind.CONTACT_ADDED: "[contact] -",
    EventKind.PART_CREATED: "[part] -",
    EventKind.PART_UPDATED: "[part] before/after: the changed fields",
    EventKind.PART_REVISION_CREATED: "[partrevision] before: revision; after: revision, "
    "draft (code), note",
    EventKind.PART_REVISION_RELEASED: "[partrevision] before/after: revision, released (code)",
    EventKind.PART_REVISION_SUPERSEDED: "[partrevision] before/after: status; after: by (code)",
    EventKind.PART_DOCUMENT_UPLOADED: "[document] after: name, kind, revision, version, sha256, "
    "size, content_type, stored_once",
    EventKind.PART_DOCUMENT_REPLACED: "[document] before: document (id), name, version; after: "
    "as part.document_uploaded",
    EventKind.SHOP_UPLOAD_LIMIT: "[shop] before/after: upload_limit_mb",
    EventKind.SHOP_FLOOR_SETTINGS: "[shop] before/after: the changed kiosk and floor settings",
    EventKind.API_TOKEN_CREATED: "[apitoken] -",
    EventKind.API_TOKEN_REVOKED: "[apitoken] -",
    EventKind.MEMBERSHIP_BADGE_SET: "[membership] before/after: badge_number, pin_set; "
    "after: pin_changed (never the PIN)",
    EventKind.KIOSK_ENROLLED: "[membership] after: device (the first characters of its id)",
    EventKind.KIOSK_UNENROLLED: "[membership] -",
    EventKind.IMPORT_APPLIED: "[shop] after: kind, file, created, updated, unchanged",
}


def is_declared(kind: str) -> bool:
    return kind in EventKind.values
