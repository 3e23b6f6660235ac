"""One chunk of rows → staging tuples (encrypted, blind-indexed) and problems. Pure apart from the
PII key, so it runs in worker processes too (:mod:`multiprocessing`, spawn: this module imports
no models, so a fresh process can unpickle its functions before ``django.setup()``)."""

from __future__ import annotations

from typing import Any

from zhengwu.core import pii
from zhengwu.datashare import registry_rules as rules

# Staging columns after (row_no, label); the first is the upsert key.
PERSON_STAGE = ("id_number_index", "id_number", "name", "name_index", "gender", "birth_date", "nation",
                "household_address", "region_code", "phone")
LEGAL_STAGE = ("uscc", "name", "legal_rep", "legal_rep_id_number", "legal_rep_id_number_index", "kind", "address",
               "region_code", "status", "established_on", "registered_capital")


def stage_columns(kind: str) -> tuple[str, ...]:
    return PERSON_STAGE if kind == rules.PERSON else LEGAL_STAGE


def init_worker() -> None:  # pragma: no cover - runs in the worker processes
    import django

    django.setup()


def _enc(kind: str, value: str) -> str:
    """What :class:`zhengwu.core.pii.EncryptedField` stores for ``value``."""
    value = pii.normalise(kind, value) if value else ""
    return pii.encrypt(value) if value else ""


def _idx(kind: str, value: str) -> str:
    return pii.blind_index(kind, value) if value else ""


def person_stage(record: dict[str, Any]) -> tuple:
    idn, name = record["id_number"], record["name"]
    return (
        _idx("id_number", idn), _enc("id_number", idn), _enc("name", name), _idx("name", name), record["gender"],
        record["birth_date"], record["nation"], _enc("address", record["household_address"]), record["region_code"],
        _enc("phone", record["phone"]),
    )


def legal_stage(record: dict[str, Any]) -> tuple:
    rep = record["legal_rep_id_number"]
    return (
        record["uscc"], record["name"], record["legal_rep"], _enc("id_number", rep), _idx("id_number", rep),
        record["kind"], record["address"], record["region_code"], record["status"], record["established_on"],
        record["registered_capital"],
    )


def process_chunk(args: tuple[str, dict[str, int], list[tuple[int, list[Any]]]]):
    """(staged rows, bad rows, warnings): staged rows are ``(row_no, label, *stage columns)``;
    bad and warnings are ``(row_no, column, message, masked value, code)``."""
    kind, cols, rows = args
    stage = person_stage if kind == rules.PERSON else legal_stage
    staged, bad, warned = [], [], []
    for row_no, cells in rows:
        result = rules.parse_row(kind, cells, cols)
        for p in result.problems:
            bad.append((row_no, p.column, p.message, p.value, p.code))
        if result.record is not None:
            for p in result.warnings:
                warned.append((row_no, p.column, p.message, p.value, p.code))
            staged.append((row_no, rules.row_key_label(kind, result.record), *stage(result.record)))
    return staged, bad, warned
