"""`manage.py apitoken USERNAME [--name NAME]`."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from shopdesk.core.models import ApiToken, Event
from shopdesk.core.tests.api_clients import ApiClient
from shopdesk.core.tests.factories import UserFactory


def test_it_prints_a_token_that_works(supervisor, planned_job):
    out, err = StringIO(), StringIO()
    call_command("apitoken", "sam", "--name", "ERP sync", stdout=out, stderr=err)
    raw = out.getvalue().strip()
    assert raw.startswith("sd_")
    token = ApiToken.objects.get(user=supervisor)
    assert token.name == "ERP sync"
    assert raw not in err.getvalue()  # the token goes to stdout only, for scripts
    assert Event.objects.filter(kind="api_token.created").count() == 1

    response = ApiClient(raw).get("/api/v1/jobs/J-1001")
    assert response.status_code == 200


def test_an_unknown_user_is_refused(db):
    with pytest.raises(CommandError, match="No user named"):
        call_command("apitoken", "nobody", stdout=StringIO())
    assert ApiToken.objects.count() == 0


def test_a_user_without_a_shop_is_refused(db):
    UserFactory(username="drifter")
    with pytest.raises(CommandError, match="does not belong to a shop"):
        call_command("apitoken", "drifter", stdout=StringIO())
    assert ApiToken.objects.count() == 0


def test_an_overlong_name_is_refused(supervisor):
    with pytest.raises(CommandError, match="80 characters"):
        call_command("apitoken", "sam", "--name", "x" * 81, stdout=StringIO())
    assert ApiToken.objects.count() == 0


def test_the_command_keeps_to_the_limit_of_active_tokens(supervisor):
    from shopdesk.core.services import MAX_ACTIVE_TOKENS

    for _ in range(MAX_ACTIVE_TOKENS):
        call_command("apitoken", "sam", stdout=StringIO(), stderr=StringIO())
    with pytest.raises(CommandError, match=f"You have {MAX_ACTIVE_TOKENS} active tokens"):
        call_command("apitoken", "sam", stdout=StringIO(), stderr=StringIO())
    assert ApiToken.objects.filter(user=supervisor).count() == MAX_ACTIVE_TOKENS

    # A revoked token frees a place.
    from django.utils import timezone

    ApiToken.objects.filter(pk=ApiToken.objects.first().pk).update(revoked_at=timezone.now())
    out = StringIO()
    call_command("apitoken", "sam", stdout=out, stderr=StringIO())
    assert out.getvalue().startswith("sd_")
