"""数据共享 models, one module per concern."""

from .calls import CallDaily, QueryCall
from .catalogue import DataNeed, DataResource, InfoSystem, NegativeEntry, ProvideDuty, ResourceField, ResourceSnapshot
from .registries import ImportBatch, LegalEntityRecord, PersonRecord
from .sharing import ShareGrant, ShareRequest

__all__ = ["CallDaily", "DataNeed", "DataResource", "ImportBatch", "InfoSystem", "LegalEntityRecord", "NegativeEntry",
           "PersonRecord", "ProvideDuty", "QueryCall", "ResourceField", "ResourceSnapshot", "ShareGrant",
           "ShareRequest"]
