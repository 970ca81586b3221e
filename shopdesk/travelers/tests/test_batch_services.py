"""traveler_batch_start and the task that makes the batch's PDF: what is released, printed,
refused and reported, and the combined PDF with its progress."""

from __future__ import annotations

import pypdfium2
import pytest

from shopdesk.core.errors import InvalidInput, PermissionRefused
from shopdesk.core.models import Event
from shopdesk.jobs import services as job_services
from shopdesk.jobs.models import Job, JobState
from shopdesk.travelers import pdf as traveler_pdf_module
from shopdesk.travelers.batch import traveler_batch_start
from shopdesk.travelers.models import BatchStatus, Traveler, TravelerBatch
from shopdesk.travelers.tests.batch_helpers import SITE, make_job


def _start(user, jobs, capture, **options) -> TravelerBatch:
    with capture(execute=True):
        batch = traveler_batch_start(user=user, jobs=jobs, site_url=SITE, **options)
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
