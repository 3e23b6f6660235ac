"""Demo data of the workbench: an 应用密钥 for the upper-level platform's pull of the feeds
(上报: 12345 工单 and 办件), so the README's curl line works on a fresh demo. Demo only."""

from __future__ import annotations

import hashlib

DEMO_FEED_KEY = "zw_demo0027_feeds-demo-key-2026"  # scopes feed:hotline + feed:cases (demo only)


def load(stdout) -> None:
    from zhengwu.accounts.models import ApiKey
    from zhengwu.core import outbox

    _key, created = ApiKey.objects.get_or_create(prefix=DEMO_FEED_KEY.split("_")[1], defaults={
        "name": "演示上级平台（省级汇聚）", "key_hash": hashlib.sha256(DEMO_FEED_KEY.encode()).hexdigest(),
        "scopes": sorted(f.scope for f in outbox.feeds()),
        "note": "演示数据：正式环境请停用并用 zhengwu apikey create 另发"})
    if created:
        stdout.write("上报队列：演示应用密钥（拉取12345工单、办件信息上报记录）")
