"""Forms for customers and their contacts; the services check the same limits again."""

from __future__ import annotations

from django import forms


class CustomerForm(forms.Form):
    name = forms.CharField(max_length=120)
    code = forms.CharField(
        max_length=20, required=False, help_text="Short name used on the floor, e.g. NWP."
    )
    email = forms.EmailField(max_length=254, required=False)
    phone = forms.CharField(max_length=40, required=False)
    notes = forms.CharField(
        max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class ContactForm(forms.Form):
    name = forms.CharField(max_length=120)
    title = forms.CharField(max_length=80, required=False)
    email = forms.EmailField(max_length=254, required=False)
    phone = forms.CharField(max_length=40, required=False)
