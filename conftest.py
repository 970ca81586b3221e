"""Named personas shared by every test module.

`shop` is Acme Machining with an owner, supervisor, operator and quality person;
`other_shop` is Beta Fabrication with `outsider`, who must see nothing of Acme; `contact` is
signed in without being a member of any shop (a customer's or supplier's contact) and must
see nothing of either.
"""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from shopdesk.core.models import Role

# Every app's API tests use the personas' API clients.
from shopdesk.core.tests.api_clients import (  # noqa: F401
    anonymous_api,
    operator_api,
    outsider_api,
    supervisor_api,
)
from shopdesk.core.tests.factories import (
    CustomerFactory,
    DocumentFactory,
    PartFactory,
    ShopFactory,
    UserFactory,
    WorkCenterFactory,
    member,
)
from shopdesk.jobs import services as job_services


def pytest_configure(config):
    from django.conf import settings

    # Real hashing costs ~0.2 s per persona; tests check behaviour, not hash strength.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _private_files_in_tmp(settings, tmp_path):
    """Documents and traveler batches go to a fresh directory per test, never var/files."""
    settings.STORAGES = {
        **settings.STORAGES,
        "documents": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "files"), "base_url": None},
        },
    }


@pytest.fixture
def shop(db):
    return ShopFactory(name="Acme Machining", slug="acme")


@pytest.fixture
def other_shop(db):
    return ShopFactory(name="Beta Fabrication", slug="beta")


@pytest.fixture
def owner(shop):
    return member(shop, Role.OWNER, username="olivia", first_name="Olivia", last_name="Owner")


@pytest.fixture
def supervisor(shop):
    return member(shop, Role.SUPERVISOR, username="sam", first_name="Sam", last_name="Supervisor")


@pytest.fixture
def operator(shop):
    return member(shop, Role.OPERATOR, username="oscar", first_name="Oscar", last_name="Operator")


@pytest.fixture
def quality(shop):
    return member(shop, Role.QUALITY, username="quinn", first_name="Quinn", last_name="Quality")


@pytest.fixture
def outsider(other_shop):
    return member(
        other_shop, Role.OWNER, username="xavier", first_name="Xavier", last_name="Outsider"
    )


@pytest.fixture
def contact(db):
    return UserFactory(username="cora", first_name="Cora", last_name="Contact")


def _client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def supervisor_client(supervisor):
    return _client_for(supervisor)


@pytest.fixture
def operator_client(operator):
    return _client_for(operator)


@pytest.fixture
def outsider_client(outsider):
    return _client_for(outsider)


@pytest.fixture
def contact_client(contact):
    return _client_for(contact)


@pytest.fixture
def customer(shop):
    return CustomerFactory(shop=shop, name="Northwind Pumps")


def _with_drawing(part):
    """The part, with a current drawing on its released revision (what the release gate asks)."""
    DocumentFactory(revision=part.revisions.get(status="released"), name=f"{part.number}.pdf")
    return part


@pytest.fixture
def part(shop, customer):
    """NP-220 with revision A released and its drawing NP-220.pdf on it."""
    return _with_drawing(
        PartFactory(shop=shop, customer=customer, number="NP-220", description="Pump housing")
    )


@pytest.fixture
def work_centers(shop):
    return [
        WorkCenterFactory(shop=shop, name="Saw", kind="saw"),
        WorkCenterFactory(shop=shop, name="CNC Mill", kind="mill"),
        WorkCenterFactory(shop=shop, name="Inspection", kind="inspection"),
    ]


@pytest.fixture
def planned_job(supervisor, customer, part, work_centers):
    """J-1001: 100 pump housings from stock, three operations, not yet released."""
    return job_services.job_create(
        user=supervisor,
        customer=customer,
        part=part,
        material_status="from_stock",
        quantity=100,
        due_date=timezone.localdate() + datetime.timedelta(days=10),
        customer_po="PO-4471",
        operations=[
            {"work_center": wc, "name": wc.name, "setup_minutes": 30, "run_minutes": 2}
            for wc in work_centers
        ],
    )


@pytest.fixture
def released_job(supervisor, planned_job):
    return job_services.job_release(user=supervisor, job=planned_job)


@pytest.fixture
def other_job(outsider, other_shop):
    """A released job of Beta Fabrication, the shop the outsider belongs to."""
    customer = CustomerFactory(shop=other_shop, name="Beta Customer")
    part = _with_drawing(PartFactory(shop=other_shop, customer=customer, number="B-1"))
    work_center = WorkCenterFactory(shop=other_shop, name="Beta Mill")
    job = job_services.job_create(
        user=outsider,
        customer=customer,
        part=part,
        material_status="received",
        quantity=5,
        due_date=timezone.localdate() + datetime.timedelta(days=3),
        operations=[{"work_center": work_center, "name": "Mill"}],
    )
    return job_services.job_release(user=outsider, job=job)
