"""监管: the registers (事项, 执法人员, 检查对象), 抽查计划 and their draws, the tasks and results, and
告知承诺 后核查."""

from .plans import Draw, InspectionPlan, InspectionTask, TaskInspector
from .registers import InspectedObject, Inspector, InspectorConflict, RegisterJob, SupervisionItem
from .results import TaskAttachment
from .verification import CommitmentCheck

__all__ = ["CommitmentCheck", "Draw", "InspectedObject", "InspectionPlan", "InspectionTask", "Inspector",
           "InspectorConflict", "RegisterJob", "SupervisionItem", "TaskAttachment", "TaskInspector"]
