"""基础库 reads for other concerns (查询核验): one indexed query each.

``lookup_person`` finds a 人口库 record by 身份证号 through its blind index
(``datashare_person_unique_id``); ``lookup_legal`` a 法人库 record by 统一社会信用代码 (unique).
They return the model instance or None and do not audit: the caller shows nothing clear and
audits its own query.
"""

from __future__ import annotations

from stdnum.cn import ric, uscc as stdnum_uscc

from zhengwu.core.pii import blind_index

from .models import LegalEntityRecord, PersonRecord


def lookup_person(id_number: str) -> PersonRecord | None:
    number = ric.compact(str(id_number or "")).upper()
    if not number:
        return None
    return PersonRecord.objects.filter(id_number_index=blind_index("id_number", number)).first()


def lookup_legal(uscc: str) -> LegalEntityRecord | None:
    code = stdnum_uscc.compact(str(uscc or "")).upper()
    if not code:
        return None
    return LegalEntityRecord.objects.filter(uscc=code).first()
