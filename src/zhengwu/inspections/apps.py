from django.apps import AppConfig


class InspectionsConfig(AppConfig):
    name = "zhengwu.inspections"
    label = "inspections"
    verbose_name = "互联网+监管与双随机一公开"

    def ready(self) -> None:
        # Each part registers its menu entries and jobs below, between its own markers.
        # -- verify --
        import datetime as dt

        from django.db.models.signals import post_save

        from zhengwu.core.schedule import Job
        from zhengwu.core.schedule import register as register_job
        from zhengwu.workbench.menu import MenuEntry
        from zhengwu.workbench.menu import register as register_menu

        from .services import verification as commitments

        post_save.connect(commitments.on_case_event, sender="cases.CaseEvent",
                          dispatch_uid="inspections.commitment_check_on_accept")
        register_job(Job("inspections.commitments", dt.timedelta(hours=6), "zhengwu.inspections.services.verification.run_job",
                         "告知承诺后核查：补建遗漏的核查，提醒超期核查"))
        register_menu(MenuEntry("告知承诺核查", "inspections:verification_queue",
                                roles=set(commitments.STAFF_ROLES) | set(commitments.BUREAU_ROLES),
                                icon="shield-check", order=47, count=commitments.count_waiting,
                                count_label="件待核查", description="告知承诺办件的事后核查：待核查、即将到期、已超期"))
        # -- end verify --
