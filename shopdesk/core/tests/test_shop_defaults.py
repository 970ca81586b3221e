"""What a new shop starts with."""

from __future__ import annotations

import datetime

import pytest

from shopdesk.core.models import Shop

pytestmark = pytest.mark.django_db


def test_a_new_shop_closes_labor_at_a_default_shift_end():
    # Labor left running overnight would count as sixteen hours of work on the job.
    shop = Shop.objects.create(name="New Shop", slug="new-shop")
    assert shop.shift_end_time == datetime.time(17, 0)
