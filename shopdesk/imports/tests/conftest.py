from __future__ import annotations

import pytest

from shopdesk.core.models import Role
from shopdesk.core.tests.factories import member


@pytest.fixture
def office(shop):
    return member(shop, Role.OFFICE, username="opal", first_name="Opal", last_name="Office")
