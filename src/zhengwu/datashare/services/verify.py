"""查询核验: the service other departments' systems call (核验 / 查询 / 批量核验), and the one
place a :class:`QueryCall` row is written — for every call, refused ones included.

A call is allowed when the key holds the scope (``data:verify`` 核验, ``data:query`` 查询) and
an active :class:`ShareGrant` of that key for a published resource of the registry (人口库
``person`` / 法人库 ``legal``) — read on every call, never cached, so a revocation holds at once —
within its per-minute rate and daily quota (:mod:`..quota`). 核验 answers only 一致/不一致 (a
record not found is 不一致 too); 查询 answers only granted fields. The ID number and name are
never written anywhere in the clear: the call row keeps the blind index of the ID number.
"""

from __future__ import annotations

import time
import unicodedata
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils import timezone

from zhengwu.core.identifiers import validate_id_number, validate_uscc
from zhengwu.core.pii import blind_index
from zhengwu.speedups.prepared import ByPk

from .. import quota, registry_reads
from .. import verify_rules as rules
from ..models import DataResource, QueryCall, ShareGrant

VERIFY_SCOPE = "data:verify"
QUERY_SCOPE = "data:query"
R = QueryCall.Result


def save_calls(rows: list[QueryCall]) -> None:
    """Insert call rows (one statement), durably: the answer waits for its record (ADR 0038)."""
    QueryCall.objects.bulk_create(rows, batch_size=500)


@dataclass
class Call:
    """One call being served: who, what for, about whom; what the row will say."""

    key: object  # accounts.ApiKey
    kind: str
    registry: str
    purpose: str = ""
    grant: ShareGrant | None = None
    subject_index: str = ""
    fields: list[str] = field(default_factory=list)
    started: float = field(default_factory=time.perf_counter)

    def row(self, result: str, status: int = 200, subject_index: str | None = None) -> QueryCall:
        g = self.grant
        return QueryCall(
            kind=self.kind, api_key=self.key, consumer_id=g.consumer_id if g else getattr(self.key, "department_id", None),
            consumer_name=getattr(self.key, "name", "")[:150], resource_id=g.resource_id if g else None,
            registry=self.registry, purpose=self.purpose[:300],
            subject_index=self.subject_index if subject_index is None else subject_index, fields=self.fields,
            result=result, status_code=status, latency_ms=round((time.perf_counter() - self.started) * 1000, 3))

    def refused(self, refusal: rules.Refusal) -> rules.Refusal:
        save_calls([self.row(R.REFUSED if refusal.status != 400 else R.ERROR, refusal.status)])
        return refusal


def _same(a: str, b: str) -> bool:
    return unicodedata.normalize("NFKC", a or "").strip() == unicodedata.normalize("NFKC", b or "").strip()


# Every grant of a key with its resource, newest first: compiled once per process (the SQL only;
# the rows are read on every call, so a revocation holds at once).
_GRANTS_OF_KEY = ByPk(lambda: ShareGrant.objects.select_related("resource").order_by("-created_at", "-pk"),
                      field="api_key_id")


def find_grant(key, registry: str, resource_code: str = "") -> ShareGrant:
    """The key's active grant for a resource of ``registry`` (the named one, else any published
    one); a 403 :class:`Refusal` saying why there is none. One query, not cached."""
    grants = [g for g in _GRANTS_OF_KEY.all(key.pk)
              if g.resource.registry == registry and (not resource_code or g.resource.code == resource_code)]
    if not grants:
        where = f"资源“{resource_code}”" if resource_code else rules.REGISTRY_LABELS[registry]
        raise rules.Refusal(403, f"该应用密钥没有{where}的共享授权：请先提交共享申请")
    now = timezone.now()
    problems = []
    for g in grants:
        problem = rules.grant_problem(rules.GrantView(g.revoked_at, g.expires_at, g.resource.status, g.resource.version), now)
        if not problem:
            return g
        problems.append(problem)
    raise rules.Refusal(403, f"{problems[0]}：无权访问{rules.REGISTRY_LABELS[registry]}")


def _start(call: Call, scope: str, purpose: str, resource_code: str) -> None:
    if scope not in (call.key.scopes or []):
        raise rules.Refusal(403, f"应用密钥无权访问：需要授权范围 {scope}（{'核验' if scope == VERIFY_SCOPE else '查询'}）")
    call.purpose = str(purpose or "")[:300]  # kept on the row even when refused
    call.purpose = rules.clean_purpose(purpose)
    call.grant = find_grant(call.key, call.registry, (resource_code or "").strip())


def _id_number(value: str, name: str = "id_number") -> str:
    try:
        return validate_id_number(str(value or "").strip(), "身份证号")
    except ValidationError as exc:
        raise rules.Refusal(400, f"{name}：{exc.messages[0]}", {name: exc.messages}) from None


def _required(value: str, name: str, label: str) -> str:
    text = str(value or "").strip()
    if not text:
        raise rules.Refusal(400, f"{label}：必填", {name: [f"{label}：必填"]})
    return text


def verify_person(key, *, id_number: str, name: str, purpose: str, resource: str = "") -> str:
    """核验 人口库: 一致 when the registry holds this 身份证号 with this 姓名; else 不一致."""
    call = Call(key, QueryCall.Kind.VERIFY, "person", fields=["id_number", "name"])
    try:
        _start(call, VERIFY_SCOPE, purpose, resource)
        number = _id_number(id_number)
        call.subject_index = registry_reads.person_index(number)
        name = _required(name, "name", "姓名")
        quota.count(call.grant.pk, call.grant.per_minute, call.grant.daily_quota)
    except rules.Refusal as refusal:
        raise call.refused(refusal) from None
    record = registry_reads.lookup_person(number)
    match = record is not None and record.name_index == blind_index("name", name)
    save_calls([call.row(R.MATCH if match else R.MISMATCH)])
    return rules.MATCH if match else rules.MISMATCH


