"""Forms for planning: the job header, its routing rows, operations and work centers.

Forms only parse and bound what people type; the services decide what is allowed. Every
choice field is limited to the caller's shop, so another shop's id is simply not a choice.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q

from shopdesk.core.models import Shop
from shopdesk.customers.models import Customer
from shopdesk.jobs.models import MaterialStatus, Priority, WorkCenter, WorkCenterKind
from shopdesk.jobs.services.jobs import MAX_QUANTITY
from shopdesk.jobs.services.routing import MAX_MINUTES
from shopdesk.parts.models import Part

MAX_OPERATIONS = 200


def new_form_id() -> str:
    """A new-job form's one-time id, kept with the job it creates as its client id."""
    return str(uuid.uuid4())


class PartSelect(forms.Select):
    """A part select whose options carry the part's revision and customer, so the page can
    show the revision the job will get."""

    def create_option(self, name: str, value: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option = super().create_option(name, value, *args, **kwargs)
        part = getattr(value, "instance", None)
        if isinstance(part, Part):
            option["attrs"]["data-revision"] = part.revision
            option["attrs"]["data-customer"] = part.customer_id or ""
        return option


class PartChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Part) -> str:
        label = f"{obj.number} rev {obj.revision}"
        return f"{label} · {obj.description}" if obj.description else label


class OwnerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.get_full_name() or obj.username


def _minutes_field(label: str) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=False,
        min_value=Decimal("0"),
        max_value=MAX_MINUTES,
        max_digits=8,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "any", "min": "0", "inputmode": "decimal"}),
    )


def work_centers_to_choose(shop: Shop, current: WorkCenter | None = None) -> Any:
    """Active work centers, plus the one an operation already uses if it was deactivated."""
    keep = Q(active=True)
    if current is not None:
        keep |= Q(pk=current.pk)
    return WorkCenter.objects.filter(shop=shop).filter(keep).order_by("name")


# The routing editor's choice for outside work: the operation runs at a supplier, named in the
# outside_vendor field, not at a work center.
OUTSIDE = "outside"
OUTSIDE_LABEL = "Outside (supplier)"


class _PlaceIterator(forms.models.ModelChoiceIterator):
    def __iter__(self) -> Any:
        yield from super().__iter__()
        yield (OUTSIDE, OUTSIDE_LABEL)

    def __len__(self) -> int:
        return super().__len__() + 1


class PlaceChoiceField(forms.ModelChoiceField):
    """Where an operation runs: one of the shop's work centers, or "Outside (supplier)"
    (cleaned to OUTSIDE)."""

    iterator = _PlaceIterator

    def to_python(self, value: Any) -> Any:
        if value == OUTSIDE:
            return OUTSIDE
        return super().to_python(value)


def _vendor_field() -> forms.CharField:
    return forms.CharField(
        label="Supplier",
        max_length=120,
        required=False,
        help_text="For outside work: the supplier's name.",
    )


def place_spec(cleaned: dict[str, Any]) -> dict[str, Any]:
    """The work center or the supplier of an operation, as the routing services take them."""
    if cleaned.get("work_center") == OUTSIDE:
        return {"work_center": None, "outside_vendor": cleaned.get("outside_vendor") or ""}
    return {"work_center": cleaned.get("work_center"), "outside_vendor": ""}


def _require_vendor(form: forms.Form) -> None:
    if (
        form.cleaned_data.get("work_center") == OUTSIDE
        and not (form.cleaned_data.get("outside_vendor") or "").strip()
    ):
        form.add_error("outside_vendor", "Name the supplier that does this operation.")


