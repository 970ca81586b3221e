"""traveler_batch_start and the task that makes the batch's PDF: what is released, printed,
refused and reported, and the combined PDF with its progress."""

from __future__ import annotations

import pypdfium2
import pytest
from django.http import Http404
from django_tasks_db.models import DBTaskResult

from shopdesk.core.errors import ActionRefused, InvalidInput, PermissionRefused
from shopdesk.core.models import Event
from shopdesk.jobs import services as job_services
from shopdesk.jobs.models import Job, JobState
from shopdesk.travelers import pdf as traveler_pdf_module
from shopdesk.travelers.batch import empty_report, traveler_batch_retry, traveler_batch_start
from shopdesk.travelers.models import BatchStatus, Traveler, TravelerBatch
from shopdesk.travelers.tasks import traveler_batch_render
from shopdesk.travelers.tests.batch_helpers import IMMEDIATE_TASKS, SITE, backdate, make_job


def _start(user, jobs, capture, **options) -> TravelerBatch:
    with capture(execute=True):
        batch = traveler_batch_start(user=user, jobs=jobs, site_url=SITE, **options)
    batch.refresh_from_db()
    return batch


def _retry(user, batch, capture) -> TravelerBatch:
    with capture(execute=True):
        traveler_batch_retry(user=user, batch=batch, site_url=SITE)
    batch.refresh_from_db()
    return batch


def _pages(batch: TravelerBatch) -> int:
    with batch.pdf.open("rb") as handle:
        return len(pypdfium2.PdfDocument(handle.read()))


def test_ready_jobs_are_released_and_printed_into_one_pdf(
    supervisor, make_ready_job, immediate_tasks, django_capture_on_commit_callbacks
):
    jobs = [make_ready_job() for _ in range(3)]
    batch = _start(
        supervisor, [job.display_number for job in jobs], django_capture_on_commit_callbacks
    )

    assert batch.status == BatchStatus.DONE
    assert (batch.done, batch.total, batch.percent) == (3, 3, 100)
    assert batch.report["released"] == [job.display_number for job in jobs]
    assert batch.report["printed"] == [job.display_number for job in jobs]
    assert batch.report["refused"] == [] and batch.report["not_found"] == []
    assert batch.job_ids == [job.pk for job in jobs]
    assert all(j.state == JobState.RELEASED for j in Job.objects.filter(pk__in=batch.job_ids))
    assert Traveler.objects.filter(job__in=jobs).count() == 3
    assert batch.finished_at is not None and batch.error == ""
    # One sheet per traveler (a three-operation routing fits on one page), in one file.
    assert _pages(batch) == 3
    assert Event.objects.filter(kind="traveler_batch.started", subject_id=batch.pk).count() == 1


def test_a_job_failing_the_gate_is_refused_with_its_reasons_and_the_rest_print(
    supervisor, make_ready_job, immediate_tasks, django_capture_on_commit_callbacks
):
    good = make_ready_job()
    no_quantity = make_ready_job(quantity=None)
    batch = _start(
        supervisor,
        [good.display_number, no_quantity.display_number],
        django_capture_on_commit_callbacks,
    )

    assert batch.report["released"] == [good.display_number]
    [refused] = batch.report["refused"]
    assert refused["job"] == no_quantity.display_number
    assert any("quantity" in reason.lower() for reason in refused["reasons"])
    no_quantity.refresh_from_db()
    assert no_quantity.state == JobState.PLANNED
    assert not Traveler.objects.filter(job=no_quantity).exists()
    assert batch.total == 1 and batch.status == BatchStatus.DONE


def test_material_not_in_is_a_reason_from_the_gate(
    supervisor, make_ready_job, immediate_tasks, django_capture_on_commit_callbacks
):
    waiting = make_ready_job(ready=False)
    batch = _start(supervisor, [waiting.display_number], django_capture_on_commit_callbacks)
    [refused] = batch.report["refused"]
    assert any(reason.startswith("Material is not ordered") for reason in refused["reasons"])
    assert batch.total == 0 and batch.status == BatchStatus.DONE


