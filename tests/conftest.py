"""Shared fixtures: factories for the people and organisations most tests need."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import settings as hypothesis_settings

from zhengwu.core.identifiers import make_id_number, make_uscc

# Tests never assert on time: hypothesis's 200 ms deadline per example failed property tests on a
# loaded CI machine (a deadline miss, then "flaky" when hypothesis retried it).
hypothesis_settings.register_profile("zhengwu", deadline=None)
hypothesis_settings.load_profile("zhengwu")

_seq = itertools.count(1)
PASSWORD = "Test@2026pw"


@pytest.fixture
def district(db):
    from zhengwu.org.models import Region

    province = Region.objects.get_or_create(code="410000000000", defaults={"name": "河南省"})[0]
    city = Region.objects.get_or_create(code="410100000000", defaults={"name": "郑州市", "parent": province})[0]
    return Region.objects.get_or_create(code="410105000000", defaults={"name": "金水区", "parent": city})[0]


@pytest.fixture
def other_district(district):
    from zhengwu.org.models import Region

    return Region.objects.get_or_create(code="410102000000", defaults={"name": "中原区", "parent": district.parent})[0]


@pytest.fixture
def make_department(district):
    from zhengwu.org.models import Department

    def make(name=None, region=None, **kw):
        n = next(_seq)
        return Department.objects.create(
            name=name or f"测试部门{n}", region=region or district,
            uscc=kw.pop("uscc", make_uscc("1", "1", "410105", f"T{n:07d}")), **kw,
        )

    return make


@pytest.fixture
def make_staff(district):
    from zhengwu.accounts.models import User
    from zhengwu.org.models import RoleGrant

    def make(role=None, department=None, region=None, username=None, **kw):
        n = next(_seq)
        user = User(username=username or f"staff{n}", display_name=f"工作人员{n}", kind=User.Kind.STAFF, **kw)
        user.set_password(PASSWORD)
        user.save()
        if role:
            RoleGrant.objects.create(user=user, role=role, region=region or district, department=department)
        return user

    return make


@pytest.fixture
def dept(make_department):
    """The department of the case and rating tests: 市场监管局 of the district."""
    return make_department(name="市场监管局", short_name="市场监管局")


@pytest.fixture
def approver(make_staff, dept):
    """An 审批 staff member of :func:`dept`."""
    return make_staff("approver", department=dept)


@pytest.fixture
def make_citizen(db):
    from zhengwu.accounts import services

    def make(name="张三", id_body=None, phone="13800000000"):
        n = next(_seq)
        number = make_id_number(id_body or f"4101051990{n % 12 + 1:02d}{n % 28 + 1:02d}{n % 1000:03d}")
        return services.register_person(name=name, id_number=number, phone=phone, password=PASSWORD, password2=PASSWORD)

    return make


@pytest.fixture
def publish_item(district):
    """publish_item(department, name, *, materials=[(name, necessity)], item_fields={}, **version) — a
    service item with one published version; the item's headline columns copied from the version."""
    from django.utils import timezone

    from zhengwu.catalog.models import ItemVersion, Material, ServiceItem
    from zhengwu.catalog.models.items import ItemStatus, VersionState

    headline = {f.name for f in ServiceItem._meta.concrete_fields}

    def make(department, name, *, region=None, materials=(), item_fields=None, **version):
        # 服务对象 "both": most tests apply as a citizen and as an enterprise (a test of who may
        # apply names its own).
        version = {"item_type": "01", "service_object": "both", "case_type": "committed", "statutory_days": 20,
                   "promised_days": 5, "published_at": timezone.now(), **version}
        si = ServiceItem.objects.create(
            region=region or district, department=department, name=name, status=ItemStatus.PUBLISHED,
            **{k: v for k, v in version.items() if k in headline}, **(item_fields or {}))
        v = ItemVersion.objects.create(service_item=si, number=1, state=VersionState.PUBLISHED, name=name, **version)
        for seq, (mname, necessity) in enumerate(materials, start=1):
            Material.objects.create(version=v, seq=seq, name=mname, necessity=necessity)
        si.published_version = v
        si.save()
        return si

    return make


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache: cached rankings, guides and overviews are keyed by
    index generations and ids that a rolled-back test can hand out again."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(autouse=True)
