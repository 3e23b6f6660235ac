"""开放数据: the published 无条件开放 resources, read through a CKAN-compatible Action API
(``/api/3/action/<name>`` and ``/api/action/<name>``, what the ``ckanapi`` client calls) and as a
DCAT catalogue (Turtle, RDF/XML, JSON-LD via rdflib).

What is shown is each resource's last *published* version (its :class:`ResourceSnapshot`):
metadata only — names, summary, provider, the 信息项 list — never a person's data.
"""

from __future__ import annotations

import json

from django.http import HttpResponse, JsonResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt

from zhengwu.org.models import Department

from . import catalogue_rules as rules
from .models import DataResource, ResourceSnapshot
from .models.catalogue import ShareType

CKAN_VERSION = "2.10.4"  # the Action API shape we follow (ckan.logic.action.get)
MAX_ROWS = 1000
SHARE_LABELS = dict(ShareType.choices)


# -- what is open ------------------------------------------------------------------------------------
def open_datasets() -> list[tuple[DataResource, dict]]:
    """(resource, last published snapshot data) of every open resource, by code."""
    resources = {r.pk: r for r in DataResource.objects.filter(version__gt=0)
                 .exclude(status=rules.WITHDRAWN).select_related("provider")}
    latest: dict[int, ResourceSnapshot] = {}
    for s in ResourceSnapshot.objects.filter(resource_id__in=list(resources)).order_by("resource_id", "version"):
        latest[s.resource_id] = s
    result = []
    for pk, snap in latest.items():
        r = resources[pk]
        if rules.is_open(snap.data.get("open_type", ""), r.status, r.version):
            result.append((r, {**snap.data, "pub_version": snap.version, "pub_at": snap.published_at}))
    return sorted(result, key=lambda x: x[1]["code"])


def package_name(code: str) -> str:
    """A CKAN dataset name (lowercase letters, digits, - and _) for a resource code."""
    return "zw-" + code.replace("/", "-")


def org_name(dept: Department) -> str:
    return (dept.uscc or f"dept-{dept.pk}").lower()


def _org(dept: Department, count: int | None = None) -> dict:
    d = {"id": org_name(dept), "name": org_name(dept), "title": dept.name, "display_name": dept.name,
         "description": "", "type": "organization", "is_organization": True, "state": "active",
         "approval_status": "approved", "image_url": ""}
    if count is not None:
        d["package_count"] = count
    return d


def _tags(data: dict) -> list[str]:
    return [t for t in (data.get("category"), data.get("format")) if t]


def package_dict(request, resource: DataResource, data: dict) -> dict:
    page = request.build_absolute_uri(reverse("datashare:open_detail", args=[resource.pk]))
    published = data["pub_at"].isoformat()
    fields = [{"key": f["key"], "name": f["name"], "data_type": f["data_type"], "length": f["length"],
               "personal": bool(f.get("personal"))} for f in data.get("fields", [])]
    return {
        "id": data["code"], "name": package_name(data["code"]), "title": data["name"], "notes": data["summary"],
        "type": "dataset", "state": "active", "private": False, "version": str(data["pub_version"]),
        "metadata_created": published, "metadata_modified": published, "url": page,
        "license_id": "", "license_title": "", "author": data["provider"], "maintainer": data["provider"],
        "owner_org": org_name(resource.provider), "organization": _org(resource.provider),
        "tags": [{"name": t, "display_name": t, "state": "active"} for t in _tags(data)],
        "num_tags": len(_tags(data)), "groups": [],
        "extras": [{"key": "资源代码", "value": data["code"]},
                   {"key": "共享类型", "value": SHARE_LABELS.get(data["share_type"], data["share_type"])},
                   {"key": "更新周期", "value": data.get("update_cycle", "")},
                   {"key": "信息项", "value": json.dumps(fields, ensure_ascii=False)}],
        "resources": [{"id": f"{data['code']}#metadata", "package_id": data["code"], "name": f"{data['name']}（元数据）",
                       "format": data.get("format") or "", "url": page, "description": "资源目录元数据（信息项清单）",
                       "state": "active", "position": 0}],
        "num_resources": 1,
    }


# -- CKAN Action API ---------------------------------------------------------------------------------
class ActionError(Exception):
    def __init__(self, status: int, kind: str, message: str, extra: dict | None = None):
        super().__init__(message)
        self.status, self.kind, self.message, self.extra = status, kind, message, extra or {}