def test_released_jobs_are_printed_not_released_again_and_closed_ones_are_refused(
    supervisor, make_ready_job, immediate_tasks, django_capture_on_commit_callbacks
):
    released = job_services.job_release(user=supervisor, job=make_ready_job())
    closed = job_services.job_close(user=supervisor, job=make_ready_job(), reason="Cancelled")
    batch = _start(
        supervisor,
        [released.display_number, closed.display_number],
        django_capture_on_commit_callbacks,
    )

    assert batch.report["released"] == []
    assert batch.report["printed"] == [released.display_number]
    assert Event.objects.filter(job=released, kind="job.released").count() == 1
    [refused] = batch.report["refused"]
    assert refused["job"] == closed.display_number
    assert "closed" in refused["reasons"][0]
    assert not Traveler.objects.filter(job=closed).exists()


def test_another_shops_job_is_reported_like_a_number_that_does_not_exist(
    supervisor,
    outsider,
    other_shop,
    make_ready_job,
    immediate_tasks,
    django_capture_on_commit_callbacks,
):
    from shopdesk.core.tests.factories import CustomerFactory, PartFactory, WorkCenterFactory

    mine = make_ready_job()
    other_side = (
        outsider,
        CustomerFactory(shop=other_shop),
        PartFactory(shop=other_shop),
        [WorkCenterFactory(shop=other_shop)],
    )
    make_job(*other_side)
    # Job numbers are per shop: J-1002 exists only in the other shop.
    theirs = make_job(*other_side)
    assert not Job.objects.filter(shop=mine.shop, number=theirs.number).exists()
    batch = _start(
        supervisor,
        [mine.display_number, theirs.display_number, "J-999999"],
        django_capture_on_commit_callbacks,
    )

    assert batch.report["not_found"] == [theirs.display_number, "J-999999"]
    theirs.refresh_from_db()
    assert theirs.state == JobState.PLANNED
    assert not Traveler.objects.filter(job=theirs).exists()
    assert not Event.objects.filter(shop=other_shop, kind="job.released").exists()
    assert batch.report["printed"] == [mine.display_number]


def test_duplicates_count_once_and_garbage_is_not_found(
    supervisor, make_ready_job, immediate_tasks, django_capture_on_commit_callbacks
):
    job = make_ready_job()
    hostile = "<script>alert(1)</script>" + "x" * 200
    batch = _start(
        supervisor,
        [
            job.display_number,
            str(job.number),
            job.display_number.lower(),
            " ",
            "abc",
            "abc",
            hostile,
        ],
        django_capture_on_commit_callbacks,
    )

    assert batch.report["printed"] == [job.display_number]
    assert batch.report["not_found"] == ["abc", hostile[:20]]
    assert Traveler.objects.filter(job=job).count() == 1
    assert batch.total == 1


@pytest.mark.parametrize("jobs", [[], ["", "  "]])
def test_an_empty_selection_is_refused_and_nothing_is_made(supervisor, jobs):
    with pytest.raises(InvalidInput) as refused:
        traveler_batch_start(user=supervisor, jobs=jobs, site_url=SITE)
    assert refused.value.field == "job_numbers"
    assert "at least one job" in refused.value.message
    assert not TravelerBatch.objects.exists()


def test_more_than_200_jobs_are_refused_before_anything_changes(supervisor, make_ready_job):
    job = make_ready_job()
    numbers = [job.display_number] + [f"J-{n}" for n in range(2, 202)]
    with pytest.raises(InvalidInput) as refused:
        traveler_batch_start(user=supervisor, jobs=numbers, site_url=SITE)
    assert refused.value.status == 422
    assert "At most 200 jobs" in refused.value.message and "201" in refused.value.message
    job.refresh_from_db()
    assert job.state == JobState.PLANNED
    assert not TravelerBatch.objects.exists() and not Traveler.objects.exists()


def test_200_entries_with_duplicates_are_fine(
    supervisor, make_ready_job, immediate_tasks, django_capture_on_commit_callbacks
):
    job = make_ready_job()
    batch = _start(supervisor, [job.display_number] * 250, django_capture_on_commit_callbacks)
    assert batch.total == 1


def test_an_operator_may_not_start_a_batch(operator, make_ready_job):
    job = make_ready_job()
    with pytest.raises(PermissionRefused):
        traveler_batch_start(user=operator, jobs=[job.display_number], site_url=SITE)
    assert not TravelerBatch.objects.exists()


