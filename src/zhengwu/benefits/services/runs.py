"""资格比对: scan 人口库 or 法人库 for one published policy, in keyset batches of the registry's pk.

Each batch is one query with the rules compiled to SQL (``rules.compile_q``) plus ``pk`` in a range,
fetching only the keys and the columns the rules read; every returned row then goes through
``rules.evaluate`` (the authority, which also writes the explanation), and the eligible ones are
upserted in one statement on (policy, subject): new ones are inserted, existing ones only get
``seen_run_id`` and the fresh explanation, so a second run never duplicates and never resets a
state. After the scan, 待确认 entitlements this run did not see become 不再符合 (confirmed, granted
and waived ones are left as they are), and 不再符合 ones seen again are 待确认 again.

The run's position (``last_pk``) is saved with every batch: a run whose worker died is resumed from
there by the next :func:`run_queued`.
"""

from __future__ import annotations

import datetime as dt
import json
import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Max
from django.utils import timezone

from zhengwu.core import audit
from zhengwu.datashare.models import LegalEntityRecord, PersonRecord
from zhengwu.org.regions import region_namer

from .. import rules
from ..models import EligibilityRun, Entitlement, Policy
from ..queries import may_manage
from . import entitlements as ent_svc

log = logging.getLogger(__name__)

RANGE = 100_000  # registry pk range per batch (a batch holds at most this many rows)
STALE_AFTER = dt.timedelta(minutes=15)  # a running run without progress for this long is resumed


def registry(kind: str):
    """(model, subject key column) of a policy kind."""
    return (PersonRecord, "id_number_index") if kind == Policy.Kind.PERSON else (LegalEntityRecord, "uscc")


@transaction.atomic
def request_run(user, policy_pk: int, reference_date: dt.date | None = None) -> EligibilityRun:
    """Queue a 资格比对 (the worker runs it). One active run per policy: a second request while one
    is queued or running returns that one."""
    policy = Policy.objects.select_for_update().get(pk=policy_pk)
    if user is not None and not may_manage(user, policy):
        raise PermissionDenied("仅该政策主管部门的事项管理员、部门管理员可以发起资格比对")
    if policy.state != Policy.State.PUBLISHED:
        raise ValidationError({"state": ["状态：只有已发布的政策可以进行资格比对"]})
    active = policy.runs.filter(state__in=[EligibilityRun.State.QUEUED, EligibilityRun.State.RUNNING]).first()
    if active is not None:
        return active
    try:
        with transaction.atomic():
            run = EligibilityRun.objects.create(policy=policy, rules=policy.rules, requested_by=user,
                                                reference_date=reference_date or timezone.localdate())
    except IntegrityError:  # a concurrent request won (unique active run)
        return policy.runs.get(state__in=[EligibilityRun.State.QUEUED, EligibilityRun.State.RUNNING])
    audit.record("benefits.run_request", actor=user, obj=run,
                 after={"policy": policy.pk, "reference_date": run.reference_date.isoformat()})
    return run


def _claim(run_id: int, now) -> bool:
    stale = now - STALE_AFTER
    return EligibilityRun.objects.filter(pk=run_id).filter(
        state=EligibilityRun.State.QUEUED).update(state=EligibilityRun.State.RUNNING, started_at=now,
                                                   heartbeat_at=now) == 1 or \
        EligibilityRun.objects.filter(pk=run_id, state=EligibilityRun.State.RUNNING,
                                      heartbeat_at__lt=stale).update(heartbeat_at=now) == 1


STAGE = "benefits_run_stage"  # per connection (temporary): one batch's eligible rows


def _stage() -> None:
    jsontype = "jsonb" if connection.vendor == "postgresql" else "text"
    with connection.cursor() as c:
        c.execute(f"CREATE TEMPORARY TABLE IF NOT EXISTS {STAGE} (subject_pk bigint, subject_key varchar(32), "
                  f"explanation {jsontype})")


def _upsert(policy: Policy, run: EligibilityRun, made: list[tuple], now) -> None:
    """One statement for the batch: new subjects inserted; existing ones get ``seen_run_id`` and the
    fresh explanation, their state untouched (the upsert on the unique (policy, subject))."""
    direct = policy.mode == Policy.Mode.DIRECT
    state = Entitlement.State.GRANTED if direct else Entitlement.State.PENDING
    at = connection.ops.adapt_datetimefield_value(now)
    with connection.cursor() as c:
        c.execute(f"DELETE FROM {STAGE}")
        if connection.vendor == "postgresql":
            with c.cursor.copy(f"COPY {STAGE} (subject_pk, subject_key, explanation) FROM STDIN") as copy:
                for row in made:
                    copy.write_row(row)
        else:
            c.executemany(f"INSERT INTO {STAGE} VALUES (%s, %s, %s)", made)
        table = Entitlement._meta.db_table
        c.execute(
            f"INSERT INTO {table} (policy_id, subject_pk, subject_key, state, explanation, run_id, seen_run_id, "
            f"lock_version, created_at, decided_at) "
            f"SELECT %s, subject_pk, subject_key, %s, explanation, %s, %s, 0, %s, %s FROM {STAGE} WHERE true "
            f"ON CONFLICT (policy_id, subject_key) DO UPDATE SET seen_run_id = excluded.seen_run_id, "
            f"explanation = excluded.explanation",
            [policy.pk, state, run.pk, run.pk, at, at if direct else None])


