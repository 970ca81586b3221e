"""`manage.py load_demo`: the demo shops, once. Does nothing when any shop exists."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from shopdesk.core.demo import DEMO_BADGE, DEMO_PASSWORD, DEMO_PIN, FLOOR_CREW, demo_load
from shopdesk.core.models import Shop


class Command(BaseCommand):
    help = (
        "Load the demo shops (Demo Machine Works with 150 jobs at every stage, and Demo "
        "Anodizing Co). Does nothing when the database already has a shop."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        summary = demo_load()
        if summary is None:
            names = ", ".join(Shop.objects.order_by("id").values_list("name", flat=True)[:3])
            self.stdout.write(
                f"Demo data not loaded: the database already has shops ({names}). "
                "Nothing was changed."
            )
            return
        elapsed = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data loaded in {elapsed:.1f} s: "
                + ", ".join(shop.name for shop in summary.shops)
                + f" ({summary.jobs} jobs in {summary.shops[0].name})."
            )
        )
        self.stdout.write(f"\nDemo logins (password for all: {DEMO_PASSWORD})")
        width = max(len(login.username) for login in summary.logins)
        for login in summary.logins:
            self.stdout.write(
                f"  {login.username:<{width}}  {login.role:<10}  {login.shop:<18}  {login.does}"
            )
        self.stdout.write(
            f"\nKiosk: sign in as supervisor and open /kiosk/setup/ on the tablet, then the "
            f"operator signs in with badge {DEMO_BADGE} and PIN {DEMO_PIN}; the rest of the "
            f"crew ({', '.join(first for _user, first, _last, _badge in FLOOR_CREW)}) with "
            f"badges {FLOOR_CREW[0][3]}-{FLOOR_CREW[-1][3]} and the same PIN."
        )
