import datetime as dt

from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "zhengwu.payments"
    label = "payments"
    verbose_name = "收费与缴款"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from zhengwu.accounts.apikeys import register_scope
        from zhengwu.cases import signals as case_signals
        from zhengwu.cases.models import CaseEvent
        from zhengwu.core.schedule import Job
        from zhengwu.core.schedule import register as register_job
        from zhengwu.org.models import Role
        from zhengwu.workbench.menu import MenuEntry, register

        from . import hooks

        post_save.connect(hooks.on_case_event, sender=CaseEvent, dispatch_uid="payments.on_case_event")
        case_signals.delivery_check.connect(hooks.delivery_refusal, dispatch_uid="payments.delivery_refusal")
        # Not in the window clerk's menu (it stays flat, ≤ FLAT_MAX entries, ADR 0048): the clerk
        # reaches an order from the case page's 收费 panel; the pages themselves admit clerks.
        roles = {Role.APPROVER, Role.DEPT_ADMIN, Role.LEADER, Role.SUPERVISOR}
        register(MenuEntry("收费与缴款", "payments:orders", group="政务服务", roles=roles, icon="card-checklist", order=25,
                           description="缴款单：柜台收款、收据、退款、作废"))
        register(MenuEntry("日对账", "payments:reconciliation", group="政务服务", roles=roles, icon="file-earmark-text",
                           order=26, description="按日、按渠道的缴款与退款汇总及差异，可导出 Excel"))
        register_job(Job("payments.reconcile", dt.timedelta(hours=24), "zhengwu.payments.reports.build_yesterday",
                         "日对账：生成前一日的缴款、退款与差异报表"))
        register_scope("payments:read", "查询缴款单")
