from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "zhengwu.cases"
    label = "cases"
    verbose_name = "办件"

    def ready(self) -> None:
        import datetime as dt

        from zhengwu.core.schedule import Job
        from zhengwu.core.schedule import register as register_job
        from zhengwu.workbench.menu import MenuEntry, register

        register_job(Job("cases.deemed_acceptance", dt.timedelta(hours=1),
                         "zhengwu.cases.services.deadlines.deem_overdue_acceptances",
                         "逾期视为受理：收到申请材料五个工作日内未答复的办件（行政许可法第三十二条）"))
        register_job(Job("cases.retention", dt.timedelta(days=1), "zhengwu.cases.services.retention.prune_notifications",
                         "保存期限：删除超过 ZHENGWU_RETAIN_NOTIFICATIONS_DAYS 天的站内消息与短信发件箱（分批）"))

        from .services import feed

        feed.register()  # 上报省级平台 (zhengwu.core.outbox)
        from zhengwu.core.metrics import register_backlog

        register_backlog("sms", _sms_backlog)  # /metrics: zhengwu_outbox_backlog{outbox="sms"}
        from zhengwu.accounts.apikeys import register_scope

        register_scope(feed.SCOPE, "读取办件信息上报记录并确认接收（上级平台）")
        register_scope("cases:write", "部门系统创建、填报、上传材料、提交本部门事项的办件")
        register_scope("cases:read", "部门系统查询本部门办件的状态、办理过程和结果")

        register(MenuEntry("受理", "cases:staff_intake", roles={"window"}, icon="inbox", order=10,
                           description="预审与受理：受理、补正、不予受理、容缺受理、告知承诺",
                           count=_waiting_intake, count_label="件待受理"))
        register(MenuEntry("待办", "cases:staff_inbox", roles={"approver", "window"}, icon="folder2-open", order=11,
                           description="待我审批的办件环节，按时限显示正常、预警、超期",
                           count=_waiting_steps, count_label="个环节待办"))
        register(MenuEntry("窗口代录", "cases:staff_file", roles={"window"}, icon="person-vcard", order=12,
                           description="为现场申请人录入办件，含帮代办"))
        register(MenuEntry("秒批", "cases:staff_instant", roles={"item_admin", "approver", "dept_admin"}, icon="check-lg",
                           order=25, description="秒批规则：符合全部规则的申请当即准予；审批人员复核秒批办件"))
        register(MenuEntry("延期审批", "cases:staff_extensions", roles={"leader"}, icon="alarm", order=13,
                           description="本行政机关负责人批准或不批准延长办理期限（行政许可法第四十二条）",
                           count=_pending_extensions, count_label="件延期待审批"))
        register(MenuEntry("审批流程", "cases:staff_processes", roles={"item_admin"}, icon="signpost-split", order=24,
                           description="按事项编辑审批环节、并联审批、条件环节和申报表单"))
        register(MenuEntry("跨域通办统计", "cases:staff_tongban_figures", group="统计分析",
                           roles={"leader", "dept_admin", "supervisor", "data_admin"}, icon="diagram-3", order=41,
                           description="本地区代收、代办的跨域通办办件数，按地区和通办类型"))
        register(MenuEntry("办件指标", "cases:figures", group="统计分析", roles={"leader", "dept_admin", "window", "approver", "supervisor"},
                           icon="bar-chart", order=40, description="受理量、办结量、按时办结率、超期数、平均办理时长等"))


def _sms_backlog() -> dict[str, int]:
    """SMS not handed to a gateway yet (queued) or refused by it (failed), for /metrics."""
    from django.db.models import Count

    from .models import SmsMessage

    rows = (SmsMessage.objects.filter(status__in=[SmsMessage.Status.QUEUED, SmsMessage.Status.FAILED])
            .order_by().values("status").annotate(n=Count("id")))
    return {r["status"]: r["n"] for r in rows}


def _waiting_intake(user, cap: int) -> int:
    """Cases waiting for 受理 in the user's scope, counted up to ``cap`` (the queue's index)."""
    from .queries import intake_queue

    return intake_queue(user).order_by().values("pk")[:cap].count()


def _waiting_steps(user, cap: int) -> int:
    """Active steps the user may act on, counted up to ``cap`` (the inbox's index)."""
    from .queries import inbox

    return inbox(user).order_by().values("pk")[:cap].count()


def _pending_extensions(user, cap: int) -> int:
    """延长办理期限 requests waiting for this leader (the 延期审批 page's rows), counted up to ``cap``
    (partial index ``extension_requested``)."""
    from .views_staff_deadlines import pending_extensions

    return pending_extensions(user).order_by().values("pk")[:cap].count()
