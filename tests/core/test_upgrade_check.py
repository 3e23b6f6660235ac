"""``zhengwu upgrade-check`` and its rules: which pending migration operations would hold long
locks on large tables (docs/upgrade.md)."""

import io

import pytest
from django.core.management import call_command
from django.db import migrations, models
from django.db.migrations.recorder import MigrationRecorder
from django.db.migrations.state import ModelState, ProjectState
from django.db.models.functions import Now

from zhengwu.core.management.commands.upgrade_check import describe, pending
from zhengwu.core.upgrade_rules import OK, REVIEW, RISKY, Op, assess

BIG, SMALL = 5_000_000, 1_000


# -- the pure rules --------------------------------------------------------------------------------
@pytest.mark.parametrize("op, level", [
    (Op("AddIndex", "cases_case", BIG), RISKY),
    (Op("AddIndex", "cases_case", SMALL), OK),
    (Op("AddIndexConcurrently", "cases_case", BIG, concurrently=True), OK),
    (Op("AddConstraint", "cases_case", BIG), RISKY),
    (Op("AddConstraintNotValid", "cases_case", BIG, not_valid=True), OK),
    (Op("AddField", "cases_case", BIG), OK),  # a constant default: the catalogue only
    (Op("AddField", "cases_case", BIG, volatile_default=True), RISKY),
    (Op("AddField", "cases_case", BIG, adds_index=True, adds_foreign_key=True), RISKY),
    (Op("AlterField", "cases_case", BIG, rewrites=True), RISKY),
    (Op("AlterField", "cases_case", BIG, sets_not_null=True), RISKY),
    (Op("AlterField", "cases_case", BIG), OK),  # verbose_name, choices…
    (Op("AlterField", "cases_case", SMALL, rewrites=True), OK),
    (Op("CreateModel", "cases_new", 0), OK),
    (Op("RemoveField", "cases_case", BIG), OK),
    (Op("RunPython", "", BIG), REVIEW),
    (Op("RunSQL", "", SMALL), OK),
])
def test_rules(op, level):
    finding = assess(op, large_rows=100_000)
    assert finding.level == level
    if level == RISKY:
        assert op.table in finding.lock and finding.advice


def test_threshold_is_the_operators():
    op = Op("AddIndex", "t", 50_000)
    assert assess(op, large_rows=100_000).level == OK
    assert assess(op, large_rows=10_000).level == RISKY


# -- Django operations described -----------------------------------------------------------------
def _state():
    state = ProjectState()
    state.add_model(ModelState("demo", "Thing", [
        ("id", models.BigAutoField(primary_key=True)),
        ("name", models.CharField(max_length=50)),
        ("note", models.CharField(max_length=50, null=True)),
    ], {}))
    return state


@pytest.mark.parametrize("operation, level", [
    (migrations.AddIndex("thing", models.Index(fields=["name"], name="thing_name")), RISKY),
    (migrations.AddField("thing", "at", models.DateTimeField(db_default=Now())), RISKY),
    (migrations.AddField("thing", "flag", models.BooleanField(default=False)), OK),
    (migrations.AlterField("thing", "name", models.IntegerField()), RISKY),
    (migrations.AlterField("thing", "name", models.CharField(max_length=80)), OK),  # longer varchar
    (migrations.AlterField("thing", "name", models.CharField(max_length=20)), RISKY),  # shorter: every row checked
    (migrations.AlterField("thing", "note", models.CharField(max_length=50)), RISKY),  # NULL -> NOT NULL
    (migrations.AlterField("thing", "name", models.CharField("名称", max_length=50)), OK),
    (migrations.AddConstraint("thing", models.CheckConstraint(condition=models.Q(name__gt=""), name="c")), RISKY),
])
def test_describe_real_operations(operation, level):
    op = describe(operation, "demo", _state(), {"demo_thing": BIG})
    assert op.table == "demo_thing" and op.rows == BIG
    assert assess(op).level == level


# -- the command against this database -------------------------------------------------------------
def test_up_to_date_database_has_nothing_risky(db):
    out = io.StringIO()
    call_command("upgrade_check", stdout=out)
    assert "没有待执行的迁移，没有高风险操作" in out.getvalue()
    assert pending() == []


def test_an_unapplied_index_migration_is_flagged(db):
    """As if the database were a version behind: core 0005 (an AddIndex on the audit events) not applied."""
    MigrationRecorder.Migration.objects.filter(app="core", name__gte="0005").delete()
    behind = len(pending(large_rows=0))
    plan = pending(large_rows=0)
    assert [m.name for m, _ in plan][:1] == ["0005_audit_action_index"]
    out = io.StringIO()
    call_command("upgrade_check", "--large-rows", "0", stdout=out)
    text = out.getvalue()
    assert f"待执行的迁移 {behind} 个" in text and behind >= 3 and "[高风险] AddIndex core_auditevent" in text and "AddIndexConcurrently" in text
    with pytest.raises(Exception, match="高风险迁移操作"):
        call_command("upgrade_check", "--large-rows", "0", "--fail-on-risk", stdout=io.StringIO())
    # On a small database the same migrations are harmless.
    out = io.StringIO()
    call_command("upgrade_check", stdout=out)
    assert "没有会在大表上长时间锁表的操作" in out.getvalue()
