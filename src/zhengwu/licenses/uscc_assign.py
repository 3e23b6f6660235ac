"""统一社会信用代码 for a new 市场主体, assigned when its 设立登记 is approved, behind one interface.

The registration authority gives the code (GB 32100-2015); where it comes from is a plugin:

- :class:`LocalSequenceAssigner` (``local``, the default) — the working local implementation: the
  主体标识码 from the platform's own sequence (:func:`next_value`), both check characters computed
  (:func:`zhengwu.licenses.entity_rules.new_uscc`), a code already on record (an account, a
  department, a licence) skipped.
- Another source (the province's 市场主体登记 system, the national 统一代码 centre): a class with
  ``code``, ``label`` and ``assign(entity) -> str`` named in ``settings.ZHENGWU_USCC_ASSIGNER``
  (a dotted path). It is called inside the approval's transaction; it either answers a code or
  raises :class:`AssignError` with a Chinese message (the approval is then not recorded) — never
  a made-up answer. Whatever it answers is checked (:func:`checked`) before a licence carries it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F
from django.utils.module_loading import import_string

from zhengwu.core.identifiers import uscc_problem

from . import entity_rules
from .models import Counter

COUNTER = "entity_code"
PG_SEQUENCE = "licenses_entity_code_seq"  # made by migration licenses 0003 on PostgreSQL
DEFAULT = "zhengwu.licenses.uscc_assign.LocalSequenceAssigner"


class AssignError(ValidationError):
    """The assigner cannot give a code now (a Chinese message; the approval is rolled back)."""


@dataclass(frozen=True)
class NewEntity:
    """What the assigner is told of the entity: its name, 机构类别码, the deciding department's
    12-digit 区划代码, and the case that registers it."""

    name: str
    category: str
    region_code: str
    case_number: str = ""


class UsccAssigner(Protocol):
    code: str
    label: str

    def assign(self, entity: NewEntity) -> str:
        """The new entity's 统一社会信用代码, or :class:`AssignError`."""


def next_value(name: str = COUNTER) -> int:
    """The next number of the entity-code sequence; never the same twice, also to two approvals at once.

    PostgreSQL: ``nextval`` of a database sequence — atomic, and no lock held for the rest of the
    approval (which seals a PDF): approvals do not queue on it (ADR 0033: no counter row the issuing
    departments would queue on); a number of an approval that rolls back is not used again.
    Elsewhere (SQLite, one writer at a time): the :class:`Counter` row plus one with a single
    ``UPDATE … SET value = value + 1`` read back in the caller's transaction."""
    if name == COUNTER and connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT nextval(%s)", [PG_SEQUENCE])
            return int(cursor.fetchone()[0])
    with transaction.atomic():
        if not Counter.objects.filter(name=name).update(value=F("value") + 1):
            Counter.objects.get_or_create(name=name)  # the first use (two at once: one creates, one gets)
            Counter.objects.filter(name=name).update(value=F("value") + 1)
        return Counter.objects.filter(name=name).values_list("value", flat=True).get()


def in_use(code: str) -> bool:
    """Whether some account, department or licence already carries ``code``."""
    from zhengwu.accounts.models import Applicant
    from zhengwu.org.models import Department

    from .models import Licence

    return (Applicant.objects.filter(uscc=code).exists() or Department.objects.filter(uscc=code).exists()
            or Licence.objects.filter(holder_uscc=code).exists())


class LocalSequenceAssigner:
    code = "local"
    label = "本平台赋码"
    ATTEMPTS = 50  # codes already on record (imported entities, demo data) skipped before giving up

    def assign(self, entity: NewEntity) -> str:
        for _ in range(self.ATTEMPTS):
            sequence = next_value(COUNTER)
            if sequence > entity_rules.MAX_SEQUENCE:
                raise AssignError("本平台的主体标识码已用尽，请配置统一社会信用代码的赋码接口（ZHENGWU_USCC_ASSIGNER）")
            code = entity_rules.new_uscc(entity.category, entity.region_code, sequence)
            if not in_use(code):
                return code
        raise AssignError("未能生成未被占用的统一社会信用代码，请稍后重试")


@lru_cache(maxsize=4)
def _build(path: str) -> UsccAssigner:
    return import_string(path)()


def get() -> UsccAssigner:
    """The configured assigner (``settings.ZHENGWU_USCC_ASSIGNER``, default the local one)."""
    return _build(getattr(settings, "ZHENGWU_USCC_ASSIGNER", "") or DEFAULT)


def checked(code: str, entity: NewEntity) -> str:
    """``code`` as a licence may carry it: a valid 统一社会信用代码 of 登记管理部门 9 and the entity's
    category, not yet carried by anyone; else :class:`AssignError` naming what is wrong."""
    code = str(code or "").strip().upper()
    problem = uscc_problem(code)
    if problem:
        raise AssignError(f"赋码接口返回的统一社会信用代码“{code}”不正确：{problem}")
    if code[0] != entity_rules.AUTHORITY or code[1] != entity.category:
        label = entity_rules.CATEGORY_LABELS.get(entity.category, entity.category)
        raise AssignError(f"赋码接口返回的统一社会信用代码“{code}”不是市场监管登记的{label}代码（应以9{entity.category}开头）")
    if in_use(code):
        raise AssignError(f"统一社会信用代码“{code}”已被其他主体使用，未予赋码")
    return code


def assign(entity: NewEntity) -> str:
    """The new entity's code from the configured assigner, checked."""
    return checked(get().assign(entity), entity)
