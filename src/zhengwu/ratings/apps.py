from django.apps import AppConfig


class RatingsConfig(AppConfig):
    name = "zhengwu.ratings"
    label = "ratings"
    verbose_name = "好差评"

    def ready(self) -> None:
        import datetime as dt

        from zhengwu.core.schedule import Job
        from zhengwu.core.schedule import register as register_job

        register_job(Job("ratings.defaults", dt.timedelta(days=1), "zhengwu.ratings.services.apply_default_ratings",
                     "默认好评（本地规则开启时）"))
        register_job(Job("ratings.push", dt.timedelta(minutes=5), "command:ratings_push",
                     "将评价推送到上级好差评系统（配置了推送接口时）"))
        from zhengwu.accounts.apikeys import register_scope

        register_scope("ratings:feed", "读取好差评上报队列并确认接收（上级好差评系统）")  # 应用密钥 scope
        from django.db.models.signals import post_save

        from zhengwu.cases.signals import receipt_qr
        from zhengwu.hotline.signals import callback_rated
        from zhengwu.workbench.menu import MenuEntry, register

        from .signals import case_saved, hotline_callback_rated, rating_qr_for_receipt, ticket_saved

        post_save.connect(case_saved, sender="cases.Case", dispatch_uid="ratings.case_concluded")
        post_save.connect(ticket_saved, sender="hotline.Ticket", dispatch_uid="ratings.ticket_closed")
        receipt_qr.connect(rating_qr_for_receipt, dispatch_uid="ratings.receipt_qr")
        callback_rated.connect(hotline_callback_rated, dispatch_uid="ratings.hotline_callback")

        register(MenuEntry("窗口评价器", "ratings:tablet_start", roles={"window"}, icon="star", order=13,
                           description="把平板绑定到窗口，每次服务后由群众当面评价（现场一次一评）"))
        register(MenuEntry("差评整改", "ratings:rect_list", roles={"dept_admin", "approver", "supervisor", "leader"},
                           icon="tools", order=30, description="差评核实、整改、回访，申诉",
                           count=_open_rectifications, count_label="件差评待整改"))
        register(MenuEntry("督办", "ratings:overdue", roles={"supervisor"}, icon="alarm", order=31,
                           description="超期未整改的差评，督办；审核部门申诉"))
        register(MenuEntry("评价指标", "ratings:figures", group="统计分析",
                           roles={"leader", "supervisor", "dept_admin", "data_admin", "window", "approver"},
                           icon="graph-up", order=41, description="评价数、主动评价率、满意率、差评整改率、实名差评回访整改率"))
        register(MenuEntry("红黑旗", "ratings:ranking", group="统计分析", roles={"leader", "supervisor", "dept_admin", "data_admin"},
                           icon="flag", order=42, description="按月对窗口、部门排名，可投放大厅屏幕"))
        register(MenuEntry("评价规则", "ratings:rules", roles={"sysadmin"}, icon="gear", order=90,
                           description="默认好评、整改时限、红黑旗计分"))


def _open_rectifications(user, cap: int) -> int:
    """差评 not yet rectified (核实, 整改, 回访 open) in the user's scope, counted up to ``cap``
    (indexes ``rect_dept_state_due`` / ``rect_state_due``)."""
    from . import rules
    from .queries import rectifications_for

    return rectifications_for(user).filter(state__in=rules.OPEN_RSTATES).order_by().values("pk")[:cap].count()
