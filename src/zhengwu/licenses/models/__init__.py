"""电子证照 models: the registry (types, licences, their events, shows and uses) and the seals."""

from .counters import Counter
from .licences import Licence, LicenceEvent, LicenceShow, LicenceType, LicenceUse
from .seals import DepartmentSeal, PlatformCA, SealSource

__all__ = ["Counter", "DepartmentSeal", "Licence", "LicenceEvent", "LicenceShow", "LicenceType", "LicenceUse",
           "PlatformCA", "SealSource"]
