"""zhengwu.speedups.prepared.ByPk: the object a compiled-once lookup builds is the queryset's."""

from __future__ import annotations

from unittest import mock

import pytest
from django.db import connection, transaction
from django.db.models import F
from django.db.models.sql.compiler import SQLCompiler
from django.db.transaction import TransactionManagementError
from django.test.utils import CaptureQueriesContext

from zhengwu.accounts.models import User
from zhengwu.cases.models import Case
from zhengwu.cases.queries import CHILD_TABLES, with_child_flags
from zhengwu.cases.services import applying
from zhengwu.speedups.prepared import ByPk

pytestmark = pytest.mark.django_db


def _fields(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


@pytest.fixture
def citizen(make_citizen):
    return make_citizen(name="王小吃")


@pytest.fixture
def item(publish_item, make_department):
    return publish_item(make_department(name="市场监管局"), "食品经营许可证核发", legal_basis="《食品安全法》",
                        results=[{"name": "食品经营许可证", "type": "证照"}],
                        form_schema={"type": "object", "properties": {"shop_name": {"type": "string"}}})


@pytest.fixture
def case(citizen, item):
    c = applying.create_draft(citizen, item, form_data={"shop_name": "小吃店", "area": 20})
    return Case.objects.get(pk=c.pk)


def _locked_shape():
    return with_child_flags(Case.objects.select_for_update(of=("self",))
                            .select_related("service_item", "applicant", "item_version", "agent", "window"))


def test_the_object_equals_the_querysets_with_its_joined_rows_and_annotations(case):
    lookup = ByPk(_locked_shape)
    with transaction.atomic():
        expected = _locked_shape().get(pk=case.pk)
        got = lookup.get(case.pk)
    assert type(got) is Case and got.pk == case.pk
    assert _fields(got) == _fields(expected)
    assert got._state.adding is False and got._state.db == expected._state.db
    for name in CHILD_TABLES:
        assert getattr(got, f"has_{name}") == getattr(expected, f"has_{name}")
    # Joined rows are in place (no query to reach them), an empty link is None, not a query.
    with CaptureQueriesContext(connection) as ctx:
        assert _fields(got.service_item) == _fields(expected.service_item)
        assert _fields(got.applicant) == _fields(expected.applicant)
        assert _fields(got.item_version) == _fields(expected.item_version)
        assert got.agent is None and got.window is None
    assert len(ctx.captured_queries) == 0
    # Converted values, as the ORM converts them (JSON, datetimes).
    assert got.form_data == expected.form_data and isinstance(got.form_data, dict)
    assert got.created_at == expected.created_at and got.created_at.tzinfo is not None


def test_a_session_key_given_as_text_and_a_missing_key(citizen):
    lookup = ByPk(lambda: User.objects.select_related("applicant"))
    user = lookup.get(str(citizen.pk))  # the session keeps the user's id as text
    assert user.pk == citizen.pk and user.applicant.pk == citizen.applicant.pk
    assert lookup.get(citizen.pk + 10_000) is None


def test_compiled_once_then_one_query_per_lookup(citizen, make_citizen):
    other = make_citizen(name="李四")
    lookup = ByPk(lambda: User.objects.select_related("applicant"))
    lookup.get(citizen.pk)
    with mock.patch.object(SQLCompiler, "as_sql", side_effect=AssertionError("compiled again")), \
            CaptureQueriesContext(connection) as ctx:
        assert lookup.get(other.pk).applicant.name == "李四"
    assert len(ctx.captured_queries) == 1


@pytest.mark.django_db(transaction=True)
def test_locking_outside_a_transaction_is_refused(case):
    lookup = ByPk(_locked_shape)
    with pytest.raises(TransactionManagementError):
        lookup.get(case.pk)
    with transaction.atomic():
        lookup.get(case.pk)  # compiled now
    with pytest.raises(TransactionManagementError):
        lookup.get(case.pk)


@pytest.mark.parametrize("build", [
    lambda: User.objects.prefetch_related("groups"),
    lambda: User.objects.values_list("pk"),
])
def test_only_plain_querysets_of_objects(citizen, build):
    with pytest.raises(ValueError, match="ByPk"):
        ByPk(build).get(citizen.pk)


def test_values_give_the_querysets_dict(case):
    def build():
        return (Case.objects.filter(state="draft").annotate(item_name=F("service_item__name"))
                .values("number", "created_at", "form_data", "department__name", "item_name"))

    got = ByPk(build).get(case.pk)
    assert got == build().get(pk=case.pk)
    assert list(got) == ["number", "created_at", "form_data", "department__name", "item_name"]
    assert got["created_at"].tzinfo is not None and got["form_data"] == {"shop_name": "小吃店", "area": 20}
    assert ByPk(build).get(case.pk + 1000) is None


def test_all_rows_by_another_key_in_the_querysets_order(case, citizen, item):
    second = applying.create_draft(citizen, item, form_data={})
    lookup = ByPk(lambda: Case.objects.select_related("service_item").order_by("-pk"), field="applicant_id")
    got = lookup.all(citizen.applicant.pk)
    assert [c.pk for c in got] == [second.pk, case.pk]
    assert [_fields(c) for c in got] == [_fields(c) for c in Case.objects.filter(applicant=citizen.applicant)
                                        .order_by("-pk")]
    assert got[0].service_item.name == item.name
    assert lookup.get(citizen.applicant.pk).pk == second.pk and lookup.all(citizen.applicant.pk + 99) == []


def test_a_query_whose_sql_holds_the_key_twice_is_refused(citizen):
    with pytest.raises(ValueError, match="ByPk"):
        ByPk(lambda: User.objects.filter(pk=-7_346_210_981)).get(citizen.pk)
