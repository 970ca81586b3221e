"""Batch release and printing through the pages: the job list's selection, starting a batch,
its progress page, the PDF download and the list of recent batches."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from shopdesk.core.models import Event
from shopdesk.jobs.models import Job, JobState
from shopdesk.travelers.batch import empty_report
from shopdesk.travelers.models import BatchStatus, Traveler, TravelerBatch
from shopdesk.travelers.tests.batch_helpers import backdate

START = reverse("travelers:batch_start")
BATCHES = reverse("travelers:batches")


def _page(batch_id) -> str:
    return reverse("travelers:batch", args=[batch_id])


def _retry(batch_id) -> str:
    return reverse("travelers:batch_retry", args=[batch_id])


def _pdf(batch_id) -> str:
    return reverse("travelers:batch_pdf", args=[batch_id])


def _start(client, capture, numbers, **extra):
    with capture(execute=True):
        return client.post(START, {"jobs": numbers, **extra})


@pytest.fixture
def running_batch(shop, supervisor):
    """A batch part way through: 12 of 20 travelers laid out."""
    return TravelerBatch.objects.create(
        shop=shop,
        created_by=supervisor,
        status=BatchStatus.RUNNING,
        total=20,
        done=12,
        report={**empty_report(), "released": ["J-1001"], "printed": ["J-1001"]},
    )


# The job list's selection ---------------------------------------------------------------


def test_the_job_list_has_a_box_per_row_and_the_action_bar_for_planners(
    supervisor_client, make_ready_job
):
    make_ready_job()
    make_ready_job()
    body = supervisor_client.get(reverse("jobs:list")).content.decode()
    assert 'id="batch-form"' in body and f'action="{START}"' in body
    assert 'value="J-1001" form="batch-form" data-batch-job' in body
    assert 'value="J-1002" form="batch-form" data-batch-job' in body
    assert "data-batch-all" in body
    assert "Release &amp; print" in body
    assert "shopdesk/jobs.js" in body


def test_the_polled_table_keeps_its_boxes(supervisor_client, make_ready_job):
    make_ready_job()
    response = supervisor_client.get(reverse("jobs:list"), headers={"HX-Request": "true"})
    body = response.content.decode()
    assert 'form="batch-form" data-batch-job' in body
    assert 'id="batch-form"' not in body


def test_an_operator_sees_no_selection(operator_client, make_ready_job):
    make_ready_job()
    body = operator_client.get(reverse("jobs:list")).content.decode()
    assert "data-batch-job" not in body and "batch-form" not in body


# Starting a batch ------------------------------------------------------------------------


def test_release_and_print_shows_the_progress_page_with_the_report(
    supervisor_client, make_ready_job, immediate_tasks, django_capture_on_commit_callbacks
):
    good = [make_ready_job() for _ in range(2)]
    bad = make_ready_job(quantity=None)
    response = _start(
        supervisor_client,
        django_capture_on_commit_callbacks,
        [job.display_number for job in [*good, bad]] + ["J-4242"],
    )
    batch = TravelerBatch.objects.get()
    assert response.status_code == 303
    assert response["Location"] == _page(batch.pk)

    page = supervisor_client.get(_page(batch.pk))
    body = page.content.decode()
    assert "2 of 2 travelers" in body
    assert "Open the PDF (2 travelers)" in body and _pdf(batch.pk) in body
    assert 'hx-trigger="every 1s"' not in body
    assert f'href="{reverse("jobs:detail", args=[good[0].display_number])}"' in body
    assert f'href="{reverse("jobs:detail", args=[bad.display_number])}"' in body
    assert "Set a quantity." in body
    assert "<code>J-4242</code>" in body
    assert all(
        j.state == JobState.RELEASED for j in Job.objects.filter(pk__in=[g.pk for g in good])
    )


def test_print_only_does_not_release(
    supervisor_client, make_ready_job, immediate_tasks, django_capture_on_commit_callbacks
):
    job = make_ready_job()
    _start(supervisor_client, django_capture_on_commit_callbacks, [job.display_number], release="0")
    job.refresh_from_db()
    assert job.state == JobState.PLANNED
    assert Traveler.objects.filter(job=job).count() == 1


@pytest.mark.parametrize(
    ("numbers", "message"),
    [
        ([], "Select at least one job"),
        (["", " "], "Select at least one job"),
        ([f"J-{n}" for n in range(1, 202)], "At most 200 jobs per batch; 201 were selected"),
    ],
)
def test_bad_selections_are_refused_with_the_reason_and_nothing_changes(
    supervisor_client, make_ready_job, numbers, message
):
    job = make_ready_job()
    if numbers:
        numbers = [job.display_number if n == "J-1001" else n for n in numbers]
    response = supervisor_client.post(START, {"jobs": numbers})
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not TravelerBatch.objects.exists() and not Traveler.objects.exists()
    job.refresh_from_db()
    assert job.state == JobState.PLANNED


def test_an_operator_may_not_start_a_batch(operator_client, make_ready_job):
    job = make_ready_job()
    assert operator_client.post(START, {"jobs": [job.display_number]}).status_code == 403
    assert not TravelerBatch.objects.exists()


def test_another_shops_person_cannot_touch_our_jobs(
    outsider_client, make_ready_job, immediate_tasks, django_capture_on_commit_callbacks
):
    job = make_ready_job()
    response = _start(outsider_client, django_capture_on_commit_callbacks, [job.display_number])
    batch = TravelerBatch.objects.get()
    assert response.status_code == 303
    assert batch.shop_id != job.shop_id
    assert batch.report["not_found"] == [job.display_number]
    job.refresh_from_db()
    assert job.state == JobState.PLANNED and not Traveler.objects.filter(job=job).exists()


def test_get_is_not_allowed_on_start(supervisor_client):
    assert supervisor_client.get(START).status_code == 405


def test_anonymous_is_sent_to_sign_in(client, running_batch):
    for url in (START, BATCHES, _page(running_batch.pk), _pdf(running_batch.pk)):
        response = client.get(url) if url != START else client.post(url)
        assert response.status_code == 302 and "/login" in response["Location"]


# Progress --------------------------------------------------------------------------------


def test_a_running_batch_shows_its_progress_and_polls_every_second(
    supervisor_client, running_batch
):
    body = supervisor_client.get(_page(running_batch.pk)).content.decode()
    assert "12 of 20 travelers" in body
    assert 'aria-valuenow="12"' in body and "width: 60%" in body
    assert 'hx-trigger="every 1s"' in body
    assert "Open the PDF" not in body


def test_the_poll_answers_only_the_progress_region(supervisor_client, running_batch):
    response = supervisor_client.get(_page(running_batch.pk), headers={"HX-Request": "true"})
    body = response.content.decode()
    assert body.lstrip().startswith('<section id="batch-progress"')
    assert "12 of 20 travelers" in body and "What happened" not in body
    assert "HX-Request" in response["Vary"]


def test_the_poll_costs_a_fixed_number_of_queries(
    supervisor_client, running_batch, django_assert_max_num_queries
):
    headers = {"HX-Request": "true"}
    supervisor_client.get(_page(running_batch.pk), headers=headers)
    with django_assert_max_num_queries(4):
        supervisor_client.get(_page(running_batch.pk), headers=headers)
    running_batch.report = {
        **empty_report(),
        "printed": [f"J-{n}" for n in range(1, 201)],
        "refused": [{"job": f"J-{n}", "reasons": ["Set a quantity."]} for n in range(300, 400)],
    }
    running_batch.total = 200
    running_batch.save()
    with django_assert_max_num_queries(4):
        supervisor_client.get(_page(running_batch.pk), headers=headers)
    with django_assert_max_num_queries(6):
        supervisor_client.get(_page(running_batch.pk))


def test_a_failed_batch_says_why(supervisor_client, running_batch):
    running_batch.status = BatchStatus.FAILED
    running_batch.error = "Printing stopped at traveler 13 of 20 (J-1013): disk full"
    running_batch.save()
    body = supervisor_client.get(_page(running_batch.pk)).content.decode()
    assert "disk full" in body and 'hx-trigger="every 1s"' not in body
    assert supervisor_client.get(_pdf(running_batch.pk)).status_code == 409


def test_a_queued_batch_says_it_waits_for_the_worker(supervisor_client, running_batch):
    running_batch.status = BatchStatus.QUEUED
    running_batch.done = 0
    running_batch.save()
    body = supervisor_client.get(_page(running_batch.pk)).content.decode()
    assert "0 of 20 travelers" in body and "Waiting for the print worker" in body


# The PDF ---------------------------------------------------------------------------------


def test_the_pdf_is_served_inline_and_privately(
    supervisor_client, make_ready_job, immediate_tasks, django_capture_on_commit_callbacks
):
    job = make_ready_job()
    _start(supervisor_client, django_capture_on_commit_callbacks, [job.display_number])
    batch = TravelerBatch.objects.get()
    response = supervisor_client.get(_pdf(batch.pk))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'inline; filename="travelers-batch-{batch.pk}.pdf"'
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_the_pdf_of_a_running_batch_is_not_ready(supervisor_client, running_batch):
    response = supervisor_client.get(_pdf(running_batch.pk))
    assert response.status_code == 409
    assert "not ready yet" in response.content.decode()


# Tenancy and permissions -----------------------------------------------------------------


def test_another_shops_batch_is_not_found(outsider_client, running_batch):
    assert outsider_client.get(_page(running_batch.pk)).status_code == 404
    assert (
        outsider_client.get(_page(running_batch.pk), headers={"HX-Request": "true"}).status_code
        == 404
    )
    assert outsider_client.get(_pdf(running_batch.pk)).status_code == 404
    assert f"Batch {running_batch.pk}" not in outsider_client.get(BATCHES).content.decode()


def test_ids_that_are_no_batch_are_not_found(supervisor_client, running_batch):
    for batch_id in (running_batch.pk + 1, 2**63, 10**30):
        assert supervisor_client.get(_page(batch_id)).status_code == 404
        assert supervisor_client.get(_pdf(batch_id)).status_code == 404
    assert supervisor_client.get("/t/batches/abc/").status_code == 404


def test_an_operator_may_not_see_batches(operator_client, running_batch):
    for url in (BATCHES, _page(running_batch.pk), _pdf(running_batch.pk)):
        assert operator_client.get(url).status_code == 403


def test_the_batch_list_shows_the_shops_recent_batches(
    supervisor_client, running_batch, django_assert_max_num_queries
):
    for _ in range(5):
        TravelerBatch.objects.create(shop=running_batch.shop, total=1, report=empty_report())
    with django_assert_max_num_queries(5):
        body = supervisor_client.get(BATCHES).content.decode()
    assert f"Batch {running_batch.pk}" in body and "12 of 20" in body
    assert body.count('href="/t/batches/') >= 6


# Stalled batches and trying again --------------------------------------------------------

RETRY_BUTTON = ">Try again</button>"


def _unchanged(batch) -> bool:
    return TravelerBatch.objects.values_list("status", "attempt", "done", "error").get(
        pk=batch.pk
    ) == (batch.status, batch.attempt, batch.done, batch.error)


def test_a_batch_no_worker_picked_up_says_so_and_offers_to_try_again(
    supervisor_client, running_batch
):
    TravelerBatch.objects.filter(pk=running_batch.pk).update(status=BatchStatus.QUEUED, done=0)
    backdate(running_batch, created_at=7.5)
    body = supervisor_client.get(_page(running_batch.pk)).content.decode()
    assert (
        "Nothing has picked this batch up in 7 minutes. The background worker may not be "
        "running (<code>manage.py task_worker</code>; <code>make run</code> starts it)."
    ) in body
    assert "Waiting for the print worker" not in body and ">Stalled</span>" in body
    assert f'action="{_retry(running_batch.pk)}"' in body and RETRY_BUTTON in body
    assert 'name="csrfmiddlewaretoken"' in body
    # It keeps checking, more slowly, so the page recovers if a worker starts.
    assert 'hx-trigger="every 5s"' in body


def test_a_batch_whose_printing_stopped_says_where(supervisor_client, running_batch):
    backdate(running_batch, created_at=30, progress_at=4)
    body = supervisor_client.get(_page(running_batch.pk)).content.decode()
    assert "No progress for 4 minutes; printing seems to have stopped at traveler 13 of 20." in body
    assert "12 of 20 travelers" in body and RETRY_BUTTON in body
    assert 'hx-trigger="every 5s"' in body


def test_a_batch_stalled_while_joining_the_pages_says_so(supervisor_client, running_batch):
    TravelerBatch.objects.filter(pk=running_batch.pk).update(done=20)
    backdate(running_batch, created_at=30, progress_at=5)
    body = supervisor_client.get(_page(running_batch.pk)).content.decode()
    assert "printing seems to have stopped while joining the pages of 20 travelers." in body


def test_a_printing_batch_with_recent_progress_offers_no_retry(supervisor_client, running_batch):
    backdate(running_batch, created_at=30, progress_at=1)
    body = supervisor_client.get(_page(running_batch.pk)).content.decode()
    assert RETRY_BUTTON not in body and "No progress" not in body
    assert 'hx-trigger="every 1s"' in body


def test_a_failed_batch_offers_to_try_again(supervisor_client, running_batch):
    running_batch.status = BatchStatus.FAILED
    running_batch.error = "Printing stopped at traveler 13 of 20 (J-1013): disk full"
    running_batch.save()
    body = supervisor_client.get(_page(running_batch.pk)).content.decode()
    assert RETRY_BUTTON in body and "disk full" in body


def test_trying_again_queues_the_batch_and_shows_it_waiting(
    supervisor_client, running_batch, django_capture_on_commit_callbacks
):
    backdate(running_batch, created_at=30, progress_at=4)
    with django_capture_on_commit_callbacks() as callbacks:
        response = supervisor_client.post(_retry(running_batch.pk))
    assert response.status_code == 303 and response["Location"] == _page(running_batch.pk)
    assert len(callbacks) == 1
    running_batch.refresh_from_db()
    assert (running_batch.status, running_batch.attempt, running_batch.done) == (
        BatchStatus.QUEUED,
        2,
        0,
    )
    assert Event.objects.filter(kind="traveler_batch.retried").count() == 1
    body = supervisor_client.get(_page(running_batch.pk)).content.decode()
    assert "Waiting for the print worker" in body and "Try 2" in body
    assert RETRY_BUTTON not in body and 'hx-trigger="every 1s"' in body


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (BatchStatus.RUNNING, "This batch is still printing"),
        (BatchStatus.QUEUED, "This batch is still printing"),
        (BatchStatus.DONE, "This batch is already done"),
    ],
)
def test_a_batch_printing_or_done_is_not_tried_again(
    supervisor_client, running_batch, status, message
):
    TravelerBatch.objects.filter(pk=running_batch.pk).update(status=status)
    running_batch.refresh_from_db()
    response = supervisor_client.post(_retry(running_batch.pk))
    assert response.status_code == 409
    assert message in response.content.decode()
    assert _unchanged(running_batch)
    assert not Event.objects.filter(kind="traveler_batch.retried").exists()


def test_another_shops_batch_cannot_be_tried_again(outsider_client, running_batch):
    running_batch.status = BatchStatus.FAILED
    running_batch.save()
    assert outsider_client.post(_retry(running_batch.pk)).status_code == 404
    assert _unchanged(running_batch)
    assert not Event.objects.filter(kind="traveler_batch.retried").exists()


def test_an_operator_may_not_try_a_batch_again(operator_client, running_batch):
    running_batch.status = BatchStatus.FAILED
    running_batch.save()
    assert operator_client.post(_retry(running_batch.pk)).status_code == 403
    assert _unchanged(running_batch)


def test_retry_ids_that_are_no_batch_are_not_found(supervisor_client, running_batch):
    for batch_id in (running_batch.pk + 1, 2**63, 10**30):
        assert supervisor_client.post(_retry(batch_id)).status_code == 404
    assert supervisor_client.post("/t/batches/abc/retry/").status_code == 404
    assert supervisor_client.post("/t/batches/-1/retry/").status_code == 404


def test_retry_needs_a_post_with_the_csrf_token(supervisor, running_batch):
    running_batch.status = BatchStatus.FAILED
    running_batch.save()
    client = Client(enforce_csrf_checks=True)
    client.force_login(supervisor)
    assert client.get(_retry(running_batch.pk)).status_code == 405
    assert client.post(_retry(running_batch.pk)).status_code == 403
    assert _unchanged(running_batch)


def test_anonymous_retry_is_sent_to_sign_in(client, running_batch):
    response = client.post(_retry(running_batch.pk))
    assert response.status_code == 302 and "/login" in response["Location"]


def test_a_stalled_page_costs_the_same_queries(
    supervisor_client, running_batch, django_assert_max_num_queries
):
    backdate(running_batch, created_at=30, progress_at=4)
    supervisor_client.get(_page(running_batch.pk))
    with django_assert_max_num_queries(4):
        supervisor_client.get(_page(running_batch.pk), headers={"HX-Request": "true"})
    with django_assert_max_num_queries(6):
        body = supervisor_client.get(_page(running_batch.pk)).content.decode()
    assert RETRY_BUTTON in body


def test_the_batch_list_marks_stalled_batches(supervisor_client, running_batch):
    backdate(running_batch, created_at=30, progress_at=4)
    body = supervisor_client.get(BATCHES).content.decode()
    assert ">Stalled</span>" in body and ">Printing</span>" not in body