def test_print_only_leaves_planned_jobs_planned(
    supervisor, make_ready_job, immediate_tasks, django_capture_on_commit_callbacks
):
    job = make_ready_job()
    batch = _start(
        supervisor, [job.display_number], django_capture_on_commit_callbacks, release=False
    )
    job.refresh_from_db()
    assert job.state == JobState.PLANNED
    assert batch.report["released"] == [] and batch.report["printed"] == [job.display_number]
    assert batch.status == BatchStatus.DONE and _pages(batch) == 1


def test_a_batch_with_nothing_to_print_is_finished_with_its_report(
    supervisor, make_ready_job, django_capture_on_commit_callbacks
):
    job = make_ready_job(operations=False)
    with django_capture_on_commit_callbacks() as callbacks:
        batch = traveler_batch_start(user=supervisor, jobs=[job.display_number], site_url=SITE)
    assert callbacks == []
    assert batch.status == BatchStatus.DONE and batch.total == 0 and not batch.pdf
    assert batch.report["refused"][0]["job"] == job.display_number


def test_progress_is_stored_after_each_traveler(
    supervisor, make_ready_job, immediate_tasks, django_capture_on_commit_callbacks, monkeypatch
):
    jobs = [make_ready_job() for _ in range(3)]
    real = traveler_pdf_module.traveler_document
    seen = []

    def recording(traveler, *, url):
        batch = TravelerBatch.objects.get()
        seen.append((batch.status, batch.done))
        assert url.startswith(SITE + "/t/")
        return real(traveler, url=url)

    monkeypatch.setattr(traveler_pdf_module, "traveler_document", recording)
    batch = _start(
        supervisor, [job.display_number for job in jobs], django_capture_on_commit_callbacks
    )
    assert seen == [("running", 0), ("running", 1), ("running", 2)]
    assert batch.done == 3


def test_a_failing_render_marks_the_batch_failed_with_a_message(
    supervisor, make_ready_job, immediate_tasks, django_capture_on_commit_callbacks, monkeypatch
):
    jobs = [make_ready_job() for _ in range(3)]
    real = traveler_pdf_module.traveler_document
    calls = []

    def breaks_on_the_second(traveler, *, url):
        calls.append(traveler)
        if len(calls) == 2:
            raise OSError("font cache unreadable")
        return real(traveler, url=url)

    monkeypatch.setattr(traveler_pdf_module, "traveler_document", breaks_on_the_second)
    batch = _start(
        supervisor, [job.display_number for job in jobs], django_capture_on_commit_callbacks
    )

    assert batch.status == BatchStatus.FAILED
    assert batch.error == (
        f"Printing stopped at traveler 2 of 3 ({jobs[1].display_number}): font cache unreadable"
    )
    assert batch.done == 1 and not batch.pdf and batch.finished_at is not None
    # The releases stand: they passed the gate, and the travelers can be printed one by one.
    assert Job.objects.filter(pk__in=[j.pk for j in jobs], state=JobState.RELEASED).count() == 3


def test_the_task_runs_once_per_batch(
    supervisor, make_ready_job, immediate_tasks, django_capture_on_commit_callbacks
):
    from shopdesk.travelers.tasks import traveler_batch_render

    job = make_ready_job()
    batch = _start(supervisor, [job.display_number], django_capture_on_commit_callbacks)
    name = batch.pdf.name
    traveler_batch_render.call(batch_id=batch.pk, site_url=SITE)
    batch.refresh_from_db()
    assert batch.pdf.name == name and batch.status == BatchStatus.DONE


