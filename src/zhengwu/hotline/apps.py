from django.apps import AppConfig


class HotlineConfig(AppConfig):
    name = "zhengwu.hotline"
    label = "hotline"
    verbose_name = "12345热线"

    def ready(self) -> None:
        import datetime as dt

        from zhengwu.core.schedule import Job
        from zhengwu.core.schedule import register as register_job

        register_job(Job("hotline.escalate", dt.timedelta(minutes=10), "zhengwu.hotline.services.escalate_overdue",
                     "12345 自动督办：超过签收或办结时限的工单"))
        from zhengwu.accounts.apikeys import register_scope

        register_scope("hotline:tickets", "提交12345诉求并查询其办理状态（含 Open311）")  # 应用密钥 scope
        register_scope("hotline:calls", "话务系统报送12345每日话务量（人工服务请求量、人工应答量）")
        from . import feed

        feed.register()  # 上报省级12345平台 (zhengwu.core.outbox)
        register_scope(feed.SCOPE, "读取12345工单上报记录并确认接收（上级平台）")
        from zhengwu.speedups.warmup import register_warmup

        register_warmup("hotline", _warm_hotline)
        from zhengwu.workbench.menu import MenuEntry, register

        register(MenuEntry("热线受理", "hotline:console", roles={"hotline"}, icon="telephone", order=50,
                           description="坐席受理台：登记来电，智能分类、知识库、相似工单并单，一键派单"))
        register(MenuEntry("派单中心", "hotline:centre", roles={"hotline", "supervisor"}, icon="diagram-3", order=51,
                           description="派单、退单审核与改派、延期审批、督办、回访、办结归档",
                           count=_waiting_centre, count_label="件待处理（待派单、退单审核、待回访、待办结）"))
        register(MenuEntry("热线工单", "hotline:dept", roles={"dept_admin", "approver"}, icon="envelope-paper", order=52,
                           description="本单位的12345工单：签收、办理、答复、退单、申请延期",
                           count=_waiting_department, count_label="件待签收或办理"))
        register(MenuEntry("热线指标", "hotline:figures", group="统计分析", roles={"hotline", "supervisor", "leader", "dept_admin"},
                           icon="graph-up", order=53, description="办结率、直接办结率、按时办结率、一次办结率、回访率、满意率、接通率、热点"))
        register(MenuEntry("效能投诉台账", "hotline:ledger_efficiency", roles={"supervisor", "leader", "discipline"},
                           icon="shield-check",
                           order=57, description="效能投诉工单的核查结论、整改和问责情况，按期间导出报纪委监察"))
        register(MenuEntry("办不成事台账", "hotline:ledger_cannot_do", roles={"supervisor", "leader", "discipline"},
                           icon="flag",
                           order=58, description="办不成事反映工单的协调办理结果、核查结论和问责情况，按期间导出"))
        register(MenuEntry("热线知识库", "hotline:knowledge", roles={"hotline", "supervisor", "dept_admin"}, icon="book",
                           order=54, description="政策答复口径，坐席受理时实时检索"))
        register(MenuEntry("诉求分类", "hotline:taxonomy", roles={"hotline", "supervisor"}, icon="tags", order=55,
                           description="三级分类及默认承办单位、时限；Excel 导入"))
        register(MenuEntry("派单模型", "hotline:model", roles={"hotline", "supervisor"}, icon="cpu", order=56,
                           description="智能派单模型的版本、准确率与重新训练"))


def _warm_hotline() -> None:
    """A new web worker: the 知识库's own jieba; the active model, the keyword rules, the taxonomy."""
    from . import classifier, knowledge

    knowledge.load()
    classifier.suggest("路灯不亮，请尽快维修")


def _waiting_centre(user, cap: int) -> int:
    """Tickets waiting for the dispatch centre in the user's region (the centre's 待办 tab: 待派单,
    退单待审核, 待回访, 待办结), counted up to ``cap`` over the partial index ``ticket_centre_todo``."""
    from . import rules
    from .models import Ticket
    from .queries import centre_scope

    qs = Ticket.objects.filter(state__in=[s.value for s in rules.CENTRE_STATES])
    return centre_scope(qs, user).order_by().values("pk")[:cap].count()


def _waiting_department(user, cap: int) -> int:
    """Tickets of the user's departments waiting for 签收 or 办理, counted up to ``cap`` (index
    ``ticket_dept_state_due``)."""
    from zhengwu.org.permissions import scope

    from . import rules
    from .models import Ticket
    from .services import HANDLER_ROLES

    qs = scope(Ticket.objects.filter(state__in=[s.value for s in rules.DEPARTMENT_STATES]), user, HANDLER_ROLES,
               department_field="lead_department")
    return qs.order_by().values("pk")[:cap].count()
