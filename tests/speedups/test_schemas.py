"""zhengwu.speedups.schemas.Schema: a dict is validated by pydantic itself, an object through ninja's
DjangoGetter, and both give the same output."""

import datetime as dt
import re
from pathlib import Path
from types import SimpleNamespace

import pydantic
import pytest

from zhengwu.cases.api_schemas import CasePage
from zhengwu.speedups import schemas

NOW = dt.datetime(2026, 11, 28, 9, 30, tzinfo=dt.UTC)


def _row(**over):
    row = {"id": 1, "number": "410105202611280000000001", "item": {"id": 3, "name": "食品经营许可证核发"},
           "department": {"id": 4, "name": "市场监督管理局"}, "applicant_name": "王小吃", "channel": "online",
           "channel_label": "网上申报", "state": "submitted", "state_label": "待受理", "created_at": NOW,
           "submitted_at": NOW, "accepted_on": None, "due_date": dt.date(2026, 12, 10), "concluded_at": None,
           "lock_version": 2}
    return {**row, **over}


def _as_object(value):
    if isinstance(value, dict):
        return SimpleNamespace(**{k: _as_object(v) for k, v in value.items()})
    if isinstance(value, list):
        return [_as_object(v) for v in value]
    return value


def test_a_dict_and_an_object_give_the_same_output():
    page = {"items": [_row(), _row(id=2, number=None, submitted_at=None, due_date=None)], "next_cursor": "abc"}
    from_dict = CasePage.model_validate(page).model_dump()
    from_object = CasePage.model_validate(_as_object(page)).model_dump()
    assert from_dict == from_object
    assert from_dict["items"][1]["number"] is None and from_dict["items"][0]["item"]["name"] == "食品经营许可证核发"


def test_a_dict_is_not_wrapped_but_an_object_is(monkeypatch):
    seen = []

    class Spy(schemas.DjangoGetter):
        def __init__(self, obj, cls, context=None):
            seen.append(type(obj).__name__)
            super().__init__(obj, cls, context)

    monkeypatch.setattr(schemas, "DjangoGetter", Spy)
    CasePage.model_validate({"items": [_row()], "next_cursor": None})
    assert seen == []
    CasePage.model_validate(_as_object({"items": [_row()], "next_cursor": None}))
    assert seen.count("SimpleNamespace") == 4  # the page, its row, the row's item and department


def test_a_dict_still_gets_the_schema_errors_and_defaults():
    bad = _row(lock_version="二")
    del bad["applicant_name"]
    with pytest.raises(pydantic.ValidationError) as exc:
        CasePage.model_validate({"items": [bad]})
    text = str(exc.value)
    assert "applicant_name" in text and "lock_version" in text
    assert CasePage.model_validate({"items": []}).next_cursor is None


def test_every_api_schema_derives_from_ours():
    """A module importing ninja's Schema would silently take the slow path again."""
    src = Path(schemas.__file__).parents[1]
    ours = Path(schemas.__file__)
    offenders = [str(p.relative_to(src)) for p in src.rglob("*.py")
                 if p != ours and re.search(r"^from ninja import .*\bSchema\b", p.read_text(encoding="utf-8"),
                                            re.MULTILINE)]
    assert offenders == []