@pytest.mark.parametrize("fails", [False, True])
def test_the_laid_out_travelers_are_frozen_only_while_the_batch_runs(
    supervisor,
    make_ready_job,
    immediate_tasks,
    django_capture_on_commit_callbacks,
    monkeypatch,
    fails,
):
    import gc

    from shopdesk.travelers import tasks

    monkeypatch.setattr(tasks, "FREEZE_EVERY", 1)
    jobs = [make_ready_job() for _ in range(3)]
    real = traveler_pdf_module.traveler_document
    frozen = []

    def recording(traveler, *, url):
        frozen.append(gc.get_freeze_count())
        if fails and len(frozen) == 3:
            raise OSError("font cache unreadable")
        return real(traveler, url=url)

    monkeypatch.setattr(traveler_pdf_module, "traveler_document", recording)
    assert gc.get_freeze_count() == 0
    batch = _start(
        supervisor, [job.display_number for job in jobs], django_capture_on_commit_callbacks
    )
    # The travelers laid out so far are left out of the collector's passes...
    assert frozen[0] == 0 and frozen[1] > 0 and frozen[2] > frozen[1]
    # ...and given back to it when the batch ends, done or failed.
    assert gc.get_freeze_count() == 0
    assert batch.status == (BatchStatus.FAILED if fails else BatchStatus.DONE)


def test_progress_time_is_stored_when_claimed_and_after_each_traveler(
    supervisor, make_ready_job, immediate_tasks, django_capture_on_commit_callbacks, monkeypatch
):
    jobs = [make_ready_job() for _ in range(2)]
    real = traveler_pdf_module.traveler_document
    seen = []

    def recording(traveler, *, url):
        seen.append(TravelerBatch.objects.values_list("progress_at", flat=True).get())
        return real(traveler, url=url)

    monkeypatch.setattr(traveler_pdf_module, "traveler_document", recording)
    batch = _start(
        supervisor, [job.display_number for job in jobs], django_capture_on_commit_callbacks
    )
    claimed, after_first = seen
    assert claimed is not None and claimed < after_first < batch.progress_at
    assert batch.attempt == 1


# Stalled batches and trying again ---------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "minutes_ago", "stalled"),
    [
        # Queued: stalled once no worker has picked it up for more than two minutes...
        (BatchStatus.QUEUED, {"created_at": 1.5}, False),
        (BatchStatus.QUEUED, {"created_at": 2.5}, True),
        # ...counted from when it was last tried again.
        (BatchStatus.QUEUED, {"created_at": 60, "retried_at": 1.5}, False),
        (BatchStatus.QUEUED, {"created_at": 60, "retried_at": 2.5}, True),
        # Printing: stalled when no traveler was finished for more than three minutes.
        (BatchStatus.RUNNING, {"created_at": 60, "progress_at": 2.5}, False),
        (BatchStatus.RUNNING, {"created_at": 60, "progress_at": 3.5}, True),
        # Claimed by a worker that recorded no progress time: the queue time counts.
        (BatchStatus.RUNNING, {"created_at": 2.5}, False),
        (BatchStatus.RUNNING, {"created_at": 3.5}, True),
        # Finished batches never stall.
        (BatchStatus.DONE, {"created_at": 600}, False),
        (BatchStatus.FAILED, {"created_at": 600}, False),
    ],
)
def test_a_batch_is_stalled_when_nothing_happens_to_it_for_too_long(
    shop, status, minutes_ago, stalled
):
    batch = TravelerBatch.objects.create(
        shop=shop, status=status, total=5, done=2, report=empty_report()
    )
    batch = backdate(batch, **minutes_ago)
    assert batch.stalled is stalled
    assert (batch.stalled_for() is not None) is stalled
    assert batch.retryable is (stalled or status == BatchStatus.FAILED)


def _failing_once(monkeypatch, job) -> None:
    """The first layout of `job`'s traveler fails, as when a font cache is unreadable."""
    real = traveler_pdf_module.traveler_document
    failures = [OSError("font cache unreadable")]

    def layout(traveler, *, url):
        if traveler.job_id == job.pk and failures:
            raise failures.pop()
        return real(traveler, url=url)

    monkeypatch.setattr(traveler_pdf_module, "traveler_document", layout)


