"""Gateways of the feeds to upper-level platforms (上报推送接口): a plugin interface and the
implementations that work here.

- ``local`` (default when no URL is configured): 本地文件交换 — each batch is written as one JSON
  file under ``ZHENGWU_FEED_DIR/<feed>/<YYYYMMDD>/`` (written to a temporary name, flushed to disk,
  then renamed, so a collector never reads half a file), the way a 前置机 exchanges files with a
  provincial platform. The records are confirmed once the file is on disk; the receipt is its name.
- ``http``: POST to ``ZHENGWU_FEED_URL`` (``{feed}`` in it is replaced by the feed's name) with
  ``{"feed": …, "records": [envelope, …]}`` and ``Authorization: Bearer ZHENGWU_FEED_TOKEN``. The
  upper platform answers 2xx with ``{"accepted": [ids], "rejected": {id: reason}, "receipt": "…"}``;
  only the ids it names as accepted are sent. Any other answer is a failed try (retried with back-off).
- ``pull``: pushes nothing — the upper platform pulls through ``/api/v1/feeds/<feed>/records``.

``ZHENGWU_FEED_GATEWAY`` chooses for every feed; ``ZHENGWU_FEED_GATEWAYS = {"cases": "pull"}``
overrides per feed. A new gateway is a subclass registered with :func:`register_gateway`. A
gateway that cannot reach its platform raises :class:`GatewayError`; it never reports a success
it did not get.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
import uuid
from pathlib import Path

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from .outbox import Feed, PushResult


class GatewayError(Exception):
    """The upper platform could not be reached or refused the batch (the message names why, never
    the content)."""


class FeedGateway:
    name = "base"
    label = ""
    pushes = True

    def push(self, feed: Feed, records: list[dict]) -> PushResult:
        raise NotImplementedError


class PullOnlyGateway(FeedGateway):
    name = "pull"
    label = "仅供上级平台拉取"
    pushes = False

    def push(self, feed: Feed, records: list[dict]) -> PushResult:
        return PushResult()


class LocalDirGateway(FeedGateway):
    name = "local"
    label = "本地文件交换目录"

    def __init__(self, root: str | Path | None = None):
        configured = getattr(settings, "ZHENGWU_FEED_DIR", "") or Path(settings.DATA_DIR) / "feeds"
        self.root = Path(root or configured)

    def push(self, feed: Feed, records: list[dict]) -> PushResult:
        if not records:
            return PushResult()
        now = timezone.localtime()
        folder = self.root / feed.name / now.strftime("%Y%m%d")
        name = f"{feed.name}-{now:%Y%m%d%H%M%S}-{records[0]['id']}-{records[-1]['id']}-{uuid.uuid4().hex[:6]}.json"
        body = json.dumps({"feed": feed.name, "label": feed.label, "written_at": now.isoformat(),
                           "records": records}, ensure_ascii=False, cls=DjangoJSONEncoder).encode("utf-8")
        try:
            folder.mkdir(parents=True, exist_ok=True)
            tmp = folder / f".{name}.part"
            with open(tmp, "wb") as fh:
                fh.write(body)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, folder / name)
        except OSError as exc:
            raise GatewayError(f"写入本地交换目录失败：{exc.strerror or type(exc).__name__}") from None
        return PushResult(accepted={int(r["id"]) for r in records}, receipt=name)


class HttpGateway(FeedGateway):
    name = "http"
    label = "HTTP 推送到上级平台"

    def __init__(self, url: str | None = None, token: str | None = None, timeout: float | None = None):
        self.url = url if url is not None else getattr(settings, "ZHENGWU_FEED_URL", "")
        self.token = token if token is not None else getattr(settings, "ZHENGWU_FEED_TOKEN", "")
        self.timeout = timeout or float(getattr(settings, "ZHENGWU_FEED_TIMEOUT", 15))

    def push(self, feed: Feed, records: list[dict]) -> PushResult:
        if not self.url:
            raise GatewayError("未配置上级平台地址（ZHENGWU_FEED_URL）")
        body = json.dumps({"feed": feed.name, "records": records}, ensure_ascii=False,
                          cls=DjangoJSONEncoder).encode("utf-8")
        headers = {"Content-Type": "application/json; charset=utf-8", "Accept": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(self.url.replace("{feed}", feed.name), data=body, headers=headers,
                                         method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as resp:  # noqa: S310 (a configured URL)
                status, raw = resp.status, resp.read(1_000_000)
        except urllib.error.HTTPError as exc:
            raise GatewayError(f"上级平台返回 HTTP {exc.code}") from None
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise GatewayError(f"无法连接上级平台：{type(reason).__name__}") from None
        if not 200 <= status < 300:
            raise GatewayError(f"上级平台返回 HTTP {status}")
        try:
            answer = json.loads(raw or b"{}")
            accepted = {int(i) for i in answer.get("accepted", [])}
            rejected = {int(k): str(v)[:200] for k, v in (answer.get("rejected") or {}).items()}
        except (ValueError, TypeError, AttributeError):
            raise GatewayError("上级平台的应答不是约定的 JSON（accepted 列表）") from None
        return PushResult(accepted=accepted, rejected=rejected, receipt=str(answer.get("receipt", ""))[:100])


_gateways: dict[str, type[FeedGateway]] = {g.name: g for g in (LocalDirGateway, HttpGateway, PullOnlyGateway)}


def register_gateway(cls: type[FeedGateway]) -> type[FeedGateway]:
    _gateways[cls.name] = cls
    return cls


def gateway_name(feed_name: str) -> str:
    per_feed = getattr(settings, "ZHENGWU_FEED_GATEWAYS", {}) or {}
    default = getattr(settings, "ZHENGWU_FEED_GATEWAY", "") or (
        "http" if getattr(settings, "ZHENGWU_FEED_URL", "") else "local")
    return per_feed.get(feed_name) or default


def gateway_for(feed_name: str) -> FeedGateway:
    name = gateway_name(feed_name)
    if name not in _gateways:
        raise GatewayError(f"未知的上报推送接口 {name}（可用：{'、'.join(sorted(_gateways))}）")
    return _gateways[name]()
