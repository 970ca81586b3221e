"""Fixtures for the batch tests (see batch_helpers)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from shopdesk.jobs.models import Job
from shopdesk.travelers.tests.batch_helpers import IMMEDIATE_TASKS, SITE, make_job


@pytest.fixture
def make_ready_job(supervisor, customer, part, work_centers) -> Callable[..., Job]:
    def make(**options) -> Job:
        return make_job(supervisor, customer, part, work_centers, **options)

    return make


@pytest.fixture
def immediate_tasks(settings):
    """Run background tasks inline, so a batch's PDF is made before the request returns."""
    settings.TASKS = IMMEDIATE_TASKS
    settings.SITE_URL = SITE
    return settings
