"""基础库 reads for other concerns (查询核验, 少填免填, the window, the registry pages): one indexed
query each.

``lookup_person`` finds a 人口库 record by 身份证号 through its blind index
(``datashare_person_unique_id``); ``lookup_legal`` a 法人库 record by 统一社会信用代码 (unique);
``lookup_persons`` many people at once (批量核验). They return model instances or None and do not
audit: the caller shows nothing clear and records its own call.
"""

from __future__ import annotations

from stdnum.cn import ric
from stdnum.cn import uscc as stdnum_uscc

from zhengwu.core.pii import blind_index

from .models import LegalEntityRecord, PersonRecord


def person_index(id_number: str) -> str:
    return blind_index("id_number", ric.compact(str(id_number or "")).upper())


def lookup_person(id_number: str) -> PersonRecord | None:
    if not ric.compact(str(id_number or "")):
        return None
    return PersonRecord.objects.filter(id_number_index=person_index(id_number)).first()


def lookup_legal(uscc: str) -> LegalEntityRecord | None:
    code = stdnum_uscc.compact(str(uscc or "")).upper()
    if not code:
        return None
    return LegalEntityRecord.objects.filter(uscc=code).first()


def lookup_persons(id_numbers) -> dict[str, PersonRecord]:
    """Many people at once (批量核验): blind index → record, one query with IN."""
    return lookup_persons_by_index(person_index(n) for n in id_numbers if n)


def lookup_persons_by_index(indexes) -> dict[str, PersonRecord]:
    """As :func:`lookup_persons`, from blind indexes already computed."""
    wanted = sorted(set(indexes))
    if not wanted:
        return {}
    return {p.id_number_index: p for p in PersonRecord.objects.filter(id_number_index__in=wanted)}
