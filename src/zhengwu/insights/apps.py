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

        from .rollups import REFRESH
        from .rules import interval_text

        register_job(Job("insights.rollups", REFRESH, "zhengwu.insights.rollups.refresh",
                         f"指标日汇总：今日{interval_text(REFRESH)}刷新，补齐近400天缺失的日期，近31天每日重算"))
        register(MenuEntry("领导驾驶舱", "insights:leader", group="统计分析", roles=set(DASHBOARD_ROLES), icon="graph-up",
                           order=40, description="本月主要指标、较上月变化、近12个月趋势和部门排名"))
        register(MenuEntry("指标口径", "insights:figures", group="统计分析", roles=set(FIGURES_ROLES), icon="graph-up",
                           order=41, description="平台报告的每个指标：名称、计算口径、来源、单位、统计维度和周期"))
        # 月报/年报: the worker generates queued reports and, from the 1st, queues last month's (and last year's)
        register_job(Job("insights.reports", dt.timedelta(minutes=1), "zhengwu.insights.reports.services.run_queued",
                         "统计报告：生成排队中的月报/年报；每月1日起排队上月月报（1月另排上年年报）"))
        register(MenuEntry("统计报告", "insights:reports", group="统计分析", roles={"leader", "supervisor", "data_admin"},
                           icon="file-earmark-text", order=47,
                           description="政务服务月报、年报（Excel 和 PDF）：按月自动生成，也可随时申请，附指标口径"))
        from .dashboards import department, hall, hotline
        from .views_dash import EDITOR, SCREEN_ROLES

        register(MenuEntry("部门驾驶舱", "insights:department", group="统计分析", roles=set(department.ROLES),
                           icon="bar-chart", order=42, description="本部门受理、办结、按时办结率、满意率、12345和超期办件"))
        register(MenuEntry("大厅看板", "insights:hall", group="统计分析", roles=set(hall.ROLES), icon="house-heart",
                           order=43, description="今日大厅排队、各窗口服务和现场评价，自动刷新"))
        register(MenuEntry("12345看板", "insights:hotline", group="统计分析", roles=set(hotline.ROLES), icon="telephone",
                           order=44, description="今日来电受理、超期工单和近7日热点，自动刷新"))
        register(MenuEntry("大屏", "insights:screen", group="统计分析", roles=set(SCREEN_ROLES), icon="graph-up",
                           order=45, description="1920×1080 大屏展示，按数据管理员设置的版面实时刷新"))
        register(MenuEntry("大屏版面", "insights:screens", group="统计分析", roles=set(EDITOR), icon="gear",
                           order=46, description="选择大屏展示的指标、展示方式、维度和周期，设置当前大屏"))
