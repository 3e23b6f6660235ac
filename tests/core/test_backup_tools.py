"""Finding pg_dump/pg_restore (docs/backup.md), and the Chinese message when they are missing."""

import glob
import shutil

import pytest

from zhengwu.core import backup


def test_configured_directory_without_the_tool_is_named(settings, tmp_path):
    settings.ZHENGWU_PG_BIN_DIR = str(tmp_path)
    with pytest.raises(backup.BackupError, match=f"ZHENGWU_PG_BIN_DIR={tmp_path} 下找不到可执行的 pg_dump"):
        backup.pg_tool("pg_dump")


def test_nowhere_to_be_found(settings, monkeypatch):
    settings.ZHENGWU_PG_BIN_DIR = ""
    monkeypatch.setattr(backup.glob, "glob", lambda pattern: [])
    monkeypatch.setattr(backup.shutil, "which", lambda name: None)
    with pytest.raises(backup.BackupError, match="找不到 PostgreSQL 客户端程序 pg_restore：请安装 postgresql-client"):
        backup.pg_tool("pg_restore")


@pytest.mark.skipif(not (glob.glob("/usr/lib/postgresql/*/bin/pg_dump") or shutil.which("pg_dump")),
                    reason="no PostgreSQL client on this machine")
def test_found_outside_path_in_the_newest_version_directory(settings):
    settings.ZHENGWU_PG_BIN_DIR = ""
    found = backup.pg_tool("pg_dump")
    versioned = glob.glob("/usr/lib/postgresql/*/bin/pg_dump")
    if versioned:
        newest = max(versioned, key=lambda p: int(p.split("/")[4]))
        assert found == newest
    assert found.endswith("/pg_dump")


def test_restore_shows_the_backup_time_in_local_time():
    """The manifest's created_at is UTC (ISO); ``zhengwu restore`` prints it as the pages would."""
    from zhengwu.core.management.commands.restore import _local

    assert _local("2026-12-07T11:21:40.123456+00:00") == "2026-12-07 19:21:40"
    assert _local("not a time") == "not a time"


def test_backup_out_refuses_a_directory_whose_parent_does_not_exist(tmp_path):
    """``--out /nonexistent/dir/`` made the whole path and wrote there: a typo went unnoticed."""
    import datetime as dt

    now = dt.datetime(2026, 12, 7, 11, 21, 40, tzinfo=dt.UTC)
    missing = tmp_path / "nonexistent"
    with pytest.raises(backup.BackupError) as exc:
        backup.archive_path(f"{missing}/dir/", now)
    assert str(exc.value) == f"备份目录的上级目录不存在：{missing}（请先创建，或检查路径是否写错）"
    assert not missing.exists()
    # The last level is made.
    path = backup.archive_path(f"{tmp_path}/backups/", now)
    assert path == tmp_path / "backups" / "zhengwu-backup-20261207-192140.tar" and path.parent.is_dir()
