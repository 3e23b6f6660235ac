"""Only the indexes the queries use on the case tables (every submission writes them).

Django alone would drop and re-create (and so re-validate) every altered foreign key on
PostgreSQL, a long lock on a city's million cases; there the same end state is reached with
index statements only. SQLite rebuilds the table as Django does.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


FK_INDEXES = [  # (table, column, index) left by ``db_index=True``, now covered or partial
    ("cases_case", "agent_id", "cases_case_agent_id_9d88692e"),
    ("cases_case", "applicant_id", "cases_case_applicant_id_756c921c"),
    ("cases_case", "bundle_case_id", "cases_case_bundle_case_id_8e0b8884"),
    ("cases_case", "department_id", "cases_case_department_id_c5b7309d"),
    ("cases_case", "filed_by_id", "cases_case_filed_by_id_3f8c8a34"),
    ("cases_case", "region_id", "cases_case_region_id_ffee331b"),
    ("cases_case", "service_item_id", "cases_case_service_item_id_616c9dd6"),
    ("cases_case", "window_id", "cases_case_window_id_c32d5238"),
    ("cases_caseevent", "case_id", "cases_caseevent_case_id_6c6031ac"),
    ("cases_notification", "recipient_id", "cases_notification_recipient_id_59a34e79"),
]
POSTGRESQL_FORWARD = [
    *(f'DROP INDEX IF EXISTS "{index}"' for _table, _column, index in FK_INDEXES),
    'ALTER TABLE "cases_case" DROP CONSTRAINT IF EXISTS "cases_case_number_key"',
    'DROP INDEX IF EXISTS "cases_case_number_980c9551_like"',
    'ALTER TABLE "cases_case" DROP CONSTRAINT IF EXISTS "cases_case_idempotency_key_key"',
    'DROP INDEX IF EXISTS "cases_case_idempotency_key_44e58801_like"',
    *(f'CREATE INDEX "case_{f}_set" ON "cases_case" ("{f}_id") WHERE "{f}_id" IS NOT NULL'
      for f in ("agent", "filed_by", "window", "bundle_case")),
    'ALTER TABLE "cases_case" ADD CONSTRAINT "case_number_unique" UNIQUE ("number")',
    'ALTER TABLE "cases_case" ADD CONSTRAINT "case_idempotency_key_unique" UNIQUE ("idempotency_key")',
]
POSTGRESQL_BACKWARD = [
    'ALTER TABLE "cases_case" DROP CONSTRAINT IF EXISTS "case_number_unique"',
    'ALTER TABLE "cases_case" DROP CONSTRAINT IF EXISTS "case_idempotency_key_unique"',
    *(f'DROP INDEX IF EXISTS "case_{f}_set"' for f in ("agent", "filed_by", "window", "bundle_case")),
    'ALTER TABLE "cases_case" ADD CONSTRAINT "cases_case_number_key" UNIQUE ("number")',
    'CREATE INDEX "cases_case_number_980c9551_like" ON "cases_case" ("number" varchar_pattern_ops)',
    'ALTER TABLE "cases_case" ADD CONSTRAINT "cases_case_idempotency_key_key" UNIQUE ("idempotency_key")',
    'CREATE INDEX "cases_case_idempotency_key_44e58801_like" ON "cases_case" ("idempotency_key" varchar_pattern_ops)',
    *(f'CREATE INDEX "{index}" ON "{table}" ("{column}")' for table, column, index in FK_INDEXES),
]


class IndexStatementsOnPostgreSQL(migrations.SeparateDatabaseAndState):
    """The state change of ``operations``; on PostgreSQL the database change is the given SQL."""

    def __init__(self, operations, forward, backward):
        super().__init__(state_operations=operations, database_operations=operations)
        self.forward, self.backward = forward, backward

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return super().database_forwards(app_label, schema_editor, from_state, to_state)
        for sql in self.forward:
            schema_editor.execute(sql)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return super().database_backwards(app_label, schema_editor, from_state, to_state)
        for sql in self.backward:
            schema_editor.execute(sql)


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0002_api_keys'),
        ('cases', '0003_intake_queue_index'),
        ('catalog', '0004_imports'),
        ('org', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [IndexStatementsOnPostgreSQL([
        migrations.AlterField(
            model_name='case',
            name='agent',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='agent_cases', to='accounts.applicant', verbose_name='代办人'),
        ),
        migrations.AlterField(
            model_name='case',
            name='applicant',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='cases', to='accounts.applicant', verbose_name='申请人'),
        ),
        migrations.AlterField(
            model_name='case',
            name='bundle_case',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='cases', to='cases.bundlecase', verbose_name='所属一件事'),
        ),
        migrations.AlterField(
            model_name='case',
            name='department',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='cases', to='org.department', verbose_name='实施部门'),
        ),
        migrations.AlterField(
            model_name='case',
            name='filed_by',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='录入人'),
        ),
        migrations.AlterField(
            model_name='case',
            name='idempotency_key',
            field=models.CharField(blank=True, max_length=64, null=True, verbose_name='幂等键'),
        ),
        migrations.AlterField(
            model_name='case',
            name='number',
            field=models.CharField(blank=True, max_length=32, null=True, verbose_name='办件编号'),
        ),
        migrations.AlterField(
            model_name='case',
            name='region',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='cases', to='org.region', verbose_name='区划'),
        ),
        migrations.AlterField(
            model_name='case',
            name='service_item',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='cases', to='catalog.serviceitem', verbose_name='事项'),
        ),
        migrations.AlterField(
            model_name='case',
            name='window',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='cases', to='org.window', verbose_name='受理窗口'),
        ),
        migrations.AlterField(
            model_name='caseevent',
            name='case',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='events', to='cases.case', verbose_name='办件'),
        ),
        migrations.AlterField(
            model_name='notification',
            name='recipient',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='notifications', to=settings.AUTH_USER_MODEL, verbose_name='接收人'),
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(condition=models.Q(('agent__isnull', False)), fields=['agent'], name='case_agent_set'),
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(condition=models.Q(('filed_by__isnull', False)), fields=['filed_by'], name='case_filed_by_set'),
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(condition=models.Q(('window__isnull', False)), fields=['window'], name='case_window_set'),
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(condition=models.Q(('bundle_case__isnull', False)), fields=['bundle_case'], name='case_bundle_case_set'),
        ),
        migrations.AddConstraint(
            model_name='case',
            constraint=models.UniqueConstraint(fields=('number',), name='case_number_unique'),
        ),
        migrations.AddConstraint(
            model_name='case',
            constraint=models.UniqueConstraint(fields=('idempotency_key',), name='case_idempotency_key_unique'),
        ),
    ], POSTGRESQL_FORWARD, POSTGRESQL_BACKWARD)]
