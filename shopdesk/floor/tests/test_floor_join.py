"""A second operator joins a running operation from the floor page, and everyone sees who is
on it. Pause stops only the caller's own time; a supervisor not on it pauses it for everyone."""

import html
import json
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from shopdesk.core.models import Role
from shopdesk.core.tests.factories import member
from shopdesk.floor import services as floor_services
from shopdesk.jobs.models import FloorAction, LaborEntry, OperationStatus
from shopdesk.travelers import services as traveler_services

FLOOR = reverse("jobs:floor", args=["J-1001"])
ACTION = reverse("jobs:floor_action", args=["J-1001"])
JSON = {"HTTP_ACCEPT": "application/json"}


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def ana(shop):
    return member(shop, Role.OPERATOR, username="ana", first_name="Ana", last_name="Ruiz")


@pytest.fixture
def ben(shop):
    return member(shop, Role.OPERATOR, username="ben", first_name="Ben", last_name="Ode")


@pytest.fixture
def saw(released_job):
    return released_job.operations.get(sequence=1)


@pytest.fixture
def ana_on_saw(ana, saw):
    floor_services.floor_action(user=ana, operation=saw, action="start", client_id="ana-start-0001")
    return saw


def _post(client, op, action, client_id, json=False):
    data = {"operation": op.pk, "action": action, "client_id": client_id}
    return client.post(ACTION, data, **(JSON if json else {}))


def _current(client) -> str:
    """The current operation's card on the floor page."""
    response = client.get(FLOOR)
    assert response.status_code == 200
    body = response.content.decode()
    return body[body.index('aria-label="Current operation"') : body.index("Other operations")]


def _buttons(card: str) -> list[str]:
    """The labels of the card's action buttons and the Finish summary, in page order."""
    return re.findall(
        r'<button type="submit" class="[^"]*fl-(?:start|pause)[^"]*">([^<]+)</button>'
        r'|<summary class="fl-summarybutton fl-finishbutton">([^<]+)</summary>',
        card,
    )


def _labels(card: str) -> list[str]:
    return [start_or_pause or finish for start_or_pause, finish in _buttons(card)]


def _form_of(card: str, label: str) -> str:
    """The form holding the button labelled `label`."""
    end = card.index(f">{label}</button>")
    return card[card.rindex("<form", 0, end) : end]


def _on_it_line(card: str) -> str:
    """What the card says about who is on the operation."""
    return re.search(r'<p class="fl-onitnames">([^<]*)</p>', card).group(1)


def _on_it(op) -> list[str]:
    return list(
        LaborEntry.objects.filter(operation=op, ended_at__isnull=True)
        .order_by("started_at", "id")
        .values_list("user__username", flat=True)
    )


# Seeing who is on it and joining ------------------------------------------------------------


def test_second_operator_sees_who_is_on_it_and_joins(ana, ben, ana_on_saw):
    saw = ana_on_saw
    ben_client = _client(ben)
    card = _current(ben_client)
    assert _on_it_line(card) == "On it: Ana Ruiz"
    assert _labels(card) == ["Join op 1", "Finish op 1"]
    join = _form_of(card, "Join op 1")
    assert 'name="action" value="start"' in join
    assert re.search(r'name="client_id" value="[0-9a-f]{32}"', join)
    assert 'data-op-mine="0"' in card and 'data-op-others="1"' in card

    response = _post(ben_client, saw, "start", "ben-join-00001")
    assert response.status_code == 303 and response["Location"] == FLOOR
    assert _on_it(saw) == ["ana", "ben"]
    saw.refresh_from_db()
    assert saw.status == OperationStatus.RUNNING
    assert saw.started_by == ana  # joining does not rewrite who started it

    ana_card = _current(_client(ana))
    assert _labels(ana_card) == ["Pause", "Finish op 1"]
    assert _on_it_line(ana_card) == "On it: Ana Ruiz, Ben Ode"
    assert "Pause stops only your time: op 1 keeps running with Ben Ode." in ana_card
    assert 'data-op-mine="1"' in ana_card and 'data-op-others="1"' in ana_card

    ben_card = _current(ben_client)
    assert _labels(ben_card) == ["Pause", "Finish op 1"]
    assert _on_it_line(ben_card) == "On it: Ana Ruiz, Ben Ode"
    assert "keeps running with Ana Ruiz." in ben_card


