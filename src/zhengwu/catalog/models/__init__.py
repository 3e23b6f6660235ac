"""Catalogue models, one file per concept (基本目录, 实施清单与办事指南, 申请材料, 一件事)."""

from .base import BaseItem, ItemType
from .bundles import Bundle, BundleItem, BundleOption, BundleQuestion
from .imports import ImportJob
from .items import ItemVersion, ServiceItem
from .lexicon import SearchLexiconState, SearchLog, SearchSynonym
from .materials import Material
from .search import SearchIndexState, SearchPosting, SearchTerm

__all__ = ["BaseItem", "Bundle", "BundleItem", "BundleOption", "BundleQuestion", "ImportJob", "ItemType", "ItemVersion", "Material", "SearchIndexState",
           "SearchLexiconState", "SearchLog", "SearchPosting", "SearchSynonym", "SearchTerm", "ServiceItem"]
