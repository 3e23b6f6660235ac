"""``zhengwu sms-outbox --last 5``: the newest messages the local SMS gateway left in the outbox
(masked phone, the message), so that in a demo or a development install — where no SMS gateway
is connected — a person can read the verification code "sent" to their phone. Refused when a real
gateway is configured (``ZHENGWU_SMS_GATEWAY`` other than ``outbox``)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone


class Command(BaseCommand):
    help = "查看本地短信发件箱最近的短信（仅本地网关，手机号脱敏），用于演示环境获取验证码"

    def add_arguments(self, parser):
        parser.add_argument("--last", type=int, default=5, help="显示最近几条（默认5条）")

    def handle(self, *args, **opts):
        from zhengwu.cases.models import SmsMessage
        from zhengwu.core import audit

        gateway = getattr(settings, "ZHENGWU_SMS_GATEWAY", "outbox")
        if gateway != "outbox":
            raise CommandError(f"已配置短信网关“{gateway}”：短信已真实发送，不能在此查看（仅本地发件箱网关可用）")
        last = max(1, min(opts["last"], 100))
        rows = list(SmsMessage.objects.order_by("-created_at", "-pk")[:last])
        audit.record("accounts.sms_outbox_read", object_type="cases.smsmessage", after={"count": len(rows)})
        if not rows:
            self.stdout.write("发件箱为空")
        for m in rows:
            when = timezone.localtime(m.created_at).strftime("%Y-%m-%d %H:%M:%S")
            self.stdout.write(f"{when}  {m.phone}  {m.body}")
