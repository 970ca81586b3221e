import pytest

from shopdesk.core.models import Event


def test_every_job_change_appends_an_event(planned_job, supervisor):
    kinds = list(Event.objects.filter(job=planned_job).values_list("kind", flat=True))
    assert kinds == ["job.created"]
    assert Event.objects.get(job=planned_job).actor == supervisor


def test_events_cannot_be_edited_or_deleted(planned_job):
    event = Event.objects.get(job=planned_job)
    event.summary = "rewritten history"
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        event.delete()
    with pytest.raises(TypeError):
        Event.objects.filter(pk=event.pk).update(summary="rewritten")
    with pytest.raises(TypeError):
        Event.objects.filter(pk=event.pk).delete()
    event.refresh_from_db()
    assert event.summary.startswith("J-1001 created")


def test_pages_carry_a_strict_content_security_policy(client, db):
    response = client.get("/login/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
