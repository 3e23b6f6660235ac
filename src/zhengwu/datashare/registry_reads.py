"""Reads of 人口库 / 法人库 by identifier: one indexed query each (the blind index of the 身份证号,
the unique 统一社会信用代码). Shared by the query-verify service, 少填免填 and the registry pages."""

from __future__ import annotations

from zhengwu.core.pii import blind_index

from .models import LegalEntityRecord, PersonRecord


def person_index(id_number: str) -> str:
    return blind_index("id_number", id_number)


def lookup_person(id_number: str) -> PersonRecord | None:
    if not id_number:
        return None
    return PersonRecord.objects.filter(id_number_index=person_index(id_number)).first()


def lookup_legal(uscc: str) -> LegalEntityRecord | None:
    if not uscc:
        return None
    return LegalEntityRecord.objects.filter(uscc=str(uscc).strip().upper()).first()


def lookup_persons(id_numbers) -> dict[str, PersonRecord]:
    """Many people at once (批量核验): blind index → record, one query with IN."""
    indexes = sorted({person_index(n) for n in id_numbers if n})
    if not indexes:
        return {}
    return {p.id_number_index: p for p in PersonRecord.objects.filter(id_number_index__in=indexes)}


def lookup_persons_by_index(indexes) -> dict[str, PersonRecord]:
    """As :func:`lookup_persons`, from blind indexes already computed."""
    wanted = sorted(set(indexes))
    if not wanted:
        return {}
    return {p.id_number_index: p for p in PersonRecord.objects.filter(id_number_index__in=wanted)}
