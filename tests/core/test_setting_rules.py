"""A bad key or retention setting stops every command at once with a Chinese message naming the
variable, no traceback (a malformed ZHENGWU_PII_KEY used to pass check --deploy and crash later)."""

from __future__ import annotations

import base64
import os
import subprocess
import sys

import pytest

from zhengwu.core.setting_rules import SettingError, check_key, public_url_problem


def test_keys_must_be_base64_of_32_bytes():
    good = base64.b64encode(os.urandom(32)).decode()
    assert check_key(good, "ZHENGWU_PII_KEY") == good
    with pytest.raises(SettingError, match="ZHENGWU_PII_KEY 不正确"):
        check_key("abc", "ZHENGWU_PII_KEY")
    with pytest.raises(SettingError, match="ZHENGWU_AUDIT_KEY 太短：解码后 16 字节"):
        check_key(base64.b64encode(os.urandom(16)).decode(), "ZHENGWU_AUDIT_KEY")


@pytest.mark.parametrize(("name", "value", "says"), [
    ("ZHENGWU_PII_KEY", "abc", "配置错误：ZHENGWU_PII_KEY 不正确"),
    ("ZHENGWU_RETAIN_LOG_DAYS", "90", "配置错误：ZHENGWU_RETAIN_LOG_DAYS=90 不允许"),
])
def test_the_command_says_what_to_fix_without_a_traceback(tmp_path, name, value, says):
    env = {**os.environ, name: value, "ZHENGWU_DATA_DIR": str(tmp_path)}
    proc = subprocess.run([sys.executable, "-m", "zhengwu", "check"], env=env, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert proc.stderr.startswith(says) and "Traceback" not in proc.stderr


def test_public_url_must_be_an_https_address():
    assert public_url_problem("https://zw.example.gov.cn") is None
    assert public_url_problem("https://zw.example.gov.cn:8443/portal") is None
    assert public_url_problem("")[0] == public_url_problem("  ")[0] == "zhengwu.W001"
    for bad in ("http://zw.example.gov.cn", "zw.example.gov.cn", "https://", "/portal"):
        assert public_url_problem(bad)[0] == "zhengwu.W002", bad
