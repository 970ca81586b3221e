"""Every kind of event the event log holds, declared in one place with its payload shape.

`event_append` refuses a kind not declared here, so timelines, customer updates, supplier
scorecards and KPIs can rely on the list. A new app adds its kinds here (one line each, with
what `before` and `after` hold) in the change that starts appending them. A stored kind is
never renamed: old events keep their words.

Every event also carries shop, actor, job (when it belongs to one), subject type and id, a
one-line summary and the time; PAYLOADS documents only the `before` / `after` dictionaries.
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


# What each kind's `before` and `after` hold ("-" when nothing). Subject in brackets.
PAYLOADS: dict[EventKind, str] = {
    EventKind.JOB_CREATED: "[job] after: number, customer, part, revision, quantity, due_date, "
    "operations, client_id (when given); imports add the import's row",
    EventKind.JOB_UPDATED: "[job] before/after: the changed fields' old and new values",
    EventKind.JOB_MATERIAL_STATUS_CHANGED: "[job] before/after: material_status",
    EventKind.JOB_RELEASED: "[job] before/after: state; after: override_reason when overridden",
    EventKind.JOB_RELEASE_OVERRIDDEN: "[job] before: problems (list of words); after: reason",
    EventKind.JOB_UNRELEASED: "[job] before/after: state; after: reason",
    EventKind.JOB_REVISION_MOVED: "[job] before: revision; after: revision, reason, notices_closed",
    EventKind.JOB_SHIPPED: "[job] before/after: state",
    EventKind.JOB_CLOSED: "[job] before/after: state; after: reason",
    EventKind.JOB_REVISION_NOTICE: "[revisionnotice] after: from and to revision",
    EventKind.JOB_REVISION_NOTICE_CONFIRMED: "[revisionnotice] after: status, blocker",
    EventKind.JOB_REVISION_NOTICE_DISMISSED: "[revisionnotice] after: status, note",
    EventKind.OPERATION_ADDED: "[operation] after: sequence, name, work center, minutes",
    EventKind.OPERATION_UPDATED: "[operation] before/after: the changed fields",
    EventKind.OPERATION_REMOVED: "[operation] before: sequence, name, work center",
    EventKind.ROUTING_REORDERED: "[job] before/after: the operations' ids in order",
    EventKind.OPERATION_START: "[operation] before/after: status, qty_good, qty_scrap; "
    "after: note, client_id",
    EventKind.OPERATION_PAUSE: "[operation] as operation.start",
    EventKind.OPERATION_FINISH: "[operation] as operation.start; after holds the quantities "
    "reported",
    EventKind.OPERATION_NOTE: "[operation] as operation.start; after: note",
    EventKind.LABOR_SHIFT_END: "[laborentry] after: ended_at, reason",
    EventKind.BLOCKER_RAISED: "[blocker] after: kind, note, owner, operation, client_id",
    EventKind.BLOCKER_RESOLVED: "[blocker] after: resolution note",
    EventKind.DISPATCH_MOVED: "[operation] before/after: the work center's order of ids",
    EventKind.DISPATCH_RESET: "[workcenter] before: the manual order that was dropped",
    EventKind.WORK_CENTER_CREATED: "[workcenter] after: name, kind, hours_per_day",
    EventKind.WORK_CENTER_UPDATED: "[workcenter] before/after: the changed fields",
    EventKind.TRAVELER_PRINTED: "[traveler] after: revision, client_id",
    EventKind.TRAVELER_REVOKED: "[traveler] before/after: revoked_at",
    EventKind.TRAVELER_BATCH_STARTED: "[travelerbatch] after: jobs counted",
    EventKind.TRAVELER_BATCH_RETRIED: "[travelerbatch] after: jobs counted",
    EventKind.CUSTOMER_CREATED: "[customer] after: code, name",
    EventKind.CUSTOMER_UPDATED: "[customer] before/after: the changed fields",
    EventKind.CONTACT_ADDED: "[contact] after: name, email",
    EventKind.PART_CREATED: "[part] after: number, description, customer",
    EventKind.PART_UPDATED: "[part] before/after: the changed fields",
    EventKind.PART_REVISION_CREATED: "[partrevision] after: code",
    EventKind.PART_REVISION_RELEASED: "[partrevision] before/after: status",
    EventKind.PART_REVISION_SUPERSEDED: "[partrevision] before/after: status",
    EventKind.PART_DOCUMENT_UPLOADED: "[document] after: name, kind, version, sha256, size",
    EventKind.PART_DOCUMENT_REPLACED: "[document] before: the replaced version; after: as "
    "part.document_uploaded",
    EventKind.SHOP_UPLOAD_LIMIT: "[shop] after: the limit reached",
    EventKind.SHOP_FLOOR_SETTINGS: "[shop] before/after: the kiosk and floor settings",
    EventKind.API_TOKEN_CREATED: "[apitoken] after: name",
    EventKind.API_TOKEN_REVOKED: "[apitoken] -",
    EventKind.MEMBERSHIP_BADGE_SET: "[membership] -: the badge itself is never logged",
    EventKind.KIOSK_ENROLLED: "[shop] after: the kiosk's name",
    EventKind.KIOSK_UNENROLLED: "[shop] before: the kiosk's name",
    EventKind.IMPORT_APPLIED: "[shop] after: kind, file name, rows created and updated",
}


def is_declared(kind: str) -> bool:
    return kind in EventKind.values
