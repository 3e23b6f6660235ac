"""Pending uploads (暂存的材料): the files chosen on a form that is refused this round (a required
field left empty, a file of the wrong type beside good ones, a stale version …) are kept for the
next round instead of being chosen again — and nothing of the case is written until a round goes
through.

- **Where the files are**: the default storage, encrypted at rest like every upload
  (:mod:`zhengwu.core.storage`, ADR 0019), under ``cases/staged/`` with a random name; never served.
- **Whose they are**: the session (server-side, shared by every process) of the person who chose
  them, under the form's submission token (``upload_token``, made when the page is opened) and bound
  to the case — or, for a form that makes its cases only when it goes through (一件事, applied for
  by the applicant or filed at a window), to a scope naming the form (:func:`bundle_scope`): only
  that person, on that form, sees or uses them. The same checks as
  an upload into the case (:func:`.applying.inspect_upload`) run when a file is kept, so a bad file
  is named in the round it was chosen.
- **Afterwards**: the round that goes through moves them into the case (:func:`adopt`, through
  :func:`.applying.upload_material`, in the case's transaction; a 一件事 reads them as its uploads,
  :func:`opened`) and then deletes the copies (:func:`forget`). Copies nobody comes back for (the page left, the session ended) are referred to
  by no record: ``zhengwu files prune`` (the daily job ``files.prune``) removes them after 24 hours.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import default_storage

from . import applying

SESSION_KEY = "zw_staged_uploads"
TOKEN_RE = re.compile(r"^[0-9a-f]{32}$")
KEEP_FORMS = 10  # forms with pending files kept in one session; the oldest are dropped first
ROOT = "cases/staged"


@dataclass(frozen=True)
class StagedFile:
    field: str
    path: str
    original_name: str
    size: int
    sha256: str
    content_type: str


def new_token() -> str:
    return secrets.token_hex(16)


def valid_token(value) -> str:
    """The form's token as posted, or "" when it is not one."""
    return value if isinstance(value, str) and TOKEN_RE.match(value) else ""


def bundle_scope(bundle_id: int, applicant_id: int) -> str:
    """What the files of a 一件事 form are bound to, in place of a case: the bundle and the
    applicant it is applied for."""
    return f"bundle:{bundle_id}:{applicant_id}"


def _owner(case) -> int | str:
    """A case's pk, or a scope (:func:`bundle_scope`) as it is."""
    return case if isinstance(case, str) else case.pk


def _forms(session) -> dict:
    return dict(session.get(SESSION_KEY) or {})


def _delete(paths) -> None:
    for path in paths:
        default_storage.delete(path)


def pending(session, token: str, case) -> dict[str, StagedFile]:
    """The files kept for the form ``token`` of ``case`` (a case, or a scope), by the form's field name."""
    entry = _forms(session).get(token) if token else None
    if not entry or entry.get("case") != _owner(case):
        return {}
    return {field: StagedFile(field=field, **meta) for field, meta in entry["files"].items()
            if default_storage.exists(meta["path"])}  # a copy pruned meanwhile is gone


def stage(session, token: str, case, field: str, uploaded, *, label: str) -> StagedFile:
    """Check ``uploaded`` as the material ``label`` and keep it for ``field`` of the form ``token``
    (a file kept earlier for the field is replaced). ValidationError naming the material and the
    rule when the file is refused; nothing is kept then."""
    sha256, content_type = applying.inspect_upload(uploaded, label)
    path = default_storage.save(f"{ROOT}/{secrets.token_hex(16)}", uploaded)
    meta = {"path": path, "original_name": str(uploaded.name)[:255], "size": uploaded.size, "sha256": sha256,
            "content_type": content_type}
    forms = _forms(session)
    entry = forms.pop(token, None)  # put back last: the most recent form
    if entry is None or entry.get("case") != _owner(case):
        if entry is not None:
            _delete(m["path"] for m in entry["files"].values())
        entry = {"case": _owner(case), "files": {}}
    earlier = entry["files"].get(field)
    if earlier is not None:
        _delete([earlier["path"]])
    entry["files"] = {**entry["files"], field: meta}
    forms[token] = entry
    while len(forms) > KEEP_FORMS:
        _delete(m["path"] for m in forms.pop(next(iter(forms)))["files"].values())
    session[SESSION_KEY] = forms
    return StagedFile(field=field, **meta)


def drop(session, token: str, case, field: str) -> None:
    """移除: the file kept for ``field`` is deleted."""
    forms = _forms(session)
    entry = forms.get(token)
    if not entry or entry.get("case") != _owner(case) or field not in entry["files"]:
        return
    files = dict(entry["files"])
    _delete([files.pop(field)["path"]])
    forms[token] = {**entry, "files": files}
    session[SESSION_KEY] = forms


def adopt(user, session, token: str, case, targets: dict) -> list:
    """Move the files kept for the form into the case, in the caller's transaction: ``targets``
    maps a field to (catalogue material or None, name of a material outside the catalogue). The
    copies stay until :func:`forget` (after the commit): a rollback keeps them for the next round."""
    moved = []
    for field, kept in pending(session, token, case).items():
        if field not in targets:
            continue
        material, name = targets[field]
        try:
            with default_storage.open(kept.path, "rb") as fh:
                moved.append(applying.upload_material(user, case, fh, material=material, name=name,
                                                      original_name=kept.original_name))
        except FileNotFoundError:
            label = material.name if material is not None else name
            raise ValidationError({"file": f"“{label}”暂存的文件已失效，请重新选择"}) from None
    return moved


@contextmanager
def opened(session, token: str, scope) -> Iterator[dict[str, File]]:
    """The files kept for the form ``token`` of ``scope``, open for reading (as uploads named as
    they were chosen) by field, for a service that takes uploads (:func:`.bundles.apply_bundle`);
    closed afterwards. A copy gone meanwhile is left out (and so asked for again)."""
    with ExitStack() as stack:
        files = {}
        for field, kept in pending(session, token, scope).items():
            try:
                fh = stack.enter_context(default_storage.open(kept.path, "rb"))
            except FileNotFoundError:
                continue
            files[field] = File(fh, name=kept.original_name)
        yield files


def forget(session, token: str) -> None:
    """The form went through: delete its kept copies (now in the case) and forget it."""
    forms = _forms(session)
    entry = forms.pop(token, None)
    if entry is None:
        return
    _delete(m["path"] for m in entry["files"].values())
    session[SESSION_KEY] = forms
