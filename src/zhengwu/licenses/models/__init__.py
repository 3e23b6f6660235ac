"""电子证照 models: the registry (types, licences, their events, shows and uses)."""

from .licences import Licence, LicenceEvent, LicenceShow, LicenceType, LicenceUse

__all__ = ["Licence", "LicenceEvent", "LicenceShow", "LicenceType", "LicenceUse"]
