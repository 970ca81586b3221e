"""Create an API token for a person and print it (the only time it is shown)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from shopdesk.core.errors import ShopDeskError
from shopdesk.core.models import Membership
from shopdesk.core.services import api_token_create


class Command(BaseCommand):
    help = "Create an API token for USERNAME and print it. Store it now: it is shown once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="", help="What the token is for, e.g. 'ERP sync'.")

    def handle(self, *args: Any, username: str, name: str, **options: Any) -> None:
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user named {username!r}.")
        if not user.is_active:
            raise CommandError(f"{username} is deactivated; a token would not work.")
        membership = Membership.objects.select_related("shop").filter(user=user).first()
        if membership is None:
            raise CommandError(f"{username} does not belong to a shop; a token would not work.")
        user.membership = membership
        if len(name) > 80:
            raise CommandError("The name is at most 80 characters.")
        try:
            token, raw = api_token_create(user=user, name=name)
        except ShopDeskError as refused:
            raise CommandError(refused.message) from refused
        self.stdout.write(raw)
        self.stderr.write(
            f"Token {token.prefix}… for {username} at {membership.shop}. It is not shown again."
        )
