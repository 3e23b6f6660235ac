"""The admin lists third-party models under Chinese names (their packages ship none)."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.core.management import call_command


def test_third_party_models_have_chinese_names():
    assert apps.get_app_config("axes").verbose_name == "登录失败锁定"
    assert apps.get_model("axes", "AccessAttempt")._meta.verbose_name_plural == "登录失败记录"
    assert apps.get_model("otp_totp", "TOTPDevice")._meta.verbose_name == "动态口令设备"
    assert apps.get_app_config("django_tasks_database").verbose_name == "后台任务"


@pytest.mark.django_db
def test_the_names_need_no_migration(capsys):
    """Only the displayed names change, not the models' declared options: no migration for the packages."""
    call_command("makemigrations", "axes", "otp_totp", "django_tasks_database", check=True, dry_run=True)
