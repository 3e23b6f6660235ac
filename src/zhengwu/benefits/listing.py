"""Rows of a policy's results as staff see them: the subject's name and number masked (by default),
looked up in the registry by pk for one page (or one export chunk) at a time."""

from __future__ import annotations

from zhengwu.core.pii import mask
from zhengwu.datashare.models import LegalEntityRecord, PersonRecord

from .models import Entitlement, Policy


def subjects(policy: Policy, rows: list[Entitlement], *, full: bool = False) -> dict[int, tuple[str, str, str]]:
    """subject pk → (name, 证件号/统一社会信用代码, 区划), masked unless ``full``."""
    pks = [r.subject_pk for r in rows]
    if policy.kind == Policy.Kind.LEGAL:
        return {pk: (name, uscc, region) for pk, name, uscc, region in
                LegalEntityRecord.objects.filter(pk__in=pks).values_list("pk", "name", "uscc", "region_code")}
    out = {}
    for p in PersonRecord.objects.filter(pk__in=pks).only("pk", "name", "id_number", "region_code"):
        name = p.name.reveal_unaudited() if p.name else ""
        number = p.id_number.reveal_unaudited() if p.id_number else ""
        out[p.pk] = ((name, number, p.region_code) if full
                     else (mask("name", name), mask("id_number", number), p.region_code))
    return out


def explanation_text(ent: Entitlement) -> str:
    return "；".join(f"{e['label']}：{e['actual']}（{'满足' if e['ok'] else '不满足'}）" for e in ent.explanation)
