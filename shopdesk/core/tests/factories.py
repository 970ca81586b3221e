"""Factories for every test: shops, people, customers, parts, work centers, jobs."""

from __future__ import annotations

import datetime
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from shopdesk.core.models import Membership, Role, Shop
from shopdesk.customers.models import Customer
from shopdesk.jobs.models import Job, JobStage, Operation, WorkCenter, WorkCenterKind
from shopdesk.parts.models import (
    Document,
    DocumentKind,
    Part,
    PartRevision,
    RevisionStatus,
    StoredFile,
)

PASSWORD = "correct horse battery"


class ShopFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Shop

    name = factory.Sequence(lambda n: f"Shop {n}")
    slug = factory.Sequence(lambda n: f"shop-{n}")
    # Tests that need a shift end set one; labor otherwise runs until paused.
    shift_end_time = None


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            obj.save()


def member(shop: Shop, role: str = Role.SUPERVISOR, **user_fields) -> object:
    """A user with a membership in `shop`."""
    user = UserFactory(**user_fields)
    Membership.objects.create(user=user, shop=shop, role=role)
    return user


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    shop = factory.SubFactory(ShopFactory)
    name = factory.Sequence(lambda n: f"Customer {n}")
    code = factory.Sequence(lambda n: f"C{n}")


class PartFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Part
        # The hook below creates a revision row; the part itself is not changed by it.
        skip_postgeneration_save = True

    shop = factory.SubFactory(ShopFactory)
    customer = factory.SubFactory(CustomerFactory, shop=factory.SelfAttribute("..shop"))
    number = factory.Sequence(lambda n: f"P-{1000 + n}")
    description = "Bracket, 6061-T6"
    revision = "A"

    @factory.post_generation
    def released_revision(part, create, extracted, **kwargs):  # noqa: N805
        """Every factory part has its revision released (pass released_revision=False to skip).
        Documents are added with DocumentFactory where a test needs them."""
        if create and extracted is not False:
            PartRevision.objects.create(
                shop=part.shop,
                part=part,
                code=part.revision,
                status=RevisionStatus.RELEASED,
                released_at=part.created_at,
            )


class WorkCenterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkCenter

    shop = factory.SubFactory(ShopFactory)
    name = factory.Sequence(lambda n: f"Work center {n}")
    kind = WorkCenterKind.MILL
    hours_per_day = Decimal("8")


class JobFactory(factory.django.DjangoModelFactory):
    """A planned job; use `released_job()` for one on the floor."""

    class Meta:
        model = Job

    shop = factory.SubFactory(ShopFactory)
    number = factory.Sequence(lambda n: 5001 + n)
    customer = factory.SubFactory(CustomerFactory, shop=factory.SelfAttribute("..shop"))
    part = factory.SubFactory(
        PartFactory,
        shop=factory.SelfAttribute("..shop"),
        customer=factory.SelfAttribute("..customer"),
    )
    revision = "A"
    part_revision = factory.LazyAttribute(
        lambda job: job.part.revisions.filter(code=job.revision).first()
    )
    quantity = 100
    customer_po = factory.Sequence(lambda n: f"PO-{7000 + n}")
    due_date = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=14))
    stage = JobStage.PLANNED
    # Derived like jobs.derive does, so a factory job with a stage is consistent.
    is_open = factory.LazyAttribute(lambda job: job.stage in JobStage.open_stages())


class OperationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Operation

    job = factory.SubFactory(JobFactory)
    sequence = factory.Sequence(lambda n: n + 1)
    work_center = factory.SubFactory(WorkCenterFactory, shop=factory.SelfAttribute("..job.shop"))
    name = factory.LazyAttribute(lambda op: op.work_center.name)
    setup_minutes = Decimal("30")
    run_minutes = Decimal("2.5")


# The smallest PDF a viewer opens: one blank page. Used where a test needs a drawing on file.
TINY_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


class PartRevisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartRevision

    part = factory.SubFactory(PartFactory)
    shop = factory.SelfAttribute("part.shop")
    code = factory.Sequence(lambda n: f"R{n}")
    status = RevisionStatus.DRAFT


def stored_file(shop: Shop, content: bytes = TINY_PDF, content_type: str = "application/pdf"):
    """The shop's stored copy of `content`, written to the documents storage once."""
    import hashlib

    from django.core.files.base import ContentFile

    sha256 = hashlib.sha256(content).hexdigest()
    existing = StoredFile.objects.filter(shop=shop, sha256=sha256).first()
    if existing:
        return existing
    stored = StoredFile(shop=shop, sha256=sha256, size=len(content), content_type=content_type)
    stored.blob.save(sha256, ContentFile(content), save=True)
    return stored


class DocumentFactory(factory.django.DjangoModelFactory):
    """A current document on a revision; the content is TINY_PDF unless `content` is given."""

    class Meta:
        model = Document
        exclude = ["content"]

    revision = factory.SubFactory(PartRevisionFactory)
    shop = factory.SelfAttribute("revision.shop")
    kind = DocumentKind.DRAWING
    name = factory.Sequence(lambda n: f"drawing-{n}.pdf")
    content = TINY_PDF
    stored = factory.LazyAttribute(lambda doc: stored_file(doc.shop, doc.content))
