"""The shared outbox of the feeds to upper-level platforms (ADR 0050): enqueue in the change's
transaction and once per object+event+version, the push with back-off and a dead letter, resend,
the local file drop, and the HTTP gateway against a real local HTTP server."""

from __future__ import annotations

import datetime as dt
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.db import transaction
from django.utils import timezone

from zhengwu.core import feed_gateways, outbox, schedule
from zhengwu.core.models import AuditEvent, CalendarYear, FeedRecord

pytestmark = pytest.mark.django_db(transaction=False)
MIN = dt.timedelta(minutes=1)


@pytest.fixture
def feed(settings, tmp_path):
    """A feed of CalendarYear rows (any model will do), pushed to a temporary drop directory."""
    settings.ZHENGWU_FEED_DIR = str(tmp_path / "drop")
    settings.ZHENGWU_FEED_URL = ""
    settings.ZHENGWU_FEED_GATEWAY = ""
    settings.ZHENGWU_FEED_GATEWAYS = {}
    f = outbox.Feed("testfeed", "测试上报", scope="feed:testfeed", object_type="core.calendaryear",
                    build=lambda obj, event: {"年份": obj.year, "事件": event}, ref=lambda obj: f"Y{obj.year}",
                    events={"created": "新建", "closed": "关闭"})
    outbox.register(f)
    yield f
    outbox._feeds.pop("testfeed", None)


def _obj(year=2031):
    return CalendarYear.objects.create(year=year, source="测试")


def _enqueue(obj, event="created", version=None):
    with transaction.atomic():
        outbox.enqueue("testfeed", obj, event, version=version)


class Failing(feed_gateways.FeedGateway):
    name = "failing"

    def push(self, feed, records):
        raise feed_gateways.GatewayError("上级平台返回 HTTP 503")


class Partial(feed_gateways.FeedGateway):
    """Confirms the first record, refuses the second, says nothing of the rest."""

    name = "partial"

    def push(self, feed, records):
        ids = [r["id"] for r in records]
        return outbox.PushResult(accepted={ids[0]}, rejected={ids[1]: "字段“年份”不合规"}, receipt="R-1")


@pytest.fixture
def gateway(settings):
    def use(cls):
        feed_gateways.register_gateway(cls)
        settings.ZHENGWU_FEED_GATEWAYS = {"testfeed": cls.name}

    yield use
    for name in ("failing", "partial"):
        feed_gateways._gateways.pop(name, None)


@pytest.mark.django_db(transaction=True)
def test_enqueue_needs_the_transaction_of_the_change(feed):
    obj = _obj()
    with pytest.raises(RuntimeError):
        outbox.enqueue("testfeed", obj, "created")


def test_a_rolled_back_change_leaves_no_record(feed):
    obj = _obj()
    with pytest.raises(RuntimeError):
        with transaction.atomic():
            outbox.enqueue("testfeed", obj, "created")
            raise RuntimeError("the change failed after the enqueue")
    assert not FeedRecord.objects.exists()


def test_enqueue_is_idempotent_per_object_event_and_version(feed):
    obj = _obj()
    _enqueue(obj, version=1)
    _enqueue(obj, version=1)  # a retried request: no second record
    assert FeedRecord.objects.count() == 1
    _enqueue(obj, version=2)
    _enqueue(obj, "closed", version=2)
    assert FeedRecord.objects.count() == 3
    rec = FeedRecord.objects.order_by("pk").first()
    assert (rec.feed, rec.object_ref, rec.status, rec.attempts, rec.payload) == (
        "testfeed", "Y2031", "pending", 0, {"年份": 2031, "事件": "created"})
    with pytest.raises(ValueError):
        _enqueue(obj, "deleted")  # an event the feed does not declare


