"""GET /api/v1/jobs/{number}/traveler.pdf: the newest active traveler, printed if none."""

from __future__ import annotations

from django.utils import timezone

from shopdesk.travelers.models import Traveler


def test_the_first_request_prints_a_traveler_and_answers_its_pdf(supervisor_api, released_job):
    response = supervisor_api.get("/api/v1/jobs/J-1001/traveler.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert 'filename="J-1001-traveler.pdf"' in response["Content-Disposition"]
    assert Traveler.objects.filter(job=released_job).count() == 1

    again = supervisor_api.get("/api/v1/jobs/J-1001/traveler.pdf")
    assert again.status_code == 200
    assert Traveler.objects.filter(job=released_job).count() == 1


def test_a_revoked_traveler_is_not_served_again(supervisor_api, supervisor, released_job):
    old = Traveler.objects.create(
        shop=released_job.shop,
        job=released_job,
        revision="A",
        paper_size="letter",
        printed_by=supervisor,
        revoked_at=timezone.now(),
    )
    assert supervisor_api.get("/api/v1/jobs/J-1001/traveler.pdf").status_code == 200
    newest = Traveler.objects.filter(job=released_job).exclude(pk=old.pk).get()
    assert newest.revoked_at is None


def test_an_operator_fetches_an_existing_traveler_but_may_not_print(
    operator_api, supervisor, released_job
):
    assert operator_api.get("/api/v1/jobs/J-1001/traveler.pdf").status_code == 403
    assert Traveler.objects.count() == 0
    Traveler.objects.create(
        shop=released_job.shop,
        job=released_job,
        revision="A",
        paper_size="letter",
        printed_by=supervisor,
    )
    assert operator_api.get("/api/v1/jobs/J-1001/traveler.pdf").status_code == 200


def test_the_outsider_gets_404_and_nothing_is_printed(outsider_api, released_job):
    response = outsider_api.get("/api/v1/jobs/J-1001/traveler.pdf")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "errors": []}
    assert Traveler.objects.count() == 0


def test_an_unknown_job_and_no_token(supervisor_api, anonymous_api, released_job):
    assert supervisor_api.get("/api/v1/jobs/J-77/traveler.pdf").status_code == 404
    assert anonymous_api.get("/api/v1/jobs/J-1001/traveler.pdf").status_code == 401
    assert Traveler.objects.count() == 0