def test_a_failed_batch_tried_again_makes_its_pdf_from_the_same_travelers(
    supervisor, make_ready_job, immediate_tasks, django_capture_on_commit_callbacks, monkeypatch
):
    jobs = [make_ready_job() for _ in range(3)]
    _failing_once(monkeypatch, jobs[1])
    batch = _start(
        supervisor, [job.display_number for job in jobs], django_capture_on_commit_callbacks
    )
    assert batch.status == BatchStatus.FAILED and batch.done == 1
    travelers = set(Traveler.objects.values_list("pk", flat=True))

    batch = _retry(supervisor, batch, django_capture_on_commit_callbacks)

    assert batch.status == BatchStatus.DONE and batch.error == ""
    assert (batch.attempt, batch.done, batch.total) == (2, 3, 3)
    assert batch.retried_at is not None and batch.finished_at is not None
    assert _pages(batch) == 3
    # No job released twice, no new traveler: the PDF carries the tokens printed the first time.
    assert set(Traveler.objects.values_list("pk", flat=True)) == travelers
    assert Event.objects.filter(kind="job.released").count() == 3
    [event] = Event.objects.filter(kind="traveler_batch.retried", subject_id=batch.pk)
    assert event.actor == supervisor and event.shop_id == batch.shop_id
    assert event.before == {
        "status": "failed",
        "done": 1,
        "attempt": 1,
        "error": f"Printing stopped at traveler 2 of 3 ({jobs[1].display_number}): "
        "font cache unreadable",
    }
    assert event.after == {"status": "queued", "attempt": 2}
    assert "attempt 2" in event.summary and "failed at 1 of 3" in event.summary


def test_a_batch_whose_worker_died_is_printed_by_the_next_attempt(
    supervisor, make_ready_job, settings, django_capture_on_commit_callbacks
):
    jobs = [make_ready_job() for _ in range(2)]
    # The database backend: the task waits for a worker.
    batch = _start(
        supervisor, [job.display_number for job in jobs], django_capture_on_commit_callbacks
    )
    # A worker claimed it, laid out one traveler and died four minutes ago.
    TravelerBatch.objects.filter(pk=batch.pk).update(status=BatchStatus.RUNNING, done=1)
    batch = backdate(batch, progress_at=4)
    assert batch.stalled

    settings.TASKS = IMMEDIATE_TASKS
    batch = _retry(supervisor, batch, django_capture_on_commit_callbacks)
    assert batch.status == BatchStatus.DONE and batch.attempt == 2 and _pages(batch) == 2


def test_a_batch_no_worker_picked_up_is_queued_again_as_the_next_attempt(
    supervisor, make_ready_job, django_capture_on_commit_callbacks
):
    job = make_ready_job()
    batch = _start(supervisor, [job.display_number], django_capture_on_commit_callbacks)
    batch = backdate(batch, created_at=10)
    assert batch.stalled

    batch = _retry(supervisor, batch, django_capture_on_commit_callbacks)

    assert (batch.status, batch.attempt, batch.done) == (BatchStatus.QUEUED, 2, 0)
    assert batch.progress_at is None and not batch.stalled
    queued = [
        result.args_kwargs["kwargs"] for result in DBTaskResult.objects.order_by("enqueued_at")
    ]
    assert queued == [
        {"batch_id": batch.pk, "site_url": SITE, "attempt": 1},
        {"batch_id": batch.pk, "site_url": SITE, "attempt": 2},
    ]
    # The first attempt's task, delivered late, leaves the second attempt alone.
    traveler_batch_render.call(**queued[0])
    batch.refresh_from_db()
    assert (batch.status, batch.attempt, batch.done) == (BatchStatus.QUEUED, 2, 0)
    assert not batch.pdf
    traveler_batch_render.call(**queued[1])
    batch.refresh_from_db()
    assert batch.status == BatchStatus.DONE and _pages(batch) == 1


def test_a_task_queued_before_attempts_existed_still_prints(
    supervisor, make_ready_job, django_capture_on_commit_callbacks
):
    job = make_ready_job()
    batch = _start(supervisor, [job.display_number], django_capture_on_commit_callbacks)
    traveler_batch_render.call(batch_id=batch.pk, site_url=SITE)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.DONE and _pages(batch) == 1


def _tried_again_meanwhile(batch_id: int) -> None:
    """What traveler_batch_retry does to the row, as another request would while a slow
    worker still holds the earlier attempt."""
    from django.db.models import F

    TravelerBatch.objects.filter(pk=batch_id).update(
        status=BatchStatus.QUEUED, done=0, error="", attempt=F("attempt") + 1, progress_at=None
    )


