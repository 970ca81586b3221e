"""Whatever JSON a flaky phone or a hostile client sends to /api/v1/scans, never a 500."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=80),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=8,
)
FIELDS = [
    "traveler_token",
    "job",
    "operation",
    "action",
    "qty_good",
    "qty_scrap",
    "note",
    "client_id",
]
plausible = st.fixed_dictionaries(
    {},
    optional={
        "job": st.sampled_from(["J-1001", "1001", "J-1", "", "J-99999999999"]) | json_values,
        "action": st.sampled_from(["start", "pause", "finish", "note", "START"]) | json_values,
        "client_id": st.text(min_size=0, max_size=70) | json_values,
        "operation": st.integers(min_value=-5, max_value=10) | json_values,
        "qty_good": st.integers(min_value=-5, max_value=200) | json_values,
        "qty_scrap": st.integers(min_value=-5, max_value=200) | json_values,
        "note": st.text(max_size=50) | json_values,
        "traveler_token": st.text(max_size=50) | json_values,
    },
)


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(body=plausible | json_values | st.dictionaries(st.sampled_from(FIELDS), json_values))
def test_random_scan_bodies_never_give_a_500(operator_api, released_job, body):
    response = operator_api.post("/api/v1/scans", raw=json.dumps(body))
    assert response.status_code in (200, 201, 400, 404, 409, 410, 422), (body, response.content)
    payload = response.json()
    assert isinstance(payload, dict)
    if response.status_code >= 400:
        assert isinstance(payload["detail"], str) and isinstance(payload["errors"], list)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(raw=st.binary(max_size=60) | st.text(max_size=60).map(str.encode))
def test_random_bytes_never_give_a_500(operator_api, released_job, raw):
    response = operator_api.post("/api/v1/scans", raw=raw)
    assert response.status_code in (200, 201, 400, 404, 409, 410, 422), (raw, response.content)
