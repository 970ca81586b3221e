"""Every write to jobs, routings, blockers, notices and work centers. One function per action.

Floor actions and labor are written by shopdesk.floor.services."""

from shopdesk.jobs.services.blockers import blocker_owner_for, blocker_raise, blocker_resolve
from shopdesk.jobs.services.jobs import (
    can_override_gate,
    job_close,
    job_create,
    job_due_date_warnings,
    job_gate_problems,
    job_mark_shipped,
    job_move_revision,
    job_release,
    job_release_problems,
    job_ship,
    job_unrelease,
    job_update,
)
from shopdesk.jobs.services.notices import (
    notice_confirm,
    notice_dismiss,
    notices_raise_for_release,
)
from shopdesk.jobs.services.outside import operation_receive, operation_send_out
from shopdesk.jobs.services.routing import (
    operation_add,
    operation_move,
    operation_remove,
    operation_update,
    routing_reorder,
)
from shopdesk.jobs.services.work_centers import work_center_create, work_center_update

__all__ = [
    "blocker_owner_for",
    "blocker_raise",
    "blocker_resolve",
    "can_override_gate",
    "job_close",
    "job_create",
    "job_due_date_warnings",
    "job_gate_problems",
    "job_mark_shipped",
    "job_move_revision",
    "job_release",
    "job_release_problems",
    "job_ship",
    "job_unrelease",
    "job_update",
    "notice_confirm",
    "notice_dismiss",
    "notices_raise_for_release",
    "operation_add",
    "operation_move",
    "operation_receive",
    "operation_remove",
    "operation_send_out",
    "operation_update",
    "routing_reorder",
    "work_center_create",
    "work_center_update",
]