def _calendar_checked_once_per_test(monkeypatch):
    """The work calendar re-reads its override tables' fingerprint every 30 s (two queries). Within
    a test it is read fresh once, at first use, and not again by the clock: a query count that
    straddled the 30-second mark got two queries more (CI failed on it). Changes made through the
    models still invalidate it at once (core.signals); a rolled-back test's are dropped here."""
    from zhengwu.core import calendar

    monkeypatch.setattr(calendar, "REFRESH_SECONDS", 24 * 3600.0)
    calendar.invalidate()
    yield
    calendar.invalidate()


@pytest.fixture(scope="session")
def _audit_dirs(tmp_path_factory):
    base, numbers = tmp_path_factory.mktemp("audit"), itertools.count(1)
    return lambda: base / str(next(numbers))


@pytest.fixture(autouse=True)
def _own_audit_dir(settings, _audit_dirs):
    """Each test its own audit checkpoint directory (ADR 0020): the checkpoints file must agree
    with the test's database, which is rolled back after every test. (Made when first written.)"""
    settings.ZHENGWU_AUDIT_DIR = _audit_dirs()


@pytest.fixture(autouse=True)
def _pages_closed_before_the_flush(request):
    """A browser test's pages are closed before its live server stops and its database is flushed:
    a page still polling (a board, a dashboard) kept a live-server connection reading a table, and
    the flush of SQLite's shared in-memory database failed with "database table is locked"."""
    if "browser" not in request.fixturenames or "live_server" not in request.fixturenames:
        yield
        return
    browser = request.getfixturevalue("browser")
    request.getfixturevalue("live_server")  # set up before this fixture, so torn down after it
    yield
    for context in list(browser.contexts):
        context.close()


def _sqlite_readers_take_no_table_locks(sender, connection, **kwargs):
    """The test database is SQLite's shared in-memory database: every live-server thread (the pages,
    the push server polling tickets) shares one cache, where a reader's table lock makes a writer fail
    at once with "database table is locked" (SQLITE_LOCKED waits for nothing). read_uncommitted lets the
    readers of that shared cache take no table locks; each connection still sees its own writes, and the
    tests never rely on one thread not seeing another's uncommitted rows. Production uses files, where
    writers wait for readers (busy timeout) instead."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA read_uncommitted = 1")


def pytest_configure(config):
    from django.db.backends.signals import connection_created

    from tests.migrated_db import install

    connection_created.connect(_sqlite_readers_take_no_table_locks, weak=False)
    install()  # the migrated test database is made once and copied (tests/migrated_db.py)


# Modules whose tests take many seconds each (whole-platform subprocesses, tiny bench data sets).
SLOW_MODULES = {"tests/core/test_backup_drill.py", "tests/bench/test_gen_data.py",
                "tests/inspections/test_verification_bench_data.py", "tests/licenses/test_verify_bench_data.py",
                "tests/ratings/test_migration_figures.py", "tests/hotline/test_benchdata_demo.py"}


def _slow(item) -> bool:
    return (item.get_closest_marker("browser") is not None or "live_server" in getattr(item, "fixturenames", ())
            or item.nodeid.split("::", 1)[0] in SLOW_MODULES)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """The slow tests first (a stable sort: each file keeps its order). This runs before pytest-django's
    own stable sort into Django's order (database tests, then transactional ones, then the rest), so
    the slow tests come first within each of those groups. make test hands tests one at a time to two
    pytest-xdist workers: started first, the long tests are spread over both, and the run ends on
    short ones instead of one worker finishing a browser journey while the other waits."""
    items.sort(key=lambda item: not _slow(item))
