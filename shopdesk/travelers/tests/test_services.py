import pytest

from shopdesk.core.errors import ActionRefused, InvalidInput, PermissionRefused
from shopdesk.core.models import Event, PaperSize
from shopdesk.jobs import services as job_services
from shopdesk.travelers import services
from shopdesk.travelers.models import Traveler


def test_print_records_revision_paper_size_and_event(released_job, supervisor, shop):
    shop.paper_size = PaperSize.A4
    shop.save()
    released_job.shop.refresh_from_db()

    traveler = services.traveler_print(user=supervisor, job=released_job)

    assert traveler.job == released_job
    assert traveler.revision == released_job.revision
    assert traveler.paper_size == PaperSize.A4
    assert traveler.printed_by == supervisor
    assert len(traveler.token) >= 20
    event = Event.objects.filter(job=released_job, kind="traveler.printed").get()
    assert event.summary.startswith("Traveler printed")
    assert event.actor == supervisor


def test_every_print_is_a_new_record_with_a_new_token(released_job, supervisor):
    first = services.traveler_print(user=supervisor, job=released_job)
    second = services.traveler_print(user=supervisor, job=released_job)
    assert first.pk != second.pk
    assert first.token != second.token
    assert Traveler.objects.filter(job=released_job).count() == 2


def test_planned_job_can_be_printed_before_release(planned_job, owner):
    traveler = services.traveler_print(user=owner, job=planned_job)
    assert traveler.job == planned_job


def test_operator_may_not_print(released_job, operator):
    with pytest.raises(PermissionRefused):
        services.traveler_print(user=operator, job=released_job)
    assert not Traveler.objects.exists()


def test_other_shops_job_is_refused(other_job, supervisor):
    with pytest.raises(InvalidInput):
        services.traveler_print(user=supervisor, job=other_job)
    assert not Traveler.objects.exists()


def test_closed_job_is_not_printed(released_job, supervisor):
    job_services.job_close(user=supervisor, job=released_job, reason="Customer cancelled")
    released_job.refresh_from_db()
    with pytest.raises(ActionRefused, match="closed"):
        services.traveler_print(user=supervisor, job=released_job)
    assert not Traveler.objects.exists()


def test_revoke_records_who_and_when_once(released_job, supervisor):
    traveler = services.traveler_print(user=supervisor, job=released_job)
    revoked = services.traveler_revoke(user=supervisor, traveler=traveler)
    assert revoked.is_revoked and revoked.revoked_by == supervisor
    assert Event.objects.filter(job=released_job, kind="traveler.revoked").count() == 1

    with pytest.raises(ActionRefused, match="already revoked"):
        services.traveler_revoke(user=supervisor, traveler=revoked)
    assert Event.objects.filter(job=released_job, kind="traveler.revoked").count() == 1


def test_operator_may_not_revoke(released_job, supervisor, operator):
    traveler = services.traveler_print(user=supervisor, job=released_job)
    with pytest.raises(PermissionRefused):
        services.traveler_revoke(user=operator, traveler=traveler)
    traveler.refresh_from_db()
    assert not traveler.is_revoked


def test_outsider_may_not_revoke(released_job, supervisor, outsider):
    traveler = services.traveler_print(user=supervisor, job=released_job)
    with pytest.raises(InvalidInput):
        services.traveler_revoke(user=outsider, traveler=traveler)
    traveler.refresh_from_db()
    assert not traveler.is_revoked
