"""`manage.py load_demo`: the demo shops, once. Does nothing when any shop exists."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from shopdesk.core.models import Shop
from shopdesk.demo.shops import demo_load


class Command(BaseCommand):
    help = (
        "Load the demo shops (Demo Machine Works with 150 jobs at every stage, and Demo "
        "Anodizing Co). Does nothing when the database already has a shop."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()

        def progress(message: str) -> None:
            # Each step as it begins, so the minute it takes is not a silent one.
            self.stdout.write(message)
            self.stdout.flush()

        if not Shop.objects.exists():
            self.stdout.write("Loading the demo shops (about a minute)…")
        summary = demo_load(progress=progress)
        if summary is None:
            names = ", ".join(Shop.objects.order_by("id").values_list("name", flat=True)[:3])
            self.stdout.write(
                f"Demo data not loaded: the database already has shops ({names}). "
                "Nothing was changed."
            )
            return
        elapsed = time.monotonic() - started
        # The logins are printed once, by the server when it starts (scripts/serve.py).
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data loaded in {elapsed:.1f} s: "
                + ", ".join(shop.name for shop in summary.shops)
                + f" ({summary.jobs} jobs in {summary.shops[0].name})."
            )
        )
