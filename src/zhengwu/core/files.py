"""Stored files no row refers to any more (orphans): find and remove them.

An upload is written to storage before its transaction commits; when the transaction rolls back
(a validation failure further on, a crash) the file stays behind. ``zhengwu files prune`` walks
the media root in batches and asks every FileField of the project whether it refers to each
file; only files older than a grace period are considered, so uploads in flight are never hit.

``zhengwu files encrypt`` encrypts, in place, the files stored before the storage encrypted them
(:mod:`zhengwu.core.storage`) and gives every file and directory owner-only modes.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import models

BATCH = 1000

# What an upload really is, by its first bytes (never by its name): extension → MIME type.
FILE_TYPES = {
    "pdf": "application/pdf",
    "jpg": "image/jpeg",
    "png": "image/png",
    "ofd": "application/ofd",
    "doc": "application/msword",
    "xls": "application/vnd.ms-excel",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def sniff(head: bytes) -> str | None:
    """The extension (a key of FILE_TYPES) of a file from its first few KiB, or None."""
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):  # OLE2: .doc / .xls (97–2003)
        return "doc" if b"W\x00o\x00r\x00d" in head else "xls"
    if head.startswith(b"PK\x03\x04"):  # zip containers: OFD (GB/T 33190) or OOXML
        if b"OFD.xml" in head:
            return "ofd"
        if b"word/" in head:
            return "docx"
        if b"xl/" in head:
            return "xlsx"
    return None


def file_fields() -> list[tuple[type[models.Model], str]]:
    """(model, field name) for every FileField in the project's own apps."""
    found = []
    for model in apps.get_models():
        if not model.__module__.startswith("zhengwu."):
            continue
        for f in model._meta.concrete_fields:
            if isinstance(f, models.FileField):
                found.append((model, f.name))
    return found


def _walk(root: Path, older_than: float) -> Iterator[tuple[str, int]]:
    for dirpath, _dirs, files in os.walk(root):
        for name in files:
            path = Path(dirpath) / name
            try:
                st = path.stat()
            except FileNotFoundError:
                continue
            if st.st_mtime <= older_than:
                yield path.relative_to(root).as_posix(), st.st_size


@dataclass
class PruneResult:
    scanned: int = 0
    orphans: list[str] = field(default_factory=list)
    bytes: int = 0
    removed: int = 0


def prune(*, grace: dt.timedelta = dt.timedelta(hours=24), dry_run: bool = False,
          root: Path | None = None) -> PruneResult:
    root = Path(root or settings.MEDIA_ROOT)
    result = PruneResult()
    if not root.exists():
        return result
    fields = file_fields()
    cutoff = time.time() - grace.total_seconds()
    batch: list[tuple[str, int]] = []

    def flush():
        names = [n for n, _ in batch]
        referenced: set[str] = set()
        for model, name in fields:
            referenced.update(model._default_manager.filter(**{f"{name}__in": names}).values_list(name, flat=True))
        for rel, size in batch:
            if rel in referenced:
                continue
            result.orphans.append(rel)
            result.bytes += size
            if not dry_run:
                try:
                    (root / rel).unlink()
                    result.removed += 1
                except FileNotFoundError:
                    pass
        batch.clear()

    for rel, size in _walk(root, cutoff):
        if rel.startswith(("static/", ".")):
            continue
        result.scanned += 1
        batch.append((rel, size))
        if len(batch) >= BATCH:
            flush()
    if batch:
        flush()
    return result


@dataclass
class EncryptResult:
    scanned: int = 0
    encrypted: int = 0
    already: int = 0
    failed: list[str] = field(default_factory=list)


def encrypt_existing(*, dry_run: bool = False, root: Path | None = None) -> EncryptResult:
    """Encrypt every plaintext file under the media root where it lies and make files 0600 and
    directories 0700. Safe to run again (encrypted files are recognised by their header) and
    while the site runs (each file is replaced whole, by a rename)."""
    from . import storage

    root = Path(root or settings.MEDIA_ROOT)
    result = EncryptResult()
    if not root.exists():
        return result
    for dirpath, dirs, names in os.walk(root):
        if Path(dirpath) == root:  # as prune: static files and hidden entries are not uploads
            dirs[:] = [d for d in dirs if d != "static"]
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        if not dry_run:
            os.chmod(dirpath, storage.DIRECTORY_MODE)
        for name in names:
            if name.startswith("."):
                continue
            path = Path(dirpath) / name
            result.scanned += 1
            try:
                with open(path, "rb") as f:
                    done = storage.is_encrypted_header(f.read(storage.HEADER_LEN))
                if done:
                    result.already += 1
                elif dry_run or storage.encrypt_in_place(path):
                    result.encrypted += 1
                if not dry_run:
                    os.chmod(path, storage.FILE_MODE)
            except OSError:
                result.failed.append(path.relative_to(root).as_posix())
    return result