def test_the_only_one_on_it_gets_pause_without_the_keeps_running_hint(ana, ana_on_saw):
    card = _current(_client(ana))
    assert _labels(card) == ["Pause", "Finish op 1"]
    assert "On it: Ana Ruiz" in card and "keeps running" not in card


def test_joiner_pausing_stops_only_their_own_time(ana, ben, ana_on_saw):
    saw = ana_on_saw
    ben_client = _client(ben)
    assert _post(ben_client, saw, "start", "ben-join-00002", json=True).status_code == 200

    response = _post(ben_client, saw, "pause", "ben-pause-0001", json=True)
    assert response.status_code == 200
    data = response.json()
    assert data["detail"] == (
        "Your time on Op 1 Saw is paused; it keeps running for the others on it."
    )
    assert data["operation"]["status"] == "running" and data["caller_on_it"] is False
    assert _on_it(saw) == ["ana"]
    ben_entry = LaborEntry.objects.get(operation=saw, user=ben)
    assert ben_entry.ended_at is not None and ben_entry.end_reason == "pause"
    saw.refresh_from_db()
    assert saw.status == OperationStatus.RUNNING

    # Ben sees he can join again; Ana is still on it, alone.
    ben_card = _current(ben_client)
    assert _labels(ben_card) == ["Join op 1", "Finish op 1"]
    assert _on_it_line(ben_card) == "On it: Ana Ruiz"

    # The last one to pause pauses the operation.
    assert _post(_client(ana), saw, "pause", "ana-pause-0001").status_code == 303
    saw.refresh_from_db()
    assert saw.status == OperationStatus.PAUSED and _on_it(saw) == []
    card = _current(ben_client)
    assert _labels(card) == ["Resume op 1", "Finish op 1"]
    assert "On it:" not in card and 'class="fl-onit" data-onit' in card
    assert re.search(r'data-onit="\d+" data-op-people="\[\]" hidden>', card)


def test_json_answers_say_whether_the_caller_is_on_it(ana, ben, ana_on_saw):
    saw = ana_on_saw
    ben_client = _client(ben)
    data = _post(ben_client, saw, "start", "ben-join-00003", json=True).json()
    assert data["replayed"] is False
    assert data["detail"] == "Op 1 Saw is running."
    assert data["operation"] == {
        "id": saw.pk,
        "status": "running",
        "qty_good": 0,
        "qty_scrap": 0,
    }
    assert data["caller_on_it"] is True
    # A replay answers the first result, with who is on it now.
    replay = _post(ben_client, saw, "start", "ben-join-00003", json=True).json()
    assert replay["replayed"] is True and replay["caller_on_it"] is True
    # A note does not change who is on it; someone not on it is told so.
    note = {"operation": saw.pk, "action": "note", "client_id": "sup-note-00001", "note": "Hi"}
    assert _client(ben).post(ACTION, note, **JSON).json()["caller_on_it"] is True
    oscar_note = {**note, "client_id": "oscar-note-0001"}
    other = member(saw.job.shop, Role.OPERATOR, username="oscar2", first_name="Os")
    assert _client(other).post(ACTION, oscar_note, **JSON).json()["caller_on_it"] is False


def test_joining_twice_is_refused_and_changes_nothing(ana, ana_on_saw):
    saw = ana_on_saw
    actions = FloorAction.objects.count()
    response = _post(_client(ana), saw, "start", "ana-again-0001", json=True)
    assert response.status_code == 409
    assert response.json()["detail"] == "Op 1 Saw is already running and you are on it."
    assert _on_it(saw) == ["ana"]
    assert FloorAction.objects.count() == actions


# Pausing for everyone -------------------------------------------------------------------------


def test_an_operator_not_on_it_gets_no_pause_button(operator_client, ana_on_saw):
    card = _current(operator_client)
    assert _labels(card) == ["Join op 1", "Finish op 1"]
    assert "Pause" not in card
    assert 'data-pause-all="0"' in card


