"""Structured logs (issue 32): ZHENGWU_LOG_FORMAT=json gives one JSON object per line with the
request's context, an access line per request, request ids echoed, and no personal data."""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from zhengwu.core.identifiers import make_id_number
from zhengwu.core.logging import MaskPIIFilter
from zhengwu.core.observability import JsonFormatter, RequestContextFilter, sane_request_id

SRC = Path(__file__).resolve().parents[2] / "src"


@pytest.fixture
def json_log(settings):
    """The console handler of settings.LOGGING in JSON mode, on the root logger, into a buffer."""
    settings.ZHENGWU_LOG_FORMAT = "json"
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.addFilter(MaskPIIFilter())
    handler.addFilter(RequestContextFilter())
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.addHandler(handler)
    old_level = root.level
    root.setLevel(logging.INFO)
    try:
        yield lambda: [json.loads(line) for line in buffer.getvalue().splitlines()]
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)


@pytest.mark.django_db
def test_a_request_logs_json_lines_with_its_context_and_no_id_number(client, make_staff, json_log, monkeypatch):
    id_number = make_id_number("41010519900101123")

    def logging_readiness():
        logging.getLogger("zhengwu.test").warning("查询身份证号 %s 的办件", id_number)
        return True, []

    monkeypatch.setattr("zhengwu.core.probes.readiness", logging_readiness)
    user = make_staff()
    client.force_login(user)
    client.get("/api/v1/me")  # loads the user: its id is in the access line
    response = client.get("/api/v1/ready", HTTP_X_REQUEST_ID="lb-7f3a.42")
    assert response["X-Request-ID"] == "lb-7f3a.42"
    lines = json_log()
    raw = "\n".join(json.dumps(line, ensure_ascii=False) for line in lines)
    assert id_number not in raw
    app_line = next(line for line in lines if line["logger"] == "zhengwu.test")
    assert app_line["request_id"] == "lb-7f3a.42" and app_line["level"] == "WARNING"
    assert "4101" in app_line["message"] and "****" in app_line["message"]  # masked, not dropped
    access = [line for line in lines if line["logger"] == "zhengwu.access"]
    assert [a["route"] for a in access] == ["api:me", "api:ready"]
    me, ready = access
    assert me["user_id"] == user.pk and me["status"] == 200 and me["method"] == "GET"
    assert ready["request_id"] == "lb-7f3a.42" and isinstance(ready["duration_ms"], float)
    for line in lines:
        assert {"time", "level", "logger", "message", "process"} <= line.keys()
        assert line["process"] == os.getpid()
    # Django's own line for a 4xx/5xx response, written after the middleware returned, has the id too.
    client.get("/no-such-page/", HTTP_X_REQUEST_ID="nf-1")
    not_found = [line for line in json_log() if line["logger"] == "django.request"]
    assert not_found and not_found[-1]["request_id"] == "nf-1"
    # No names in the access line: the user's id only.
    assert user.display_name not in raw and user.username not in raw


@pytest.mark.django_db
def test_no_access_lines_in_text_mode(client, json_log, settings):
    settings.ZHENGWU_LOG_FORMAT = "text"
    client.get("/api/v1/live")
    assert [line for line in json_log() if line["logger"] == "zhengwu.access"] == []


def test_request_ids_are_made_when_missing_or_insane(client):
    made = client.get("/api/v1/live")["X-Request-ID"]
    assert len(made) == 32 and made.isalnum()
    assert client.get("/api/v1/live")["X-Request-ID"] != made
    for bad in ("a b", "x" * 129, "<script>", make_id_number("41010519900101005"), "13800138000", "id\n2"):
        assert sane_request_id(bad) is None, bad
        assert client.get("/api/v1/live", HTTP_X_REQUEST_ID=bad)["X-Request-ID"] != bad
    assert sane_request_id("4bf92f3577b34da6a3ce929d0e0e4736") == "4bf92f3577b34da6a3ce929d0e0e4736"


def test_tracebacks_are_masked_too():
    id_number = make_id_number("11010119850202007")
    try:
        raise ValueError(f"bad row {id_number}")
    except ValueError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "导入失败", None, sys.exc_info())
    line = json.loads(JsonFormatter().format(record))
    assert "ValueError" in line["exc"] and id_number not in line["exc"]


def test_the_json_switch_configures_every_log_line_from_the_settings(tmp_path):
    """A real process with ZHENGWU_LOG_FORMAT=json: its log lines on stderr are JSON, masked."""
    id_number = make_id_number("41010519900101123")
    code = ("import django, logging; django.setup(); "
            f"logging.getLogger('zhengwu.cases').warning('办件申请人 %s 已受理', '{id_number}')")
    env = dict(os.environ, ZHENGWU_LOG_FORMAT="json", DJANGO_SETTINGS_MODULE="zhengwu.settings",
               ZHENGWU_DATA_DIR=str(tmp_path), PYTHONPATH=str(SRC))
    env.pop("DATABASE_URL", None)
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    lines = [json.loads(line) for line in out.stderr.splitlines() if line.startswith("{")]
    line = next(x for x in lines if x["logger"] == "zhengwu.cases")
    assert line["level"] == "WARNING" and "已受理" in line["message"]
    assert id_number not in out.stderr


def test_gunicorn_lines_are_json_too_in_json_mode():
    from gunicorn.config import Config

    from zhengwu.core.management.commands.serve import json_logger_class

    logger = json_logger_class()(Config())
    handlers = [h for log in (logger.error_log, logger.access_log) for h in log.handlers]
    assert handlers and all(isinstance(h.formatter, JsonFormatter) for h in handlers)
    record = logging.LogRecord("gunicorn.error", logging.INFO, __file__, 1, "Booting worker with pid: %s", (42,), None)
    assert json.loads(handlers[0].format(record))["message"] == "Booting worker with pid: 42"
