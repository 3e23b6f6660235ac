"""``zhengwu files prune``: orphans left by rolled-back uploads go; referenced files stay."""

import os
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from zhengwu.core import files

pytestmark = pytest.mark.django_db


def _orphan(rel: str, age_hours: float) -> Path:
    path = Path(settings.MEDIA_ROOT) / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"%PDF-1.4 orphan")
    old = time.time() - age_hours * 3600
    os.utime(path, (old, old))
    return path


def test_prune_removes_only_old_unreferenced_files(submitted_case, capsys):
    kept = [Path(settings.MEDIA_ROOT) / m.file.name for m in submitted_case.materials.all()]
    assert kept and all(p.exists() for p in kept)
    for p in kept:  # referenced files are kept however old they are
        os.utime(p, (0, 0))
    old = _orphan("cases/999999/ab/abcdef", age_hours=48)
    fresh = _orphan("cases/999998/cd/cdef01", age_hours=1)  # an upload possibly still in flight

    dry = files.prune(dry_run=True)
    assert dry.orphans == ["cases/999999/ab/abcdef"] and old.exists()

    call_command("files", "prune")
    assert "已清理 1 个孤立文件" in capsys.readouterr().out
    assert not old.exists() and fresh.exists()
    assert all(p.exists() for p in kept)


def test_every_project_file_field_is_checked():
    names = {(m._meta.label, f) for m, f in files.file_fields()}
    assert ("cases.CaseMaterial", "file") in names