@pytest.mark.parametrize("role", [Role.QUALITY, Role.OFFICE])
def test_other_roles_not_on_it_get_no_pause_for_everyone(shop, role, ana_on_saw):
    person = member(shop, role, username=f"p-{role}")
    assert _labels(_current(_client(person))) == ["Join op 1", "Finish op 1"]


@pytest.mark.parametrize("persona", ["supervisor", "owner"])
def test_supervisor_or_owner_not_on_it_pauses_it_for_everyone(
    request, persona, ana, ben, ana_on_saw
):
    saw = ana_on_saw
    floor_services.floor_action(user=ben, operation=saw, action="start", client_id="ben-join-00004")
    lead = _client(request.getfixturevalue(persona))
    card = _current(lead)
    assert _labels(card) == ["Join op 1", "Finish op 1", "Pause for everyone"]
    assert "On it: Ana Ruiz, Ben Ode" in card
    assert 'data-pause-all="1"' in card
    assert 'name="action" value="pause"' in _form_of(card, "Pause for everyone")

    response = _post(lead, saw, "pause", "lead-pause-0001", json=True)
    assert response.status_code == 200
    assert response.json()["detail"] == "Op 1 Saw is paused."
    assert _on_it(saw) == []
    assert set(LaborEntry.objects.filter(operation=saw).values_list("end_reason", flat=True)) == {
        "pause"
    }
    saw.refresh_from_db()
    assert saw.status == OperationStatus.PAUSED


def test_a_supervisor_on_it_gets_their_own_pause_only(supervisor, supervisor_client, ana_on_saw):
    floor_services.floor_action(
        user=supervisor, operation=ana_on_saw, action="start", client_id="sup-join-00001"
    )
    card = _current(supervisor_client)
    assert _labels(card) == ["Pause", "Finish op 1"]
    assert "Pause for everyone" not in card


# What floor.js reads ----------------------------------------------------------------------------


def test_people_reach_floor_js_as_escaped_data(shop, ana, ana_on_saw):
    hostile = member(shop, Role.OPERATOR, username="zed", first_name='Zed "<b>', last_name="&x")
    floor_services.floor_action(
        user=hostile, operation=ana_on_saw, action="start", client_id="zed-join-00001"
    )
    card = _current(_client(ana))
    assert "<b>" not in card
    assert "On it: Ana Ruiz, Zed &quot;&lt;b&gt; &amp;x" in card
    raw = re.search(r'data-op-people="([^"]*)"', card).group(1)
    assert json.loads(html.unescape(raw)) == [
        {"id": ana.pk, "name": "Ana Ruiz"},
        {"id": hostile.pk, "name": 'Zed "<b> &x'},
    ]
    # The page tells floor.js who is looking, for the line it redraws offline.
    assert 'data-viewer-name="Ana Ruiz"' in _client(ana).get(FLOOR).content.decode()