def test_a_slow_worker_stops_when_its_batch_is_tried_again_meanwhile(
    supervisor, make_ready_job, immediate_tasks, django_capture_on_commit_callbacks, monkeypatch
):
    jobs = [make_ready_job() for _ in range(3)]
    real = traveler_pdf_module.traveler_document
    calls = []

    def slow(traveler, *, url):
        calls.append(traveler)
        if len(calls) == 2:
            _tried_again_meanwhile(TravelerBatch.objects.get().pk)
        return real(traveler, url=url)

    monkeypatch.setattr(traveler_pdf_module, "traveler_document", slow)
    batch = _start(
        supervisor, [job.display_number for job in jobs], django_capture_on_commit_callbacks
    )
    # The old attempt stopped after the traveler it was on and wrote nothing over the new one.
    assert len(calls) == 2
    assert (batch.status, batch.attempt, batch.done, batch.error) == (
        BatchStatus.QUEUED,
        2,
        0,
        "",
    )
    assert not batch.pdf and batch.finished_at is None


@pytest.mark.parametrize("fails", [False, True])
def test_a_slow_worker_tried_again_while_joining_the_pages_keeps_nothing(
    supervisor,
    make_ready_job,
    immediate_tasks,
    django_capture_on_commit_callbacks,
    monkeypatch,
    tmp_path,
    fails,
):
    from django.core.files.base import ContentFile

    from shopdesk.travelers import tasks

    def joined(content):
        _tried_again_meanwhile(TravelerBatch.objects.get().pk)
        if fails:
            raise OSError("disk full")
        return ContentFile(content)

    monkeypatch.setattr(tasks, "ContentFile", joined)
    batch = _start(
        supervisor, [make_ready_job().display_number], django_capture_on_commit_callbacks
    )
    assert (batch.status, batch.attempt, batch.error) == (BatchStatus.QUEUED, 2, "")
    assert not batch.pdf and batch.finished_at is None
    # The file the old attempt wrote is removed, not left behind on the private storage.
    assert not list((tmp_path / "files").rglob("batch-*.pdf"))


@pytest.mark.parametrize(
    ("status", "minutes_ago", "message"),
    [
        (BatchStatus.QUEUED, {"created_at": 1}, "This batch is still printing"),
        (BatchStatus.RUNNING, {"created_at": 60, "progress_at": 1}, "This batch is still printing"),
        (BatchStatus.DONE, {"created_at": 60}, "This batch is already done"),
    ],
)
def test_a_batch_printing_or_done_is_not_tried_again(
    supervisor, shop, django_capture_on_commit_callbacks, status, minutes_ago, message
):
    batch = TravelerBatch.objects.create(
        shop=shop, status=status, total=4, done=2, report=empty_report()
    )
    batch = backdate(batch, **minutes_ago)
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(ActionRefused) as refused:
        traveler_batch_retry(user=supervisor, batch=batch, site_url=SITE)
    assert refused.value.status == 409 and refused.value.message.startswith(message)
    assert callbacks == []
    assert TravelerBatch.objects.values_list("status", "attempt", "done").get() == (status, 1, 2)
    assert not Event.objects.filter(kind="traveler_batch.retried").exists()


def test_another_shops_batch_is_not_found_and_not_touched(
    outsider, shop, django_capture_on_commit_callbacks
):
    batch = TravelerBatch.objects.create(
        shop=shop, status=BatchStatus.FAILED, total=4, done=2, error="disk full"
    )
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(Http404):
        traveler_batch_retry(user=outsider, batch=batch, site_url=SITE)
    assert callbacks == []
    batch.refresh_from_db()
    assert (batch.status, batch.attempt, batch.error) == (BatchStatus.FAILED, 1, "disk full")
    assert not Event.objects.filter(kind="traveler_batch.retried").exists()


def test_an_operator_may_not_try_a_batch_again(operator, shop):
    batch = TravelerBatch.objects.create(shop=shop, status=BatchStatus.FAILED, total=4)
    with pytest.raises(PermissionRefused):
        traveler_batch_retry(user=operator, batch=batch, site_url=SITE)
    batch.refresh_from_db()
    assert (batch.status, batch.attempt) == (BatchStatus.FAILED, 1)
