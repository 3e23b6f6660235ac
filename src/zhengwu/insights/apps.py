import datetime as dt

from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "zhengwu.insights"
    label = "insights"
    verbose_name = "统计分析"

    def ready(self) -> None:
        from zhengwu.workbench.menu import MenuEntry, register

        from . import sources
        from .views import DASHBOARD_ROLES, FIGURES_ROLES

        sources.load()
        register(MenuEntry("领导驾驶舱", "insights:leader", group="统计分析", roles=set(DASHBOARD_ROLES), icon="graph-up",
                           order=40, description="本月主要指标、较上月变化、近12个月趋势和部门排名"))
        register(MenuEntry("指标口径", "insights:figures", group="统计分析", roles=set(FIGURES_ROLES), icon="graph-up",
                           order=41, description="平台报告的每个指标：名称、计算口径、来源、单位、统计维度和周期"))
        # 月报/年报: the worker generates queued reports and, from the 1st, queues last month's (and last year's)
        from zhengwu.core.schedule import Job
        from zhengwu.core.schedule import register as register_job

        register_job(Job("insights.reports", dt.timedelta(minutes=1), "zhengwu.insights.reports.services.run_queued",
                         "统计报告：生成排队中的月报/年报；每月1日起排队上月月报（1月另排上年年报）"))
        register(MenuEntry("统计报告", "insights:reports", group="统计分析", roles={"leader", "supervisor", "data_admin"},
                           icon="file-earmark-text", order=42,
                           description="政务服务月报、年报（Excel 和 PDF）：按月自动生成，也可随时申请，附指标口径"))