def _int(params: dict, key: str, default: int, *, top: int = MAX_ROWS) -> int:
    value = params.get(key, default)
    try:
        n = int(value)
    except (TypeError, ValueError):
        raise ActionError(409, "Validation Error", f"{key}: 应为整数", {key: ["Invalid integer"]}) from None
    if n < 0:
        raise ActionError(409, "Validation Error", f"{key}: 不能为负数", {key: ["Must be a natural number"]})
    return min(n, top)


def _find(request, ident: str) -> dict:
    if not ident:
        raise ActionError(409, "Validation Error", "id: 缺少参数", {"id": ["Missing value"]})
    for r, data in open_datasets():
        if ident in (data["code"], package_name(data["code"])):
            return package_dict(request, r, data)
    raise ActionError(404, "Not Found Error", "Not found: 未找到该开放数据集")


def _matches(pkg: dict, q: str, fq: str) -> bool:
    if q and q not in ("*:*", "*"):
        text = " ".join([pkg["title"], pkg["notes"], pkg["id"], pkg["name"], pkg["author"]]
                        + [t["name"] for t in pkg["tags"]]).lower()
        if not all(word in text for word in q.lower().split()):
            return False
    for clause in fq.split():
        key, _, value = clause.partition(":")
        value = value.strip('"')
        if key in ("organization", "owner_org") and pkg["owner_org"] != value:
            return False
        if key == "tags" and value not in [t["name"] for t in pkg["tags"]]:
            return False
        if key == "res_format" and value.lower() not in [r["format"].lower() for r in pkg["resources"]]:
            return False
        if key == "name" and pkg["name"] != value:
            return False
    return True


def _orgs() -> dict[str, tuple[Department, int]]:
    found: dict[str, tuple[Department, int]] = {}
    for r, _data in open_datasets():
        name = org_name(r.provider)
        found[name] = (r.provider, found.get(name, (r.provider, 0))[1] + 1)
    return dict(sorted(found.items()))


def _package_list(request, p):
    names = [package_name(d["code"]) for _r, d in open_datasets()]
    offset, limit = _int(p, "offset", 0, top=10**9), p.get("limit")
    return names[offset:offset + _int(p, "limit", MAX_ROWS)] if limit is not None else names[offset:]


def _package_search(request, p):
    rows, start = _int(p, "rows", 10), _int(p, "start", 0, top=10**9)
    q, fq = str(p.get("q") or ""), str(p.get("fq") or "")
    pkgs = [pkg for pkg in (package_dict(request, r, d) for r, d in open_datasets()) if _matches(pkg, q, fq)]
    return {"count": len(pkgs), "results": pkgs[start:start + rows], "sort": "score desc, metadata_modified desc",
            "facets": {}, "search_facets": {}}


def _current_with_resources(request, p):
    limit, offset = _int(p, "limit", 10), _int(p, "offset", _int(p, "page", 0, top=10**6), top=10**9)
    return [package_dict(request, r, d) for r, d in open_datasets()][offset:offset + limit]


def _organization_list(request, p):
    orgs = _orgs()
    if str(p.get("all_fields", "")).lower() in ("true", "1"):
        return [_org(dept, n) for dept, n in orgs.values()]
    return list(orgs)


def _organization_show(request, p):
    ident = str(p.get("id") or "")
    if not ident:
        raise ActionError(409, "Validation Error", "id: 缺少参数", {"id": ["Missing value"]})
    orgs = _orgs()
    if ident not in orgs:
        raise ActionError(404, "Not Found Error", "Not found: 未找到该组织")
    dept, n = orgs[ident]
    result = _org(dept, n)
    if str(p.get("include_datasets", "")).lower() in ("true", "1"):
        result["packages"] = [package_dict(request, r, d) for r, d in open_datasets() if r.provider_id == dept.pk]
    return result


def _tag_list(request, p):
    tags = sorted({t for _r, d in open_datasets() for t in _tags(d)})
    query = str(p.get("query") or "")
    return [t for t in tags if query in t]


def _status_show(request, p):
    return {"site_title": "政务数据开放", "site_description": "政务信息资源目录中无条件开放的资源（元数据）",
            "site_url": request.build_absolute_uri("/").rstrip("/"), "ckan_version": CKAN_VERSION,
            "error_emails_to": None, "locale_default": "zh_Hans_CN", "extensions": []}


ACTIONS = {
    "package_list": _package_list,
    "package_show": lambda request, p: _find(request, str(p.get("id") or p.get("name_or_id") or "")),
    "package_search": _package_search,
    "current_package_list_with_resources": _current_with_resources,
    "organization_list": _organization_list,
    "organization_show": _organization_show,
    "tag_list": _tag_list,
    "status_show": _status_show,
}


