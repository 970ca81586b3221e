"""/api/v1/traveler-batches: release and print many jobs, follow the progress, fetch the PDF."""

from __future__ import annotations

import pytest

from shopdesk.core.models import Event
from shopdesk.core.tests.factories import CustomerFactory, PartFactory, WorkCenterFactory
from shopdesk.jobs.models import Job, JobState
from shopdesk.travelers import pdf as traveler_pdf_module
from shopdesk.travelers.batch import empty_report
from shopdesk.travelers.models import BatchStatus, Traveler, TravelerBatch
from shopdesk.travelers.tests.batch_helpers import IMMEDIATE_TASKS, backdate, make_job

URL = "/api/v1/traveler-batches"


@pytest.fixture
def inline_tasks(settings):
    settings.TASKS = IMMEDIATE_TASKS
    return settings


@pytest.fixture
def ready(supervisor, customer, part, work_centers):
    def make(**options) -> Job:
        return make_job(supervisor, customer, part, work_centers, **options)

    return make


def _create(api, capture, body):
    with capture(execute=True):
        return api.post(URL, body)


def test_create_releases_prints_and_reports(
    supervisor_api, ready, inline_tasks, django_capture_on_commit_callbacks
):
    good = ready()
    bad = ready(quantity=None)
    response = _create(
        supervisor_api,
        django_capture_on_commit_callbacks,
        {"job_numbers": [good.display_number, bad.display_number, "1001", "nope"]},
    )
    assert response.status_code == 201
    body = response.json()
    batch = TravelerBatch.objects.get()
    assert body["id"] == batch.pk
    assert body["total"] == 1
    assert body["report"]["released"] == [good.display_number]
    assert body["report"]["printed"] == [good.display_number]
    assert body["report"]["refused"] == [
        {"job": bad.display_number, "reasons": ["Set a quantity."]}
    ]
    assert body["report"]["not_found"] == ["nope"]
    assert "traveler_ids" not in body["report"]

    progress = supervisor_api.get(f"{URL}/{batch.pk}").json()
    assert progress["status"] == "done"
    assert progress["stalled"] is False and progress["attempt"] == 1
    assert (progress["done"], progress["total"], progress["percent"]) == (1, 1, 100)
    assert progress["pdf_url"] == f"{URL}/{batch.pk}/pdf"

    pdf = supervisor_api.get(progress["pdf_url"])
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"] == f'inline; filename="travelers-batch-{batch.pk}.pdf"'
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")


def test_release_false_prints_only(
    supervisor_api, ready, inline_tasks, django_capture_on_commit_callbacks
):
    job = ready()
    response = _create(
        supervisor_api,
        django_capture_on_commit_callbacks,
        {"job_numbers": [job.display_number], "release": False},
    )
    assert response.status_code == 201
    job.refresh_from_db()
    assert job.state == JobState.PLANNED
    assert response.json()["report"]["printed"] == [job.display_number]


def test_a_queued_batch_answers_its_progress_and_no_pdf_yet(
    supervisor_api, ready, django_capture_on_commit_callbacks
):
    job = ready()
    # The database backend: the task waits for the worker, so the batch stays queued.
    response = _create(
        supervisor_api, django_capture_on_commit_callbacks, {"job_numbers": [job.display_number]}
    )
    batch_id = response.json()["id"]
    progress = supervisor_api.get(f"{URL}/{batch_id}").json()
    assert (progress["status"], progress["done"], progress["total"]) == ("queued", 0, 1)
    assert progress["pdf_url"] is None
    pdf = supervisor_api.get(f"{URL}/{batch_id}/pdf")
    assert pdf.status_code == 409
    assert pdf.json()["detail"] == "The PDF is not ready yet: 0 of 1 travelers done."


def test_a_failed_batch_says_why_and_has_no_pdf(supervisor_api, shop, supervisor):
    batch = TravelerBatch.objects.create(
        shop=shop,
        created_by=supervisor,
        status=BatchStatus.FAILED,
        total=3,
        done=1,
        error="Printing stopped at traveler 2 of 3 (J-1002): disk full",
        report=empty_report(),
    )
    body = supervisor_api.get(f"{URL}/{batch.pk}").json()
    assert body["status"] == "failed" and "disk full" in body["error"]
    response = supervisor_api.get(f"{URL}/{batch.pk}/pdf")
    assert response.status_code == 409 and "disk full" in response.json()["detail"]


# Bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"job_numbers": []}, "job_numbers"),
        ({"job_numbers": [" ", ""]}, "job_numbers"),
        ({"job_numbers": [f"J-{n}" for n in range(1, 202)]}, "job_numbers"),
        ({"job_numbers": "J-1001"}, "job_numbers"),
        ({"job_numbers": [1001]}, "job_numbers.0"),
        ({"job_numbers": ["x" * 21]}, "job_numbers.0"),
        ({"job_numbers": ["J-1\x00001"]}, "job_numbers.0"),
        ({"job_numbers": ["J-1"] * 1001}, "job_numbers"),
        ({}, "job_numbers"),
        ({"job_numbers": ["J-1001"], "release": "maybe"}, "release"),
        ({"job_numbers": ["J-1001"], "color": "red"}, "color"),
    ],
)
def test_bad_input_is_a_422_naming_the_field_and_changes_nothing(
    supervisor_api, ready, body, field
):
    job = ready()
    response = supervisor_api.post(URL, body)
    assert response.status_code == 422, response.content
    assert field in [error["field"] for error in response.json()["errors"]]
    assert not TravelerBatch.objects.exists() and not Traveler.objects.exists()
    job.refresh_from_db()
    assert job.state == JobState.PLANNED


