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
        import datetime as dt

        from zhengwu.core.schedule import Job
        from zhengwu.core.schedule import register as register_job

        register_job(Job("insights.rollups", dt.timedelta(minutes=10), "zhengwu.insights.rollups.refresh",
                         "指标日汇总：今日每10分钟刷新，补齐近400天缺失的日期，近31天每日重算"))
        register(MenuEntry("领导驾驶舱", "insights:leader", group="统计分析", roles=set(DASHBOARD_ROLES), icon="graph-up",
                           order=40, description="本月主要指标、较上月变化、近12个月趋势和部门排名"))
        register(MenuEntry("指标口径", "insights:figures", group="统计分析", roles=set(FIGURES_ROLES), icon="graph-up",
                           order=41, description="平台报告的每个指标：名称、计算口径、来源、单位、统计维度和周期"))
