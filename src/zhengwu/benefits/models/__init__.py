from .policies import EligibilityRun, Entitlement, Policy

__all__ = ["Policy", "EligibilityRun", "Entitlement"]
