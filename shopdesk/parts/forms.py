"""The part form; the customer choice is limited to the caller's shop."""

from __future__ import annotations

from typing import Any

from django import forms

from shopdesk.core.models import Shop
from shopdesk.customers.models import Customer


class PartForm(forms.Form):
    number = forms.CharField(max_length=60, label="Part number")
    revision = forms.CharField(
        max_length=10, initial="A", help_text="The current revision; new jobs take it."
    )
    description = forms.CharField(max_length=200, required=False)
    material = forms.CharField(max_length=120, required=False)
    customer = forms.ModelChoiceField(
        queryset=Customer.objects.none(), required=False, empty_label="Any customer"
    )

    def __init__(self, *args: Any, shop: Shop, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = Customer.objects.filter(shop=shop).order_by("name")
