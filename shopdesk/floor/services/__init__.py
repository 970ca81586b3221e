"""Every write on the floor: floor actions (start, pause, finish, note) and the labor entries
they open and close. One function per action."""

from shopdesk.floor.services.actions import (
    FloorResult,
    floor_action,
    floor_button_table,
    floor_buttons,
)
from shopdesk.floor.services.labor import labor_shift_end, labor_shift_end_for_shop

__all__ = [
    "FloorResult",
    "floor_action",
    "floor_button_table",
    "floor_buttons",
    "labor_shift_end",
    "labor_shift_end_for_shop",
]