class JobForm(forms.Form):
    """The job's header. The revision is not edited here: a job moves to another revision
    from its live page, with a reason (see JobCreateForm for the revision a new job gets)."""

    customer = forms.ModelChoiceField(queryset=Customer.objects.none(), empty_label="Choose…")
    part = PartChoiceField(queryset=Part.objects.none(), empty_label="Choose…", widget=PartSelect)
    material_status = forms.ChoiceField(
        label="Material",
        choices=MaterialStatus.choices,
        required=False,
        help_text="Released once received or from stock.",
    )
    quantity = forms.IntegerField(
        min_value=1,
        max_value=MAX_QUANTITY,
        required=False,
        widget=forms.NumberInput(attrs={"min": "1", "inputmode": "numeric"}),
    )
    due_date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    customer_po = forms.CharField(label="Customer PO", max_length=60, required=False)
    priority = forms.TypedChoiceField(choices=Priority.choices, coerce=int, initial=Priority.NORMAL)
    owner = OwnerChoiceField(
        queryset=get_user_model().objects.none(), required=False, empty_label="Nobody yet"
    )
    notes = forms.CharField(
        max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, shop: Shop, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = Customer.objects.filter(shop=shop).order_by("name")
        self.fields["part"].queryset = Part.objects.filter(shop=shop).order_by("number")
        self.fields["owner"].queryset = (
            get_user_model()
            .objects.filter(membership__shop=shop, is_active=True)
            .order_by("first_name", "last_name", "username")
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        customer, part = cleaned.get("customer"), cleaned.get("part")
        # A part made for one customer on another customer's job is almost always a slip.
        if customer and part and part.customer_id and part.customer_id != customer.pk:
            self.add_error("part", f"{part.number} is {part.customer}'s part, not {customer}'s.")
        return cleaned

    def job_values(self) -> dict[str, Any]:
        values = {name: self.cleaned_data[name] for name in self.fields if name != "form_id"}
        if not values.get("material_status"):
            # Left out of the post: the job keeps its material status (a new one: not ordered).
            values.pop("material_status", None)
        return values


class JobCreateForm(JobForm):
    revision = forms.CharField(
        max_length=10,
        required=False,
        help_text="Blank: the part's current revision.",
    )
    # A one-time id rendered with the form, kept with the job it creates (Job.client_id): a
    # second submit of the same form opens the job the first one created.
    form_id = forms.UUIDField(widget=forms.HiddenInput)

    field_order = [
        "customer",
        "part",
        "revision",
        "material_status",
        "quantity",
        "due_date",
        "customer_po",
        "priority",
        "owner",
        "notes",
    ]

    def job_values(self) -> dict[str, Any]:
        values = super().job_values()
        values["revision"] = (values["revision"] or "").strip()
        return values


class RoutingRowForm(forms.Form):
    """One operation row of the new-job form. Rows left without a work center are skipped."""

    work_center = PlaceChoiceField(queryset=WorkCenter.objects.none(), empty_label="—")
    outside_vendor = _vendor_field()
    name = forms.CharField(max_length=120, required=False)
    setup_minutes = _minutes_field("Setup min")
    run_minutes = _minutes_field("Run min/part")

    def __init__(self, *args: Any, shop: Shop, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["work_center"].queryset = work_centers_to_choose(shop)
        self.fields["name"].widget.attrs["placeholder"] = "Work center's name"
        for name in ("setup_minutes", "run_minutes"):
            self.fields[name].widget.attrs["placeholder"] = "0"

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        _require_vendor(self)
        return cleaned

    def operation_spec(self) -> dict[str, Any]:
        return {
            **place_spec(self.cleaned_data),
            "name": self.cleaned_data["name"],
            "setup_minutes": self.cleaned_data["setup_minutes"] or Decimal("0"),
            "run_minutes": self.cleaned_data["run_minutes"] or Decimal("0"),
        }


RoutingFormSet = forms.formset_factory(
    RoutingRowForm,
    extra=3,
    max_num=MAX_OPERATIONS,
    validate_max=True,
    absolute_max=MAX_OPERATIONS,
)


class OperationForm(forms.Form):
    """Add or change one operation of a routing."""

    work_center = PlaceChoiceField(
        queryset=WorkCenter.objects.none(), empty_label="Choose…", label="Work center"
    )
    outside_vendor = _vendor_field()
    name = forms.CharField(
        max_length=120, required=False, help_text="Blank: the work center's name."
    )
    setup_minutes = _minutes_field("Setup min")
    run_minutes = _minutes_field("Run min / part")
    instructions = forms.CharField(
        max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(
        self, *args: Any, shop: Shop, current: WorkCenter | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["work_center"].queryset = work_centers_to_choose(shop, current)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        _require_vendor(self)
        return cleaned

    def operation_spec(self) -> dict[str, Any]:
        spec = {name: self.cleaned_data[name] for name in self.fields if name != "position"}
        spec.update(place_spec(self.cleaned_data))
        for name in ("setup_minutes", "run_minutes"):
            spec[name] = spec[name] or Decimal("0")
        return spec


class OperationAddForm(OperationForm):
    position = forms.IntegerField(
        min_value=1,
        max_value=MAX_OPERATIONS + 1,
        required=False,
        help_text="Blank: at the end.",
        widget=forms.NumberInput(attrs={"min": "1", "inputmode": "numeric"}),
    )


class WorkCenterForm(forms.Form):
    name = forms.CharField(max_length=80)
    kind = forms.ChoiceField(choices=WorkCenterKind.choices, initial=WorkCenterKind.OTHER)
    hours_per_day = forms.DecimalField(
        min_value=Decimal("0"),
        max_value=Decimal("24"),
        max_digits=4,
        decimal_places=1,
        initial=Decimal("8.0"),
        widget=forms.NumberInput(attrs={"step": "0.5", "min": "0", "max": "24"}),
    )
    active = forms.BooleanField(required=False, initial=True)