def test_local_drop_writes_the_records_and_only_then_marks_them_sent(feed, tmp_path):
    for year in (2031, 2032, 2033):
        _enqueue(_obj(year))
    assert outbox.push_feed("testfeed") == {"sent": 3, "failed": 0}
    files = list((tmp_path / "drop" / "testfeed").rglob("*.json"))
    assert len(files) == 1 and not list((tmp_path / "drop").rglob("*.part"))
    body = json.loads(files[0].read_text(encoding="utf-8"))
    assert [r["payload"]["年份"] for r in body["records"]] == [2031, 2032, 2033]
    assert body["records"][0]["key"].startswith("core.calendaryear:") and body["records"][0]["ref"] == "Y2031"
    assert set(FeedRecord.objects.values_list("status", "receipt")) == {("sent", files[0].name)}
    assert outbox.push_feed("testfeed") == {"sent": 0, "failed": 0}  # nothing twice


def test_an_unwritable_drop_is_a_failed_try_not_a_success(feed, settings, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    settings.ZHENGWU_FEED_DIR = str(blocker)  # a file where the directory should be
    _enqueue(_obj())
    assert outbox.push_feed("testfeed") == {"sent": 0, "failed": 1}
    rec = FeedRecord.objects.get()
    assert rec.status == "failed" and rec.last_error.startswith("写入本地交换目录失败")


def test_back_off_then_dead_letter_then_resend(feed, gateway, settings, make_staff):
    settings.ZHENGWU_FEED_MAX_ATTEMPTS = 3
    gateway(Failing)
    _enqueue(_obj())
    t0 = timezone.now()
    assert outbox.push_feed("testfeed", now=t0) == {"sent": 0, "failed": 1}
    rec = FeedRecord.objects.get()
    assert (rec.status, rec.attempts, rec.next_attempt_at, rec.last_error) == ("failed", 1, t0 + MIN,
                                                                               "上级平台返回 HTTP 503")
    assert outbox.push_feed("testfeed", now=t0 + 30 * dt.timedelta(seconds=1)) == {"sent": 0, "failed": 0}  # not due
    outbox.push_feed("testfeed", now=t0 + MIN)
    rec.refresh_from_db()
    assert (rec.status, rec.attempts, rec.next_attempt_at) == ("failed", 2, t0 + MIN + 2 * MIN)
    outbox.push_feed("testfeed", now=t0 + 3 * MIN)
    rec.refresh_from_db()
    assert (rec.status, rec.attempts) == ("dead", 3)
    assert outbox.push_feed("testfeed", now=t0 + dt.timedelta(days=30)) == {"sent": 0, "failed": 0}  # no more tries
    assert [s for s in outbox.summary() if s["feed"].name == "testfeed"][0]["dead"] == 1
    # 重新推送: a fresh series of tries, now, audited; the gateway works again.
    admin = make_staff("data_admin")
    assert outbox.resend(admin, "testfeed", [rec.pk]) == 1
    rec.refresh_from_db()
    assert (rec.status, rec.attempts) == ("pending", 0)
    event = AuditEvent.objects.get(action="feeds.resend")
    assert event.actor_id == admin.pk and event.after["count"] == 1
    settings.ZHENGWU_FEED_GATEWAYS = {}
    assert outbox.push_feed("testfeed") == {"sent": 1, "failed": 0}


def test_resend_all_dead_and_never_a_sent_record(feed, gateway, settings):
    settings.ZHENGWU_FEED_MAX_ATTEMPTS = 1
    gateway(Failing)
    for year in (2031, 2032):
        _enqueue(_obj(year))
    outbox.push_feed("testfeed")
    assert set(FeedRecord.objects.values_list("status", flat=True)) == {"dead"}
    sent = FeedRecord.objects.first()
    FeedRecord.objects.filter(pk=sent.pk).update(status="sent")
    assert outbox.resend(None, "testfeed", status="dead") == 1
    assert FeedRecord.objects.get(pk=sent.pk).status == "sent"


def test_only_the_confirmed_records_are_sent(feed, gateway):
    gateway(Partial)
    for year in (2031, 2032, 2033):
        _enqueue(_obj(year))
    assert outbox.push_feed("testfeed") == {"sent": 1, "failed": 2}
    rows = {r.payload["年份"]: r for r in FeedRecord.objects.all()}
    assert rows[2031].status == "sent" and rows[2031].receipt == "R-1"
    assert rows[2032].status == "failed" and rows[2032].last_error == "字段“年份”不合规"
    assert rows[2033].status == "failed" and rows[2033].last_error == "上级平台未确认接收"


def test_pull_only_pushes_nothing(feed, settings):
    settings.ZHENGWU_FEED_GATEWAYS = {"testfeed": "pull"}
    _enqueue(_obj())
    assert outbox.push_feed("testfeed") == {"sent": 0, "failed": 0}
    assert FeedRecord.objects.get().status == "pending"


def test_the_worker_job_pushes_every_feed(feed):
    _enqueue(_obj())
    job = schedule.job("feeds.push")
    assert job is not None and job.every == MIN
    assert "测试上报：送达 1 条" in job.run()


# -- the HTTP gateway against a real HTTP server on this machine ------------------------------------
class _Receiver(BaseHTTPRequestHandler):
    answers: list[int] = []
    seen: list[dict] = []

    def do_POST(self):  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).seen.append({"auth": self.headers.get("Authorization"), "path": self.path, "body": body})
        status = type(self).answers.pop(0) if type(self).answers else 200
        out = json.dumps({"accepted": [r["id"] for r in body["records"]], "receipt": "SJ-0001"}).encode() \
            if status == 200 else b'{"error": "busy"}'
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)

    def log_message(self, *args):
        pass


