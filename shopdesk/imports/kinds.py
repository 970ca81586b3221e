"""What each kind of import file holds: its sheets, their columns (with the other names a
shop's export may give them) and an example row for the downloadable template."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    name: str
    required: bool = False
    aliases: tuple[str, ...] = ()
    example: str = ""
    help: str = ""


@dataclass(frozen=True)
class SheetSpec:
    name: str
    columns: tuple[Column, ...]
    # Names a workbook's sheet may have for this table (normalized).
    sheet_names: tuple[str, ...] = ()
    optional: bool = False

    def column(self, name: str) -> Column:
        return next(column for column in self.columns if column.name == name)


@dataclass(frozen=True)
class Kind:
    slug: str
    label: str
    key: str
    sheets: tuple[SheetSpec, ...]


CUSTOMERS = Kind(
    slug="customers",
    label="Customers",
    key="customer code",
    sheets=(
        SheetSpec(
            name="Customers",
            sheet_names=("customers", "customer"),
            columns=(
                Column(
                    "customer_code",
                    True,
                    ("code", "customer", "customer_id", "customer_no", "cust_code"),
                    "NWP",
                    "The key: up to 20 characters.",
                ),
                Column("name", False, ("customer_name",), "Northwind Pumps", "Needed for new."),
                Column("email", False, ("e_mail",), "orders@northwind.example"),
                Column("phone", False, ("telephone", "phone_number"), "+1 555 0100"),
                Column("notes", False, ("note", "comments"), "Ships Fridays"),
            ),
        ),
    ),
)

WORK_CENTERS = Kind(
    slug="work-centers",
    label="Work centers",
    key="work center name",
    sheets=(
        SheetSpec(
            name="Work centers",
            sheet_names=("work_centers", "work_center", "workcenters", "machines"),
            columns=(
                Column(
                    "work_center",
                    True,
                    ("name", "code", "work_center_code", "work_center_name", "machine"),
                    "CNC Mill 1",
                    "The key: the work center's name, up to 80 characters.",
                ),
                Column("kind", False, ("type",), "mill", "saw, mill, lathe, deburr, weld, …"),
                Column("hours_per_day", False, ("hours", "capacity_hours"), "16", "0 to 24."),
                Column("active", False, ("in_use",), "yes", "yes or no."),
            ),
        ),
    ),
)

PARTS = Kind(
    slug="parts",
    label="Parts with revisions",
    key="part number + revision",
    sheets=(
        SheetSpec(
            name="Parts",
            sheet_names=("parts", "part", "revisions", "items"),
            columns=(
                Column(
                    "part_number",
                    True,
                    ("part", "part_no", "item", "item_number", "number"),
                    "NP-220",
                    "With the revision, the key. One row per revision.",
                ),
                Column("revision", True, ("rev", "revision_code"), "A", "A, B, 02, 1.1 …"),
                Column("description", False, ("part_description",), "Pump housing"),
                Column("material", False, (), "6061-T6 aluminum"),
                Column(
                    "customer_code",
                    False,
                    ("customer", "cust_code"),
                    "NWP",
                    "A customer code already in ShopDesk.",
                ),
                Column(
                    "revision_status",
                    False,
                    ("status", "rev_status"),
                    "released",
                    "draft (default), released or superseded.",
                ),
                Column("revision_note", False, ("note", "change_note"), "First release"),
            ),
        ),
    ),
)

JOBS = Kind(
    slug="jobs",
    label="Open jobs with routings",
    key="job number (and sequence for the routing)",
    sheets=(
        SheetSpec(
            name="Jobs",
            sheet_names=("jobs", "job", "work_orders", "orders"),
            columns=(
                Column(
                    "job_number",
                    True,
                    ("job", "job_no", "work_order", "wo", "wo_number"),
                    "J-1042",
                    "The key: 1042 or J-1042.",
                ),
                Column("customer_code", True, ("customer", "cust_code"), "NWP"),
                Column("part_number", True, ("part", "part_no", "item"), "NP-220"),
                Column(
                    "revision", False, ("rev",), "A", "Blank: the released (or newest) revision."
                ),
                Column("quantity", False, ("qty", "order_qty"), "100"),
                Column("due_date", False, ("due", "ship_date", "required_date"), "2026-03-15"),
                Column("customer_po", False, ("po", "po_number"), "PO-4471"),
                Column("priority", False, (), "normal", "low, normal, high or hot (or 1-4)."),
                Column(
                    "material_status",
                    False,
                    ("material",),
                    "from stock",
                    "not ordered, ordered, received or from stock.",
                ),
                Column("owner", False, ("planner",), "", "The username of a person in the shop."),
                Column("notes", False, ("note", "comments"), ""),
                Column(
                    "status",
                    False,
                    ("state", "job_status"),
                    "planned",
                    "planned (default) or released.",
                ),
            ),
        ),
        SheetSpec(
            name="Routing",
            sheet_names=("routing", "routings", "operations", "ops"),
            optional=True,
            columns=(
                Column("job_number", True, ("job", "job_no", "work_order", "wo"), "J-1042"),
                Column(
                    "sequence",
                    True,
                    ("seq", "op", "op_no", "operation_number", "step"),
                    "10",
                    "Orders the operations: 10, 20, 30 or 1, 2, 3.",
                ),
                Column(
                    "work_center",
                    True,
                    ("work_center_code", "work_center_name", "machine", "resource"),
                    "CNC Mill 1",
                ),
                Column("operation", False, ("name", "operation_name", "description"), "Mill"),
                Column("setup_minutes", False, ("setup", "setup_min"), "30"),
                Column("run_minutes", False, ("run", "run_min", "run_minutes_per_part"), "2.5"),
                Column("instructions", False, ("notes", "instruction"), ""),
            ),
        ),
    ),
)

KINDS: dict[str, Kind] = {kind.slug: kind for kind in (CUSTOMERS, WORK_CENTERS, PARTS, JOBS)}
