"""Time the 电子印章 service (run: .venv/bin/python bench/sealing.py).

Builds a throwaway test database (migrations included, so it takes a while to start), then prints
milliseconds per call, best and median of five runs of ten calls: sealing a one-page PDF with warm
keys, verifying it, an SM2 data signature, and the first seal of a department (CA and seal made).
"""

import io
import os
import statistics
import timeit

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhengwu.settings_test")
django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from reportlab.pdfgen import canvas  # noqa: E402

setup_test_environment()
old_name = connection.creation.create_test_db(verbosity=0)
try:
    from zhengwu.core.identifiers import make_uscc
    from zhengwu.licenses.sealing import seal_pdf, sign_data, verify_pdf
    from zhengwu.org.models import Department, Region

    region = Region.objects.create(code="410105000000", name="金水区")
    departments = iter(Department.objects.create(name=f"金水区测试局{i}", region=region,
                                                 uscc=make_uscc("1", "1", "410105", f"B{i:07d}")) for i in range(100))
    buf = io.BytesIO()
    page = canvas.Canvas(buf)
    page.drawString(100, 700, "licence")
    page.save()
    pdf = buf.getvalue()
    dept = next(departments)
    start = timeit.default_timer()
    sealed = seal_pdf(pdf, dept, reason="bench")
    print(f"{'first seal of the platform (CA, seal, imports)':50s} {(timeit.default_timer() - start) * 1000:7.1f} ms")
    for name, fn in [
        ("seal_pdf, one page, warm keys", lambda: seal_pdf(pdf, dept, reason="bench")),
        ("verify_pdf", lambda: verify_pdf(sealed)),
        ("sign_data (SM2-SM3, 300 bytes)", lambda: sign_data(dept, b"x" * 300)),
        ("first seal of a department (key, certificate, image)", lambda: seal_pdf(pdf, next(departments), reason="b")),
    ]:
        runs = sorted(t / 10 * 1000 for t in timeit.repeat(fn, number=10, repeat=5))
        print(f"{name:50s} {runs[0]:7.2f} ms best, {statistics.median(runs):7.2f} ms median")
finally:
    connection.creation.destroy_test_db(old_name, verbosity=0)
