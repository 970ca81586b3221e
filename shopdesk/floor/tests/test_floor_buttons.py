"""The floor's buttons per status are decided once, on the server: the page renders them for
each operation and hands the whole table to floor.js, which redraws from it while offline."""

from __future__ import annotations

import json
import re

from django.urls import reverse

from shopdesk.floor import services as floor_services

FLOOR = reverse("jobs:floor", args=["J-1001"])


def _table(html: str) -> dict:
    found = re.search(r'<script id="floor-buttons" type="application/json">(.*?)</script>', html)
    assert found, "the floor page hands floor.js its button table"
    return json.loads(found.group(1))


def test_an_operator_gets_the_table_without_pause_for_everyone(operator_client, released_job):
    table = _table(operator_client.get(FLOOR).content.decode())
    assert table == {
        "pending": {"mine": ["start"], "others": ["start"]},
        "running": {"mine": ["pause", "finish"], "others": ["join", "finish"]},
        "paused": {"mine": ["start", "finish"], "others": ["start", "finish"]},
        "at_supplier": {"mine": [], "others": []},
        "done": {"mine": [], "others": []},
    }


def test_a_supervisor_may_pause_for_everyone(supervisor_client, released_job):
    table = _table(supervisor_client.get(FLOOR).content.decode())
    assert table["running"]["others"] == ["join", "finish", "pause_all"]
    assert table["running"]["mine"] == ["pause", "finish"]


def test_the_rendered_buttons_are_the_tables(operator_client, supervisor, released_job):
    """What the page draws for an operation is the table's row for its status and viewer."""
    first = released_job.operations.order_by("sequence").first()
    floor_services.floor_action(
        user=supervisor, operation=first, action="start", client_id="btn-sup-1"
    )
    html = operator_client.get(FLOOR).content.decode()
    table = _table(html)
    card = html.split(f'data-floor-op="{first.pk}"', 1)[1].split("</div>\n", 1)[0]
    assert "Join op 1" in card and "Finish op 1" in card and "Pause for everyone" not in card
    assert table["running"]["others"] == ["join", "finish"]
    assert floor_services.floor_buttons("running", mine=False, pause_for_everyone=False) == [
        "join",
        "finish",
    ]