def test_201_jobs_say_the_limit(supervisor_api, ready):
    ready()
    response = supervisor_api.post(URL, {"job_numbers": [f"J-{n}" for n in range(1, 202)]})
    assert response.status_code == 422
    assert response.json()["detail"].startswith("At most 200 jobs per batch; 201 were selected")


def test_duplicates_count_once(
    supervisor_api, ready, inline_tasks, django_capture_on_commit_callbacks
):
    job = ready()
    response = _create(
        supervisor_api,
        django_capture_on_commit_callbacks,
        {"job_numbers": [job.display_number, "1001", "j-1001", " J-1001 "]},
    )
    assert response.json()["total"] == 1
    assert Traveler.objects.filter(job=job).count() == 1


def test_not_json_is_refused(supervisor_api):
    response = supervisor_api.post(URL, raw="{job_numbers")
    assert response.status_code == 400


# Permissions and tenancy -----------------------------------------------------------------


def test_an_operator_may_not_start_or_follow_batches(operator_api, ready, shop):
    job = ready()
    assert operator_api.post(URL, {"job_numbers": [job.display_number]}).status_code == 403
    batch = TravelerBatch.objects.create(shop=shop, total=1, report=empty_report())
    assert operator_api.get(f"{URL}/{batch.pk}").status_code == 403
    assert operator_api.get(f"{URL}/{batch.pk}/pdf").status_code == 403


def test_anonymous_gets_401(anonymous_api, shop):
    batch = TravelerBatch.objects.create(shop=shop, total=1, report=empty_report())
    assert anonymous_api.post(URL, {"job_numbers": ["J-1001"]}).status_code == 401
    assert anonymous_api.get(f"{URL}/{batch.pk}").status_code == 401


def test_another_shops_batch_is_not_found(outsider_api, shop, supervisor):
    batch = TravelerBatch.objects.create(
        shop=shop, created_by=supervisor, total=1, report=empty_report()
    )
    for path in (f"{URL}/{batch.pk}", f"{URL}/{batch.pk}/pdf"):
        response = outsider_api.get(path)
        assert response.status_code == 404
        assert response.json() == {"detail": "Not found.", "errors": []}


@pytest.mark.parametrize("batch_id", ["abc", "0", "-1", "99999", str(2**63), "1e3"])
def test_ids_that_are_no_batch_are_not_found(supervisor_api, batch_id):
    assert supervisor_api.get(f"{URL}/{batch_id}").status_code == 404
    assert supervisor_api.get(f"{URL}/{batch_id}/pdf").status_code == 404


def test_another_shops_job_numbers_are_not_found_and_not_touched(
    supervisor_api, outsider, other_shop, ready, inline_tasks, django_capture_on_commit_callbacks
):
    ready()
    side = (
        outsider,
        CustomerFactory(shop=other_shop),
        PartFactory(shop=other_shop),
        [WorkCenterFactory(shop=other_shop)],
    )
    make_job(*side)
    theirs = make_job(*side)  # J-1002, a number only the other shop has
    response = _create(
        supervisor_api, django_capture_on_commit_callbacks, {"job_numbers": ["J-1002"]}
    )
    assert response.status_code == 201
    assert response.json()["report"]["not_found"] == ["J-1002"]
    theirs.refresh_from_db()
    assert theirs.state == JobState.PLANNED
    assert not Traveler.objects.filter(job=theirs).exists()


def test_progress_costs_a_fixed_number_of_queries(
    supervisor_api, shop, django_assert_max_num_queries
):
    small = TravelerBatch.objects.create(shop=shop, total=1, report=empty_report())
    big = TravelerBatch.objects.create(
        shop=shop,
        total=200,
        report={
            **empty_report(),
            "printed": [f"J-{n}" for n in range(200)],
            "refused": [{"job": f"J-{n}", "reasons": ["Set a quantity."]} for n in range(200)],
        },
    )
    for batch in (small, big):
        with django_assert_max_num_queries(3):
            assert supervisor_api.get(f"{URL}/{batch.pk}").status_code == 200


# Stalled batches and retry ---------------------------------------------------------------


def _batch(shop, status=BatchStatus.FAILED, **fields) -> TravelerBatch:
    return TravelerBatch.objects.create(
        shop=shop, status=status, **{"total": 4, "done": 2, "report": empty_report(), **fields}
    )


def _unchanged(batch) -> bool:
    return TravelerBatch.objects.values_list("status", "attempt", "done", "error").get(
        pk=batch.pk
    ) == (batch.status, batch.attempt, batch.done, batch.error)


