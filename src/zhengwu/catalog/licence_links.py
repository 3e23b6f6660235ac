"""Catalogue ↔ 证照类型: the licence type a material may be replaced by (可替代的电子证照) and the one
an item issues (办理结果), as references to :class:`zhengwu.licenses.models.LicenceType`.

The catalogue used to name them in text. :func:`link_all` turns the text into references (the
data migration catalog 0007 runs it with the historical models; the demo loader and service
callers that still pass a name use :func:`type_for_name`). A name no type carries registers one
(ADR 0035): holder kind guessed from the name and the item's 服务对象, code under the issuing
department's USCC when the catalogue names that department, else under the placeholder definer.
"""

from __future__ import annotations

from zhengwu.licenses import rules, use_rules


class TypeResolver:
    """Find or register licence types by name, with given model classes (historical in a
    migration, the real ones elsewhere). Remembers what it found: one query per new name."""

    def __init__(self, LicenceType, Department=None):
        self.LicenceType = LicenceType
        self.Department = Department
        self._by_name: dict[str, object] = {}
        self._codes: list[str] | None = None
        self.created: list[object] = []

    def get(self, name: str, *, service_object: str = "", department_name: str = ""):
        name = (name or "").strip()[:100]
        if not name:
            return None
        found = self._by_name.get(name)
        if found is not None:
            return found
        # 中华人民共和国居民身份证, 居民身份证（电子证照） and 居民身份证 are one type: found by the
        # name or its bare form, registered under the bare form.
        bare = rules.bare_name(name)
        found = (self.LicenceType.objects.filter(name__in={name, bare}).order_by("pk").first()
                 or self._by_name.get(bare))
        if found is None:
            found = self._create(bare, service_object, department_name)
        self._by_name[name] = self._by_name[bare] = found
        return found

    def _create(self, name: str, service_object: str, department_name: str):
        if self._codes is None:
            self._codes = list(self.LicenceType.objects.values_list("code", flat=True))
        definer, department = None, None
        if self.Department is not None and department_name:
            department = (self.Department.objects.filter(name=department_name.strip(), uscc__isnull=False)
                          .exclude(uscc="").order_by("pk").first())
            definer = department.uscc if department is not None else None
        code = use_rules.next_type_code(definer, self._codes)
        self._codes.append(code)
        lt = self.LicenceType.objects.create(code=code, name=name,
                                             holder_kind=use_rules.guess_holder_kind(name, service_object),
                                             is_active=True)
        if department is not None:
            lt.departments.add(department)
        self.created.append(lt)
        return lt


def type_for_name(name: str, *, service_object: str = "", department_name: str = ""):
    """The licence type called ``name`` (registered if none is): for callers that still pass text."""
    from zhengwu.licenses.models import LicenceType
    from zhengwu.org.models import Department

    return TypeResolver(LicenceType, Department).get(name, service_object=service_object,
                                                     department_name=department_name)


def link_all(Material, ItemVersion, LicenceType, Department=None, *, version_ids=None) -> dict[str, int]:
    """Set ``Material.licence_type`` from its text and ``ItemVersion.result_licence_type`` from its
    审批结果 of type 证照, where not set yet. ``version_ids`` limits it to some versions (demo).
    Returns counts (materials linked, versions linked, types registered)."""
    resolver = TypeResolver(LicenceType, Department)
    mats = Material.objects.filter(licence_type__isnull=True).exclude(license_type="")
    if version_ids is not None:
        mats = mats.filter(version_id__in=list(version_ids))
    # One registration per distinct name (the first material naming it says who issues it), one
    # update per name.
    first: dict[str, tuple[str, str]] = {}
    for text, service_object, dept in mats.order_by("pk").values_list("license_type", "version__service_object",
                                                                      "source_department").iterator(chunk_size=5000):
        first.setdefault(text, (service_object, dept))
    linked_materials = 0
    for text, (service_object, dept) in first.items():
        lt = resolver.get(text, service_object=service_object, department_name=dept)
        if lt is not None:
            linked_materials += mats.filter(license_type=text).update(licence_type=lt, license_type=lt.name)
    versions = ItemVersion.objects.filter(result_licence_type__isnull=True)
    if version_ids is not None:
        versions = versions.filter(pk__in=list(version_ids))
    by_name: dict[str, list[int]] = {}
    objects: dict[str, str] = {}
    for pk, results, service_object in versions.values_list("pk", "results", "service_object").iterator(chunk_size=5000):
        name = use_rules.licence_result_name(results)
        if name:
            by_name.setdefault(name, []).append(pk)
            objects.setdefault(name, service_object)
    linked_versions = 0
    for name, pks in by_name.items():
        lt = resolver.get(name, service_object=objects[name])
        for start in range(0, len(pks), 500):
            linked_versions += ItemVersion.objects.filter(pk__in=pks[start:start + 500]).update(result_licence_type=lt)
    return {"materials": linked_materials, "versions": linked_versions, "types": len(resolver.created)}