def _batch(run: EligibilityRun, policy: Policy, model, key: str, cols: list[str], q, decide, lo: int, hi: int,
           now) -> int:
    """Scan pks (lo, hi]; upsert the eligible; returns how many."""
    rows = model.objects.filter(q, pk__gt=lo, pk__lte=hi).values_list("pk", key, *cols)
    made = []
    for row in rows.iterator(chunk_size=5000):
        ok, explained = decide(dict(zip(cols, row[2:], strict=True)))
        if ok and row[1]:
            made.append((row[0], row[1], json.dumps(explained, ensure_ascii=False)))
    with transaction.atomic():
        if made:
            _upsert(policy, run, made, now)
        run.last_pk = hi
        run.matched += len(made)
        run.scanned = hi
        run.heartbeat_at = timezone.now()
        run.save(update_fields=["last_pk", "matched", "scanned", "heartbeat_at"])
    return len(made)


def execute(run_id: int) -> EligibilityRun | None:
    """Run (or resume) one queued run; None when another worker has it."""
    now = timezone.now()
    if not _claim(run_id, now):
        return None
    run = EligibilityRun.objects.select_related("policy").get(pk=run_id)
    policy = run.policy
    if policy.state != Policy.State.PUBLISHED:  # stopped after the run was queued
        EligibilityRun.objects.filter(pk=run_id).update(state=EligibilityRun.State.FAILED, finished_at=timezone.now(),
                                                        error="政策已停止，比对取消")
        run.refresh_from_db()
        return run
    try:
        kind = policy.kind
        model, key = registry(kind)
        cols = rules.columns(kind)
        conditions = rules.validate(kind, run.rules)
        q = rules.compile_q(kind, conditions, run.reference_date)
        decide = rules.evaluator(kind, conditions, run.reference_date, region_namer())
        _stage()
        if not run.max_pk:
            run.max_pk = model.objects.aggregate(m=Max("pk"))["m"] or 0
            run.save(update_fields=["max_pk"])
        lo = run.last_pk
        while lo < run.max_pk:
            hi = min(lo + RANGE, run.max_pk)
            _batch(run, policy, model, key, cols, q, decide, lo, hi, now)
            lo = hi
        _finish(run, policy)
    except Exception as exc:
        log.exception("资格比对失败 run=%s", run_id)
        EligibilityRun.objects.filter(pk=run_id).update(state=EligibilityRun.State.FAILED, finished_at=timezone.now(),
                                                        error=f"{type(exc).__name__}: {exc}"[:500])
        raise
    run.refresh_from_db()
    return run


@transaction.atomic
def _finish(run: EligibilityRun, policy: Policy) -> None:
    mine = Entitlement.objects.filter(policy=policy)
    lapsed = mine.filter(state=Entitlement.State.PENDING).exclude(seen_run_id=run.pk) \
        .update(state=Entitlement.State.LAPSED)
    back = Entitlement.State.GRANTED if policy.mode == Policy.Mode.DIRECT else Entitlement.State.PENDING
    mine.filter(state=Entitlement.State.LAPSED, seen_run_id=run.pk).update(state=back)
    run.created = mine.filter(run_id=run.pk).count()
    run.lapsed = lapsed
    run.state = EligibilityRun.State.DONE
    run.finished_at = timezone.now()
    run.save(update_fields=["created", "lapsed", "state", "finished_at"])
    notified = ent_svc.notify_new(run)
    # The scan read the registry's birth dates, genders, regions (personal data) for this purpose.
    audit.record("benefits.run_done", obj=run, after={
        "policy": policy.pk, "registry": policy.kind, "matched": run.matched, "created": run.created,
        "lapsed": lapsed, "notified": notified, "reference_date": run.reference_date.isoformat()})


def run_queued() -> str:
    """The worker's job: every queued run (and any stalled one), oldest first."""
    stale = timezone.now() - STALE_AFTER
    ids = list(EligibilityRun.objects.filter(state=EligibilityRun.State.QUEUED).order_by("requested_at", "pk")
               .values_list("pk", flat=True)[:20])
    ids += list(EligibilityRun.objects.filter(state=EligibilityRun.State.RUNNING, heartbeat_at__lt=stale)
                .values_list("pk", flat=True)[:5])
    done = []
    for pk in ids:
        try:
            run = execute(pk)
        except Exception:  # recorded on the run; the other runs still go
            continue
        if run is not None:
            done.append(f"{run.pk}:{run.matched}")
    return f"资格比对 {len(done)} 次 " + " ".join(done) if done else ""
