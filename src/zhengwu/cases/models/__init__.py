"""Case models, one file per concept: the case and its history, materials, process, results."""

from .cases import BundleCase, Case, CaseEvent, Channel, IntakeMode
from .materials import CaseMaterial, PendingMaterial, SupplementNotice
from .notifications import Notification, SmsMessage
from .process import CaseStep, Extension, ProcessDefinition, Suspension
from .results import CaseResult
from .tongban import CrossIntake
from .instant import InstantDecision, InstantRule

__all__ = [
    "BundleCase", "Case", "CaseEvent", "CrossIntake", "CaseMaterial", "CaseResult", "CaseStep", "Channel", "Extension", "IntakeMode",
    "InstantDecision", "InstantRule",
    "Notification", "PendingMaterial", "ProcessDefinition", "SmsMessage", "SupplementNotice", "Suspension",
]
