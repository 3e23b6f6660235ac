"""资格比对: the compiled filter agrees with the pure rules, batches, idempotent re-runs, lapsing,
direct grants, notifications, the worker's job."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from zhengwu.benefits import rules
from zhengwu.benefits.models import EligibilityRun, Entitlement
from zhengwu.benefits.services import runs
from zhengwu.datashare.models import LegalEntityRecord, PersonRecord

D = dt.date
REF = D(2026, 12, 4)
ELDERLY = [{"field": "age", "op": "gte", "value": 80}, {"field": "region", "op": "prefix", "value": "410105"},
           {"field": "alive", "op": "eq", "value": True}]

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("conds", [
    [{"field": "age", "op": "gte", "value": 80}],
    [{"field": "age", "op": "lte", "value": 79}],
    [{"field": "age", "op": "between", "value": 79, "value2": 80}],
    [{"field": "gender", "op": "eq", "value": "女"}, {"field": "nation", "op": "eq", "value": "回族"}],
    [{"field": "region", "op": "prefix", "value": "410102"}, {"field": "alive", "op": "eq", "value": False}],
])
@pytest.mark.parametrize("ref", [REF, D(2025, 2, 28), D(2024, 2, 29), D(2025, 3, 1)])
def test_compiled_filter_agrees_with_evaluate(make_person, conds, ref):
    for birth in [D(1946, 12, 4), D(1946, 12, 5), D(1944, 2, 29), D(1945, 2, 28), D(1945, 3, 1), D(1944, 3, 1),
                  D(1945, 2, 28), D(1946, 2, 28), D(1946, 3, 1), D(1947, 1, 1)]:
        make_person(birth)
    make_person(D(1930, 1, 1), gender="女", nation="回族", region="410102001000", alive=False)
    conds = rules.validate("person", conds)
    by_sql = set(PersonRecord.objects.filter(rules.compile_q("person", conds, ref)).values_list("pk", flat=True))
    cols = rules.columns("person")
    by_python = {row[0] for row in PersonRecord.objects.values_list("pk", *cols)
                 if rules.evaluate("person", conds, dict(zip(cols, row[1:], strict=True)), ref)[0]}
    assert by_sql == by_python


def test_run_finds_the_eligible_with_explanations_in_batches(make_person, make_policy, run_now, monkeypatch):
    monkeypatch.setattr(runs, "RANGE", 2)  # several keyset batches
    old = [make_person(D(1940 + i, 1, 1)) for i in range(4)]  # 86..83
    make_person(D(1990, 1, 1))
    make_person(D(1930, 1, 1), region="410102001000")
    make_person(D(1930, 1, 1), alive=False)
    policy = make_policy(ELDERLY)
    run = run_now(policy, REF)
    assert run.state == EligibilityRun.State.DONE and run.progress == 100
    assert (run.matched, run.created, run.lapsed) == (4, 4, 0)
    ents = Entitlement.objects.filter(policy=policy).order_by("subject_pk")
    assert [e.subject_pk for e in ents] == [p.pk for p in old]
    assert {e.subject_key for e in ents} == {p.id_number_index for p in old}
    assert all(e.state == Entitlement.State.PENDING and e.run_id == run.pk for e in ents)
    assert ents[0].explanation[0] == {"label": "年龄 ≥ 80 周岁", "actual": "86 周岁", "ok": True}


def test_explanations_name_regions_not_only_codes(make_person, make_policy, run_now):
    """A citizen reads 金水区, not 410105001000 (a street's code: named by its district)."""
    from zhengwu.org.models import Region

    Region.objects.get_or_create(code="410105000000", defaults={"name": "金水区", "level": 3})
    make_person(D(1940, 1, 1))
    policy = make_policy(ELDERLY)
    run_now(policy, REF)
    region = Entitlement.objects.get(policy=policy).explanation[1]
    assert region == {"label": "户籍区划属于金水区（410105）", "actual": "金水区（410105001000）", "ok": True}


def test_rerun_does_not_duplicate_and_lapses_only_pending(make_person, make_policy, run_now):
    a, b, c = make_person(D(1940, 1, 1)), make_person(D(1941, 1, 1)), make_person(D(1942, 1, 1))
    policy = make_policy(ELDERLY)
    run_now(policy, REF)
    ea = Entitlement.objects.get(policy=policy, subject_pk=a.pk)
    Entitlement.objects.filter(pk=ea.pk).update(state=Entitlement.State.CONFIRMED)
    PersonRecord.objects.filter(pk__in=[a.pk, b.pk]).update(alive=False)  # both no longer eligible
    second = run_now(policy, REF)
    assert Entitlement.objects.filter(policy=policy).count() == 3
    assert (second.matched, second.created, second.lapsed) == (1, 0, 1)
    states = dict(Entitlement.objects.filter(policy=policy).values_list("subject_pk", "state"))
    assert states == {a.pk: "confirmed", b.pk: "lapsed", c.pk: "pending"}
    PersonRecord.objects.filter(pk=b.pk).update(alive=True)  # eligible again
    third = run_now(policy, REF)
    assert Entitlement.objects.get(policy=policy, subject_pk=b.pk).state == "pending"
    assert third.created == 0


def test_direct_policy_grants_and_legal_registry(make_policy, run_now):
    LegalEntityRecord.objects.create(uscc="91410105MA00000001", name="新企业", kind="有限责任公司", status="存续",
                                     established_on=D(2024, 1, 1), region_code="410105", registered_capital="50万元")
    LegalEntityRecord.objects.create(uscc="91410105MA00000002", name="老企业", kind="有限责任公司", status="存续",
                                     established_on=D(2010, 1, 1), region_code="410105", registered_capital="50万元")
    LegalEntityRecord.objects.create(uscc="91410105MA00000003", name="大企业", kind="有限责任公司", status="存续",
                                     established_on=D(2024, 1, 1), region_code="410105", registered_capital="5000万元")
    policy = make_policy([{"field": "established_on", "op": "within_years", "value": 3},
                          {"field": "registered_capital", "op": "lte", "value": 100}], kind="legal", mode="direct")
    run_now(policy, REF)
    ent = Entitlement.objects.get(policy=policy)
    assert ent.subject_key == "91410105MA00000001"
    assert ent.state == Entitlement.State.GRANTED and ent.decided_at is not None


def test_new_entitlements_notify_account_holders_once(make_person, make_citizen, make_policy, run_now):
    from zhengwu.cases.models import Notification
    from zhengwu.core.identifiers import make_id_number

    number = make_id_number("41010519400101123")
    user = make_citizen(name="李老", id_body=number[:17])
    make_person(D(1940, 1, 1), id_number=number)
    make_person(D(1941, 1, 1))  # no account
    policy = make_policy(ELDERLY, name="高龄津贴")
    run_now(policy, REF)
    notes = list(Notification.objects.filter(recipient=user))
    assert [n.title for n in notes] == ["您可享受政策：高龄津贴"]
    assert Entitlement.objects.filter(policy=policy, notified_at__isnull=False).count() == 1
    run_now(policy, REF)
    assert Notification.objects.filter(recipient=user).count() == 1


def test_only_published_policies_run_and_one_active_run(make_policy):
    draft = make_policy(ELDERLY, publish=False)
    with pytest.raises(ValidationError, match="只有已发布的政策"):
        runs.request_run(None, draft.pk)
    policy = make_policy(ELDERLY)
    first = runs.request_run(None, policy.pk)
    assert runs.request_run(None, policy.pk).pk == first.pk
    assert EligibilityRun.objects.filter(policy=policy).count() == 1


def test_worker_job_runs_queued_and_resumes_a_stalled_run(make_person, make_policy, monkeypatch):
    from django.utils import timezone

    monkeypatch.setattr(runs, "RANGE", 1)
    people = [make_person(D(1940, 1, 1)) for _ in range(3)]
    policy = make_policy(ELDERLY)
    run = runs.request_run(None, policy.pk, REF)
    # a worker died after the first batch: running, position saved, no progress for long
    EligibilityRun.objects.filter(pk=run.pk).update(
        state="running", last_pk=people[0].pk, max_pk=people[-1].pk,
        heartbeat_at=timezone.now() - runs.STALE_AFTER * 2)
    assert runs.execute(run.pk) is not None
    run.refresh_from_db()
    assert run.state == "done"
    assert set(Entitlement.objects.filter(policy=policy).values_list("subject_pk", flat=True)) == \
        {p.pk for p in people[1:]}
    other = make_policy(ELDERLY)
    queued = runs.request_run(None, other.pk, REF)
    assert runs.run_queued().startswith("资格比对 1 次")
    queued.refresh_from_db()
    assert queued.state == "done" and queued.matched == 3
    assert runs.execute(queued.pk) is None  # done: nobody claims it again


def test_a_run_of_a_policy_stopped_meanwhile_is_cancelled(make_person, make_policy):
    from zhengwu.benefits.services import policies

    make_person(D(1940, 1, 1))
    policy = make_policy(ELDERLY)
    run = runs.request_run(None, policy.pk, REF)
    policies.set_state(None, policy.pk, policy.lock_version, "closed")
    run = runs.execute(run.pk)
    assert run.state == "failed" and run.error == "政策已停止，比对取消"
    assert not Entitlement.objects.exists()
