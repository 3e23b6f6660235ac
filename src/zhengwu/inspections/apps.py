from django.apps import AppConfig


class InspectionsConfig(AppConfig):
    name = "zhengwu.inspections"
    label = "inspections"
    verbose_name = "互联网+监管与双随机一公开"

    def ready(self) -> None:
        # Each part registers its menu entries and jobs below, between its own markers.
        # -- draw --
        from zhengwu.workbench.menu import MenuEntry, register

        register(MenuEntry("抽查计划", "inspections:plans", roles={"dept_admin", "approver", "supervisor", "leader"},
                           icon="shield-check", order=70,
                           description="双随机、一公开：制定抽查计划，公布抽查条件和随机种子，抽取检查对象和执法人员"))
        # -- end draw --
