"""情形引导 of a 一件事: the questions the applicant answers before applying, and what the answers
mean — which items of the bundle apply and which materials nobody asks for.

A material is not asked for when an answer waives it, or when an item of the same application
issues it (its 办理结果, e.g. 个体工商户设立登记 issues the 营业执照 that 食品经营许可 lists):
the applicant cannot hold it yet, and the departments get it from the sibling case
(国务院办公厅《关于加快推进“高效办成一件事”的指导意见》(国办发〔2024〕3号): 一次告知、一表申请、
一套材料, 减少重复提交).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.db.models import Prefetch

from zhengwu.catalog.models import BundleOption, BundleQuestion
from zhengwu.catalog.rules import material_key


@dataclass
class Option:
    pk: int
    label: str
    select: frozenset[int]
    skip: frozenset[int]
    waive: tuple[str, ...]


@dataclass
class Question:
    pk: int
    text: str
    help_text: str
    options: list[Option] = field(default_factory=list)

    @property
    def field(self) -> str:
        return f"q_{self.pk}"


def load(bundle) -> list[Question]:
    """The bundle's questions with their options (two queries, three with the item sets)."""
    options = Prefetch("options", queryset=BundleOption.objects.order_by("seq", "pk")
                       .prefetch_related("select_items", "skip_items"))
    rows = BundleQuestion.objects.filter(bundle=bundle).order_by("seq", "pk").prefetch_related(options)
    return [Question(q.pk, q.text, q.help_text, [
        Option(o.pk, o.label, frozenset(i.pk for i in o.select_items.all()),
               frozenset(i.pk for i in o.skip_items.all()), tuple(o.waived_names)) for o in q.options.all()])
        for q in rows]


def key(name: str) -> str:
    return material_key(name) or name


def parse_answers(questions: list[Question], data) -> tuple[dict[int, Option], dict[str, list[str]]]:
    """The chosen option of every question from posted/query data (``q_<id>`` → option id)."""
    chosen: dict[int, Option] = {}
    errors: dict[str, list[str]] = {}
    for q in questions:
        raw = str(data.get(q.field, "") or "")
        option = next((o for o in q.options if str(o.pk) == raw), None)
        if option is None:
            errors[q.field] = [f"请先回答：{q.text}"]
        else:
            chosen[q.pk] = option
    return chosen, errors


def decided(questions: list[Question]) -> set[int]:
    """The items an answer can select or skip: the answers decide them, not the 选办 tick."""
    return set().union(*[o.select | o.skip for q in questions for o in q.options]) if questions else set()


def resolve(questions: list[Question], chosen: dict[int, Option], mandatory: set[int], optional: set[int],
            optional_chosen: set[int]) -> set[int]:
    """The items applied for: an item an answer can select or skip is decided by the answers
    (selected by a chosen option and not skipped by one); the others as before — every
    mandatory item, and the 选办 items the applicant ticked."""
    by_answer = decided(questions)
    picked = set().union(*[o.select for o in chosen.values()]) if chosen else set()
    skipped = set().union(*[o.skip for o in chosen.values()]) if chosen else set()
    selected = {pk for pk in mandatory if pk not in by_answer}
    selected |= {pk for pk in optional_chosen & optional if pk not in by_answer}
    selected |= picked & (mandatory | optional)
    return selected - skipped


def waived(chosen: dict[int, Option], produced: dict[str, list[int]], selected: set[int]) -> dict[str, str]:
    """Material keys nobody asks for → why (shown next to the material)."""
    out: dict[str, str] = {}
    for option in chosen.values():
        for name in option.waive:
            out[key(name)] = f"根据您的选择“{option.label}”，无需提交"
    for k, producers in produced.items():
        if any(pk in selected for pk in producers):
            out.setdefault(k, "由本一件事中的事项办理后产生，无需提交")
    return out


def produced_by(members) -> dict[str, list[int]]:
    """Material key → the member items whose 办理结果 is a document of that name."""
    out: dict[str, list[int]] = {}
    for m in members:
        for result in m.item.published_version.results or []:
            name = str(result.get("name", "") if isinstance(result, dict) else result).strip()
            # "营业执照（正、副本及电子营业执照）" issues the material "营业执照": the name before a
            # bracketed qualifier counts too.
            base = re.split(r"[（(]", name, maxsplit=1)[0].strip()
            for k in {key(name), key(base)} - {""}:
                out.setdefault(k, []).append(m.item.pk)
    return out