def test_the_traveler_scan_page_offers_join_too(supervisor, ben, released_job, ana_on_saw):
    traveler = traveler_services.traveler_print(user=supervisor, job=released_job)
    response = _client(ben).get(reverse("travelers:scan", args=[traveler.token]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "On it: Ana Ruiz" in body and ">Join op 1</button>" in body


# Another shop -----------------------------------------------------------------------------------


def test_another_shop_naming_this_operation_changes_nothing(outsider_client, other_job, ana_on_saw):
    # Beta's own J-1001 (same number, other shop): nothing of Acme's operation on it.
    saw = ana_on_saw
    response = outsider_client.get(FLOOR)
    assert response.status_code == 200 and response.context["job"] == other_job
    body = response.content.decode()
    assert "Ana Ruiz" not in body and f'data-floor-op="{saw.pk}"' not in body
    actions = FloorAction.objects.count()
    for action, client_id in (("start", "outsider-join-1"), ("pause", "outsider-pause1")):
        response = _post(outsider_client, saw, action, client_id, json=True)
        assert response.status_code == 404
    assert _on_it(saw) == ["ana"]
    saw.refresh_from_db()
    assert saw.status == OperationStatus.RUNNING
    assert FloorAction.objects.count() == actions


def test_another_shops_floor_page_of_this_job_number_is_404(outsider_client, ana_on_saw):
    assert outsider_client.get(FLOOR).status_code == 404
    response = _post(outsider_client, ana_on_saw, "start", "outsider-join-2")
    assert response.status_code == 404
    assert _on_it(ana_on_saw) == ["ana"]


@pytest.mark.parametrize("operation", ["", "abc", "-1", "9" * 12, "<script>"])
def test_a_join_with_a_bad_operation_is_refused(ben, ana_on_saw, operation):
    data = {"operation": operation, "action": "start", "client_id": "ben-bad-000001"}
    response = _client(ben).post(ACTION, data, **JSON)
    assert response.status_code == 422
    assert response.json()["detail"] == "Choose the operation."
    assert _on_it(ana_on_saw) == ["ana"]


# Query counts ---------------------------------------------------------------------------------


@pytest.mark.parametrize("people", [1, 5])
def test_floor_page_query_count_does_not_grow_with_people_on_it(
    shop, saw, people, django_assert_max_num_queries
):
    crew = [
        member(shop, Role.OPERATOR, username=f"crew{n}", first_name=f"Crew{n}", last_name="")
        for n in range(people)
    ]
    for n, person in enumerate(crew):
        floor_services.floor_action(
            user=person, operation=saw, action="start", client_id=f"crew-{n:08d}"
        )
    viewer = _client(crew[0])
    viewer.get(FLOOR)  # the session is read the same way on every later request
    with CaptureQueriesContext(connection) as queries:
        response = viewer.get(FLOOR)
    # Session, user, membership, job, routing, people on it, blockers, people, files (2).
    assert len(queries) == 10
    with django_assert_max_num_queries(10):
        response = viewer.get(FLOOR)
    body = response.content.decode()
    assert _on_it_line(body) == "On it: " + ", ".join(f"Crew{n}" for n in range(people))


def test_joining_costs_what_starting_costs(ben, ana_on_saw, django_assert_max_num_queries):
    ben_client = _client(ben)
    ben_client.get(FLOOR)
    with django_assert_max_num_queries(13):
        response = _post(ben_client, ana_on_saw, "start", "ben-join-count1", json=True)
    assert response.status_code == 200


# The service keeps the same rule as the page ------------------------------------------------


@pytest.mark.parametrize("role", [Role.OPERATOR, Role.OFFICE, Role.QUALITY])
def test_a_pause_from_someone_not_on_it_is_refused_unless_a_supervisor(shop, ana_on_saw, role):
    """A stale page or a crafted post must not stop another person's time."""
    saw = ana_on_saw
    stranger = member(shop, role, first_name="Sam", last_name="Stale")
    response = _post(_client(stranger), saw, "pause", "stale-pause-01", json=True)
    assert response.status_code == 409
    message = response.json()["detail"]
    assert "not on Op 1" in message and "Ana Ruiz is on it" in message
    assert _on_it(saw) == ["ana"]
    saw.refresh_from_db()
    assert saw.status == OperationStatus.RUNNING
    assert not FloorAction.objects.filter(client_id="stale-pause-01").exists()


def test_an_owner_not_on_it_pauses_it_for_everyone(shop, ana, ben, ana_on_saw):
    saw = ana_on_saw
    floor_services.floor_action(user=ben, operation=saw, action="start", client_id="ben-join-00002")
    owner = member(shop, Role.OWNER)
    floor_services.floor_action(
        user=owner, operation=saw, action="pause", client_id="own-pause-001"
    )
    assert _on_it(saw) == []
    saw.refresh_from_db()
    assert saw.status == OperationStatus.PAUSED


def test_anyone_pauses_a_running_operation_nobody_is_on(shop, ana, ana_on_saw):
    """Nothing of anyone's is stopped: an operation left running with no one on it pauses."""
    saw = ana_on_saw
    LaborEntry.objects.filter(operation=saw).delete()
    operator = member(shop, Role.OPERATOR)
    floor_services.floor_action(
        user=operator, operation=saw, action="pause", client_id="op-pause-0001"
    )
    saw.refresh_from_db()
    assert saw.status == OperationStatus.PAUSED
