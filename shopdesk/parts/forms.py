"""Part forms; the customer choice is limited to the caller's shop."""

from __future__ import annotations

from typing import Any

from django import forms

from shopdesk.core.models import Shop
from shopdesk.customers.models import Customer
from shopdesk.parts.models import DocumentKind


class PartForm(forms.Form):
    number = forms.CharField(max_length=60, label="Part number")
    revision = forms.CharField(
        max_length=10,
        initial="A",
        label="First revision",
        help_text="Starts as a draft: upload its files, then release it.",
    )
    description = forms.CharField(max_length=200, required=False)
    material = forms.CharField(max_length=120, required=False)
    customer = forms.ModelChoiceField(
        queryset=Customer.objects.none(), required=False, empty_label="Any customer"
    )

    def __init__(self, *args: Any, shop: Shop, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = Customer.objects.filter(shop=shop).order_by("name")
        if editing:
            # The current revision is derived from the released one; it is never typed in.
            del self.fields["revision"]


class RevisionForm(forms.Form):
    code = forms.CharField(max_length=10, label="Revision", strip=True)
    note = forms.CharField(max_length=500, required=False, label="What changed", strip=True)


class DocumentKindForm(forms.Form):
    kind = forms.ChoiceField(choices=DocumentKind.choices, initial=DocumentKind.DRAWING)
