"""``make fuzz`` names the cause of each 500 it meets: the last line of the traceback the server
logged for that path (tools/fuzz.py). The API's own handler logs the traceback under its Chinese
line; Django then logs the 500 response again with no traceback: the report must keep the first."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LOG = """\
2026-12-05 10:00:00,100 INFO zhengwu.request POST /api/v1/cases/7/accept 200
2026-12-05 10:00:00,200 ERROR zhengwu.api 接口内部错误：POST /api/v1/cases/133/resume
Traceback (most recent call last):
  File "approval.py", line 119, in resume
    case.due_date = rules.due_date(cal, case.accepted_on)
TypeError: unsupported operand type(s) for +=: 'NoneType' and 'datetime.timedelta'
2026-12-05 10:00:00,201 ERROR django.request Internal Server Error: /api/v1/cases/133/resume
2026-12-05 10:00:01,000 ERROR django.request Internal Server Error: /portal/x
Traceback (most recent call last):
KeyError: 'x'
"""


def _fuzz():
    spec = importlib.util.spec_from_file_location("zw_fuzz_tool", ROOT / "tools" / "fuzz.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_the_fuzz_report_names_the_api_handlers_traceback(tmp_path):
    fuzz = _fuzz()
    log = tmp_path / "server.log"
    log.write_text(LOG, encoding="utf-8")
    server = fuzz.Server({}, 0, log)
    logged = server.tracebacks(0)
    assert logged == [("/api/v1/cases/133/resume", "TypeError: unsupported operand type(s) for +=: 'NoneType' and "
                                                   "'datetime.timedelta'"),
                      ("/portal/x", "KeyError: 'x'")]
    rows = [{"status": 500, "uri": "http://127.0.0.1:8108/api/v1/cases/133/resume"}]
    fuzz.attach_tracebacks(rows, logged)
    assert rows[0]["traceback"].startswith("TypeError")