def verify_legal(key, *, uscc: str, name: str, purpose: str, resource: str = "") -> str:
    """核验 法人库: 一致 when the registry holds this 统一社会信用代码 with this 名称."""
    call = Call(key, QueryCall.Kind.VERIFY, "legal", fields=["uscc", "name"])
    try:
        _start(call, VERIFY_SCOPE, purpose, resource)
        try:
            code = validate_uscc(str(uscc or "").strip().upper())
        except ValidationError as exc:
            raise rules.Refusal(400, f"uscc：{exc.messages[0]}", {"uscc": exc.messages}) from None
        call.subject_index = code
        name = _required(name, "name", "名称")
        quota.count(call.grant.pk, call.grant.per_minute, call.grant.daily_quota)
    except rules.Refusal as refusal:
        raise call.refused(refusal) from None
    record = registry_reads.lookup_legal(code)
    match = record is not None and _same(record.name, name)
    save_calls([call.row(R.MATCH if match else R.MISMATCH)])
    return rules.MATCH if match else rules.MISMATCH


def person_value(record, key: str):
    """A 人口库 field as JSON (personal columns decrypted: the call row is the audit)."""
    value = getattr(record, key)
    if hasattr(value, "reveal_unaudited"):
        return value.reveal_unaudited()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def query_person(key, *, id_number: str, fields: list[str], purpose: str, resource: str = "") -> dict:
    """查询 人口库: the granted fields of one person ({"found": bool, "data": {...}})."""
    call = Call(key, QueryCall.Kind.QUERY, "person", fields=[str(f)[:60] for f in (fields or [])][:20])
    try:
        _start(call, QUERY_SCOPE, purpose, resource)
        number = _id_number(id_number)
        call.subject_index = registry_reads.person_index(number)
        call.fields = rules.check_fields("person", fields, call.grant.fields)
        quota.count(call.grant.pk, call.grant.per_minute, call.grant.daily_quota)
    except rules.Refusal as refusal:
        raise call.refused(refusal) from None
    record = registry_reads.lookup_person(number)
    data = {k: person_value(record, k) for k in call.fields} if record is not None else {}
    save_calls([call.row(R.FOUND if record is not None else R.NOT_FOUND)])
    return {"found": record is not None, "data": data}


def verify_person_batch(key, *, items: list[dict], purpose: str, resource: str = "") -> list[str]:
    """批量核验: 一致/不一致 per item, in order. One query (IN over the blind indexes) and one
    bulk insert of the call rows."""
    call = Call(key, QueryCall.Kind.VERIFY, "person", fields=["id_number", "name"])
    try:
        _start(call, VERIFY_SCOPE, purpose, resource)
        if not items:
            raise rules.Refusal(400, "items：至少一条", {"items": ["items：至少一条"]})
        if len(items) > rules.BATCH_MAX:
            raise rules.Refusal(400, f"items：每批最多{rules.BATCH_MAX}条（本次{len(items)}条）",
                                {"items": [f"每批最多{rules.BATCH_MAX}条"]})
        pairs, errors = [], {}
        for i, item in enumerate(items):
            try:
                number = _id_number(item.get("id_number"), f"items[{i}].id_number")
                name = _required(item.get("name"), f"items[{i}].name", f"items[{i}].name 姓名")
            except rules.Refusal as bad:
                errors.update(bad.errors)
                continue
            pairs.append((registry_reads.person_index(number), blind_index("name", name)))
        if errors:
            first = next(iter(errors.values()))[0]
            raise rules.Refusal(400, f"{len(errors)}条有误，如 {first}", errors)
        quota.count(call.grant.pk, call.grant.per_minute, call.grant.daily_quota, calls=len(pairs))
    except rules.Refusal as refusal:
        raise call.refused(refusal) from None
    found = registry_reads.lookup_persons_by_index([p[0] for p in pairs])
    results, rows = [], []
    for index, name_index in pairs:
        record = found.get(index)
        match = record is not None and record.name_index == name_index
        results.append(rules.MATCH if match else rules.MISMATCH)
        rows.append(call.row(R.MATCH if match else R.MISMATCH, subject_index=index))
    save_calls(rows)
    return results


# -- inside the platform: 少填免填 and 窗口查询 (zhengwu.datashare.prefill) ---------------------------
def registry_resource(registry: str) -> DataResource | None:
    return (DataResource.objects.filter(registry=registry, status=DataResource.Status.PUBLISHED)
            .order_by("pk").only("pk").first())


def record_internal(*, kind: str, registry: str, consumer, consumer_name: str, purpose: str, subject_index: str,
                    fields: list[str], result: str, started: float) -> QueryCall:
    """The call row of a read made by the platform itself for a person (prefill, window lookup)."""
    resource = registry_resource(registry)
    return QueryCall.objects.create(
        kind=kind, consumer=consumer, consumer_name=consumer_name[:150], resource=resource, registry=registry,
        purpose=purpose[:300], subject_index=subject_index, fields=list(fields), result=result, status_code=200,
        latency_ms=round((time.perf_counter() - started) * 1000, 3))
