"""Event kinds are one declared enumeration: every kind appended anywhere is declared, with
its payload described, and event_append refuses any other."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from shopdesk.core.event_kinds import PAYLOADS, EventKind
from shopdesk.core.models import Event
from shopdesk.core.services import event_append

SOURCE = Path(__file__).resolve().parents[2]


def _source_files() -> list[Path]:
    return [
        path
        for path in SOURCE.rglob("*.py")
        if "tests" not in path.parts and "migrations" not in path.parts
    ]


def test_an_undeclared_kind_is_refused_and_nothing_is_appended(shop, supervisor):
    with pytest.raises(ValueError, match="Undeclared event kind 'job.teleported'"):
        event_append(
            shop=shop, actor=supervisor, kind="job.teleported", subject=shop, summary="Poof"
        )
    assert not Event.objects.exists()


def test_a_declared_kind_is_appended(shop, supervisor):
    event = event_append(
        shop=shop,
        actor=supervisor,
        kind=EventKind.SHOP_FLOOR_SETTINGS,
        subject=shop,
        summary="Floor settings changed",
    )
    event.refresh_from_db()
    assert event.kind == "shop.floor_settings"


def test_every_kind_has_its_payload_described():
    assert set(PAYLOADS) == set(EventKind)
    assert all(description.strip() for description in PAYLOADS.values())


def test_kinds_are_unique_and_named_by_area():
    values = EventKind.values
    assert len(values) == len(set(values))
    for value in values:
        area, _, what = value.partition(".")
        assert area and what, value
        assert len(value) <= Event._meta.get_field("kind").max_length


def _kind_argument(call: ast.Call) -> ast.expr | None:
    return next((kw.value for kw in call.keywords if kw.arg == "kind"), None)


def test_every_event_append_in_the_code_names_a_declared_kind():
    """No free string: each call passes EventKind.<MEMBER> (or a value computed from
    members, which event_append checks when it runs)."""
    calls = 0
    for path in _source_files():
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            # model_update appends its event with the kind it is given.
            if not (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", "") in ("event_append", "model_update")
            ):
                continue
            calls += 1
            kind = _kind_argument(node)
            where = f"{path.relative_to(SOURCE)}:{node.lineno}"
            assert kind is not None, where
            assert not isinstance(kind, ast.Constant), f"{where}: a free string kind"
            for attribute in ast.walk(kind):
                if isinstance(attribute, ast.Attribute) and getattr(attribute.value, "id", "") == (
                    "EventKind"
                ):
                    assert attribute.attr in EventKind.names, where
    assert calls > 40


def test_kinds_read_back_from_the_log_are_declared_too():
    """Reads filter by EventKind members, not strings that could drift from what is written."""
    for path in _source_files():
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                kind = _kind_argument(node)
                if isinstance(kind, ast.Constant) and isinstance(kind.value, str):
                    # A free string `kind=` is a blocker's or a document's kind, never an
                    # event's: those have no dot.
                    assert "." not in kind.value, f"{path.relative_to(SOURCE)}:{node.lineno}"
