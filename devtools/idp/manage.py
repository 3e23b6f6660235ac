#!/usr/bin/env python
"""The local 统一身份认证 provider (development and tests only): ``python devtools/idp/manage.py
migrate && python devtools/idp/manage.py seed && python devtools/idp/manage.py runserver 9000``."""

import os
import sys
from pathlib import Path

if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "idp.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
