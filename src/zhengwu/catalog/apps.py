from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "zhengwu.catalog"
    label = "catalog"
    verbose_name = "事项目录"

    def ready(self) -> None:
        # Keep the search index fresh on every write path (receivers run after commit), in every
        # process: web, worker and management commands alike.
        from zhengwu.speedups.warmup import register_warmup
        from zhengwu.workbench.menu import MenuEntry, register

        from . import signals  # noqa: F401

        register_warmup("search", _warm_search)

        # The 搜索词库 (database rules beside data/synonyms.txt) reaches every process's analyzer.
        from . import lexicon_sync
        from .search.analysis import set_rule_source

        set_rule_source(lexicon_sync.sync)

        import datetime as dt

        from zhengwu.core.schedule import Job
        from zhengwu.core.schedule import register as register_job

        register_job(Job("catalog.search_log_prune", dt.timedelta(days=1),
                         "zhengwu.catalog.services.search_log.prune_job", "删除180天前的搜索日志"))

        register(MenuEntry("事项管理", "catalog:wb_items", roles={"item_admin", "dept_admin"}, icon="card-checklist", order=20,
                           description="事项实施清单与办事指南的编辑、审核、发布"))
        register(MenuEntry("一件事", "catalog:wb_bundles", roles={"item_admin"}, icon="puzzle", order=21,
                           description="一件事一次办：主题集成服务"))
        register(MenuEntry("事项导入导出", "catalog:wb_import", roles={"item_admin"}, icon="box-arrow-in-down", order=22,
                           description="从Excel批量导入事项、导出清单"))
        register(MenuEntry("目录统计", "catalog:wb_reports", group="统计分析", roles={"item_admin", "leader", "dept_admin"}, icon="bar-chart",
                           order=23, description="四级四同比对、时限压缩率等目录指标"))
        register(MenuEntry("搜索词库", "catalog:wb_lexicon", roles={"item_admin"}, icon="tags", order=24,
                           description="群众说法与规范名称的同义词、口语词，改后各进程数秒内生效"))
        register(MenuEntry("搜索分析", "catalog:wb_search_log", roles={"item_admin"}, icon="search", order=25,
                           description="热门搜索、无结果和搜索后未打开指南的搜索词，一键加为同义词"))


def _warm_search() -> None:
    """A new web worker: jieba with the catalogue's words, pypinyin's dictionaries, the vocabulary."""
    from . import search

    search.warm_up()