def _params(request) -> dict:
    params = {k: v for k, v in request.GET.items()}
    if request.method == "POST":
        if request.content_type == "application/json" or request.body[:1] == b"{":
            try:
                body = json.loads(request.body or b"{}")
            except ValueError:
                raise ActionError(400, "Bad Request", "Bad request - JSON Error: 请求体不是合法的 JSON") from None
            if not isinstance(body, dict):
                raise ActionError(400, "Bad Request", "Bad request - JSON Error: 请求体应为 JSON 对象")
            params.update(body)
        else:
            params.update(request.POST.items())
    return params


@csrf_exempt  # a public read-only API without cookies: nothing for a forged request to abuse
def action(request, name: str):
    help_url = request.build_absolute_uri(f"/api/3/action/help_show?name={name}")
    try:
        if request.method not in ("GET", "POST"):
            raise ActionError(405, "Bad Request", f"Bad request - 不支持 {request.method} 请求")
        fn = ACTIONS.get(name)
        if fn is None:
            raise ActionError(400, "Bad Request", f"Bad request - Action name not known: {name}")
        body = {"help": help_url, "success": True, "result": fn(request, _params(request))}
        status = 200
    except ActionError as exc:
        body = {"help": help_url, "success": False,
                "error": {"message": exc.message, "__type": exc.kind, **exc.extra}}
        status = exc.status
    response = JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})
    response["Access-Control-Allow-Origin"] = "*"
    return response


# -- DCAT ----------------------------------------------------------------------------------------------
DCAT_FORMATS = {"ttl": ("turtle", "text/turtle; charset=utf-8"),
                "rdf": ("xml", "application/rdf+xml; charset=utf-8"),
                "jsonld": ("json-ld", "application/ld+json; charset=utf-8")}


def dcat_graph(request):
    """The open resources as a DCAT catalogue (W3C DCAT 2: dcat:Catalog, dcat:Dataset,
    dcat:Distribution, foaf:Organization publishers)."""
    from rdflib import BNode, Graph, Literal, Namespace, URIRef
    from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, XSD

    base = request.build_absolute_uri("/").rstrip("/")
    zw = Namespace(f"{base}/open-data/")
    g = Graph()
    g.bind("dcat", DCAT)
    g.bind("dct", DCTERMS)
    g.bind("foaf", FOAF)
    catalog = URIRef(f"{base}/open-data/catalog")
    g.add((catalog, RDF.type, DCAT.Catalog))
    g.add((catalog, DCTERMS.title, Literal("政务数据开放目录", lang="zh")))
    g.add((catalog, DCTERMS.description, Literal("政务信息资源目录中无条件开放的资源（元数据）", lang="zh")))
    for r, data in open_datasets():
        ds = URIRef(request.build_absolute_uri(reverse("datashare:open_detail", args=[r.pk])))
        publisher = zw[f"org/{org_name(r.provider)}"]
        g.add((catalog, DCAT.dataset, ds))
        g.add((ds, RDF.type, DCAT.Dataset))
        g.add((ds, DCTERMS.identifier, Literal(data["code"])))
        g.add((ds, DCTERMS.title, Literal(data["name"], lang="zh")))
        if data.get("summary"):
            g.add((ds, DCTERMS.description, Literal(data["summary"], lang="zh")))
        g.add((ds, DCTERMS.issued, Literal(data["pub_at"].isoformat(), datatype=XSD.dateTime)))
        g.add((ds, DCTERMS.publisher, publisher))
        g.add((publisher, RDF.type, FOAF.Organization))
        g.add((publisher, FOAF.name, Literal(r.provider.name, lang="zh")))
        for tag in _tags(data):
            g.add((ds, DCAT.keyword, Literal(tag, lang="zh")))
        if data.get("update_cycle"):
            g.add((ds, DCTERMS.accrualPeriodicity, Literal(data["update_cycle"], lang="zh")))
        dist = BNode()
        g.add((ds, DCAT.distribution, dist))
        g.add((dist, RDF.type, DCAT.Distribution))
        g.add((dist, DCAT.accessURL, ds))
        if data.get("format"):
            g.add((dist, DCTERMS["format"], Literal(data["format"])))
    return g


def dcat_catalog(request, fmt: str):
    rdf_format, content_type = DCAT_FORMATS[fmt]
    return HttpResponse(dcat_graph(request).serialize(format=rdf_format), content_type=content_type)
