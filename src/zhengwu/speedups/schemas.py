"""django-ninja's ``Schema``, validating plain dicts directly (API 数据结构的快速校验).

Ninja's ``Schema`` wraps every value it validates in a ``DjangoGetter`` — so that a model object's
attributes, managers, callables and files can be read — including a plain dict, and including
every nested one: each field of each row is then read through Python. Our views answer with dicts
they built themselves, and JSON request bodies are dicts too. For those, pydantic reads the dict
itself, an order of magnitude faster for a page of summaries (figures in this package's README).

A dict is handed over unchanged, so what ``DjangoGetter`` would have done to its values is not
done: a value must already be what the field declares (no managers, querysets, callables or
files in a dict; a view passing a model object, or a list of them, still goes through
``DjangoGetter``). No schema of ours uses ninja's ``resolve_<field>`` methods, which this skips
for dicts. ``tests/speedups/test_schemas.py`` holds both paths to the same output.
"""

from __future__ import annotations

from typing import Any

from ninja import Schema as NinjaSchema
from ninja.schema import DjangoGetter
from pydantic import ModelWrapValidatorHandler, ValidationInfo, model_validator


class Schema(NinjaSchema):
    @model_validator(mode="wrap")
    @classmethod
    def _run_root_validator(cls, values: Any, handler: ModelWrapValidatorHandler, info: ValidationInfo) -> Any:
        # Same name as ninja's validator: this one replaces it.
        if type(values) is dict and not cls._ninja_resolvers:
            return handler(values)
        # ninja's own path (ninja.schema.Schema._run_root_validator)
        if cls.model_config.get("extra") == "forbid" or cls.model_config.get("validate_assignment", False):
            handler(values)
        return handler(DjangoGetter(values, cls, info.context))