def test_a_stalled_batch_says_so(supervisor_api, shop):
    queued = backdate(_batch(shop, BatchStatus.QUEUED, done=0), created_at=3)
    printing = backdate(_batch(shop, BatchStatus.RUNNING), created_at=30, progress_at=1)
    assert supervisor_api.get(f"{URL}/{queued.pk}").json()["stalled"] is True
    assert supervisor_api.get(f"{URL}/{printing.pk}").json()["stalled"] is False
    backdate(printing, progress_at=4)
    assert supervisor_api.get(f"{URL}/{printing.pk}").json()["stalled"] is True


def test_retry_of_a_failed_batch_makes_its_pdf(
    supervisor_api, ready, inline_tasks, django_capture_on_commit_callbacks, monkeypatch
):
    jobs = [ready() for _ in range(2)]
    real = traveler_pdf_module.traveler_document
    failures = [OSError("disk full")]

    def layout(traveler, *, url):
        if failures:
            raise failures.pop()
        return real(traveler, url=url)

    monkeypatch.setattr(traveler_pdf_module, "traveler_document", layout)
    created = _create(
        supervisor_api,
        django_capture_on_commit_callbacks,
        {"job_numbers": [job.display_number for job in jobs]},
    ).json()
    failed = supervisor_api.get(f"{URL}/{created['id']}").json()
    assert failed["status"] == "failed" and "disk full" in failed["error"]
    travelers = Traveler.objects.count()

    with django_capture_on_commit_callbacks(execute=True):
        response = supervisor_api.post(f"{URL}/{created['id']}/retry")
    assert response.status_code == 202
    assert response.json()["attempt"] == 2
    progress = supervisor_api.get(f"{URL}/{created['id']}").json()
    assert (progress["status"], progress["done"], progress["attempt"]) == ("done", 2, 2)
    assert progress["error"] == "" and progress["stalled"] is False
    assert progress["pdf_url"] == f"{URL}/{created['id']}/pdf"
    assert supervisor_api.get(progress["pdf_url"]).status_code == 200
    assert Traveler.objects.count() == travelers


def test_retry_answers_the_batch_queued_again(
    supervisor_api, shop, django_capture_on_commit_callbacks
):
    batch = backdate(_batch(shop, BatchStatus.RUNNING), created_at=30, progress_at=5)
    with django_capture_on_commit_callbacks() as callbacks:
        response = supervisor_api.post(f"{URL}/{batch.pk}/retry")
    assert response.status_code == 202
    body = response.json()
    assert (body["status"], body["done"], body["attempt"], body["stalled"]) == (
        "queued",
        0,
        2,
        False,
    )
    assert len(callbacks) == 1
    assert Event.objects.filter(kind="traveler_batch.retried", subject_id=batch.pk).count() == 1


@pytest.mark.parametrize(
    ("status", "minutes_ago", "detail"),
    [
        (BatchStatus.RUNNING, {"created_at": 30, "progress_at": 1}, "This batch is still printing"),
        (BatchStatus.QUEUED, {"created_at": 1}, "This batch is still printing"),
        (BatchStatus.DONE, {"created_at": 30}, "This batch is already done"),
    ],
)
def test_retry_of_a_batch_printing_or_done_is_a_409(
    supervisor_api, shop, status, minutes_ago, detail
):
    batch = backdate(_batch(shop, status), **minutes_ago)
    response = supervisor_api.post(f"{URL}/{batch.pk}/retry")
    assert response.status_code == 409
    assert response.json()["detail"].startswith(detail)
    assert _unchanged(batch)
    assert not Event.objects.filter(kind="traveler_batch.retried").exists()


def test_retry_of_another_shops_batch_is_not_found(outsider_api, shop):
    batch = _batch(shop, error="disk full")
    response = outsider_api.post(f"{URL}/{batch.pk}/retry")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "errors": []}
    assert _unchanged(batch)


def test_an_operator_may_not_retry(operator_api, shop):
    batch = _batch(shop)
    assert operator_api.post(f"{URL}/{batch.pk}/retry").status_code == 403
    assert _unchanged(batch)


def test_anonymous_retry_gets_401(anonymous_api, shop):
    batch = _batch(shop)
    assert anonymous_api.post(f"{URL}/{batch.pk}/retry").status_code == 401
    assert _unchanged(batch)


@pytest.mark.parametrize("batch_id", ["abc", "0", "-1", "99999", str(2**63), "1e3", "9" * 40])
def test_retry_ids_that_are_no_batch_are_not_found(supervisor_api, batch_id):
    assert supervisor_api.post(f"{URL}/{batch_id}/retry").status_code == 404


def test_retry_is_post_only(supervisor_api, shop):
    batch = _batch(shop)
    assert supervisor_api.get(f"{URL}/{batch.pk}/retry").status_code == 405
    assert _unchanged(batch)


def test_retry_costs_a_fixed_number_of_queries(supervisor_api, shop, django_assert_max_num_queries):
    batch = _batch(shop)
    with django_assert_max_num_queries(8):
        assert supervisor_api.post(f"{URL}/{batch.pk}/retry").status_code == 202