@pytest.fixture
def receiver():
    _Receiver.answers, _Receiver.seen = [], []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/upper/{{feed}}/receive"
    server.shutdown()
    server.server_close()


def test_http_gateway_retries_on_500_and_is_sent_on_200(feed, settings, receiver):
    settings.ZHENGWU_FEED_URL, settings.ZHENGWU_FEED_TOKEN = receiver, "upper-token"
    assert feed_gateways.gateway_name("testfeed") == "http"
    _Receiver.answers = [500]
    _enqueue(_obj())
    t0 = timezone.now()
    assert outbox.push_feed("testfeed", now=t0) == {"sent": 0, "failed": 1}
    rec = FeedRecord.objects.get()
    assert rec.status == "failed" and rec.last_error == "上级平台返回 HTTP 500" and rec.next_attempt_at == t0 + MIN
    assert outbox.push_feed("testfeed", now=t0 + MIN) == {"sent": 1, "failed": 0}
    rec.refresh_from_db()
    assert (rec.status, rec.receipt, rec.attempts) == ("sent", "SJ-0001", 2)
    assert len(_Receiver.seen) == 2
    first = _Receiver.seen[0]
    assert first["auth"] == "Bearer upper-token" and first["path"] == "/upper/testfeed/receive"
    assert first["body"]["records"][0]["payload"] == {"年份": 2031, "事件": "created"}


def test_http_gateway_unreachable_or_bad_answer_is_a_failed_try(feed, settings, receiver):
    settings.ZHENGWU_FEED_URL = "http://127.0.0.1:9/nowhere"  # the discard port: nothing listens
    _enqueue(_obj())
    outbox.push_feed("testfeed")
    rec = FeedRecord.objects.get()
    assert rec.status == "failed" and rec.last_error.startswith("无法连接上级平台")
    gw = feed_gateways.HttpGateway(url=receiver, token="")
    _Receiver.answers = [200]
    result = gw.push(feed, [outbox.envelope(rec)])
    assert result.accepted == {rec.pk}


def test_the_status_command_shows_the_last_delivery_in_local_time(feed, capsys):
    """Like the pages and ``zhengwu sms-outbox``: Beijing time, not UTC."""
    from django.core.management import call_command

    _enqueue(_obj())
    FeedRecord.objects.update(status="sent", sent_at=dt.datetime(2026, 12, 7, 11, 17, tzinfo=dt.UTC))
    call_command("feeds", "status", "--feed", "testfeed")
    out = capsys.readouterr().out
    assert "最近送达 2026-12-07 19:17" in out
