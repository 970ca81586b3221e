from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm

from shopdesk.core.models import Membership


class LoginForm(AuthenticationForm):
    """Django's sign-in form, refusing accounts that belong to no shop (they would land on
    pages that have nothing to show them)."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "That username and password do not match. Passwords are case-sensitive.",
        "no_shop": "This account does not belong to a shop yet. Ask your shop's owner to add you.",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update(
            {"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"}
        )
        self.fields["password"].widget.attrs["autocomplete"] = "current-password"

    def confirm_login_allowed(self, user: Any) -> None:
        super().confirm_login_allowed(user)
        if not Membership.objects.filter(user=user).exists():
            raise forms.ValidationError(self.error_messages["no_shop"], code="no_shop")


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        max_length=80,
        required=False,
        strip=True,
        help_text="What will use it, e.g. “ERP sync” or “Line 2 tablet”.",
    )
    # A one-time id rendered with the form, so a double-clicked submit creates one token.
    form_id = forms.RegexField(regex=r"^[A-Za-z0-9_-]{16,64}$", widget=forms.HiddenInput)
