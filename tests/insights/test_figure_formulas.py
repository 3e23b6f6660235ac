"""Domain figures pages show the registry's 口径 (one definition) of every figure the registry
holds, with a link to the 指标口径 page; the domain's own text stays only for figures the registry
does not hold."""

import html as htmlmod

import pytest
from django.template import Context, Template

from zhengwu.cases.services import figures as case_svc
from zhengwu.hotline import figure_rules
from zhengwu.insights import registry
from zhengwu.ratings import rules as rating_rules

pytestmark = pytest.mark.django_db
PAGES = {"cases": "/workbench/cases/figures/", "hotline": "/workbench/hotline/figures/",
         "ratings": "/workbench/ratings/figures/"}


def domain_texts():
    """(domain, key) → the domain's own definition text."""
    texts = {("cases", k): v[2] for k, v in case_svc.DEFINITIONS.items()}
    texts.update({("hotline", k): words for k, _t, words in figure_rules.DEFINITIONS})
    texts.update({("ratings", k): v[2] for k, v in rating_rules.DEFINITIONS.items()})
    return texts


def test_tag_reads_the_registry_with_a_fallback():
    t = Template('{% load figures %}{% figure_formula "cases.on_time_rate" %}|{% figure_formula "cases" k fb %}|'
                 '{% figure_name "cases" "accepted" %}')
    out = t.render(Context({"k": "avg_workdays", "fb": "自己的口径"}))
    assert out == f'{htmlmod.escape(registry.get("cases.on_time_rate").formula)}|自己的口径|受理量'


@pytest.mark.parametrize("domain", sorted(PAGES))
def test_pages_show_the_registry_formula_not_a_second_copy(domain, client, leader):
    client.force_login(leader)
    r = client.get(PAGES[domain])
    assert r.status_code == 200
    page = htmlmod.unescape(r.content.decode())
    texts = domain_texts()
    shown = [f for f in registry.figures() if f.key.split(".")[0] == domain and (domain, f.key.split(".")[1]) in texts]
    assert shown, domain
    for f in shown:
        assert f.formula in page, f.key
        own = texts[(domain, f.key.split(".")[1])]
        if own != f.formula:
            assert own not in page, f"{f.key}: the domain's second text is still shown"
    assert 'id="figures-page-link"' in page and 'href="/workbench/insights/figures/"' in page


def test_the_link_to_the_figures_page_is_for_its_readers_only(client, make_staff, district):
    clerk = make_staff("window", region=district)
    client.force_login(clerk)
    r = client.get(PAGES["cases"])
    assert r.status_code == 200 and 'id="figures-page-link"' not in r.content.decode()


def test_queueing_licences_and_inspections_pages_print_the_registry_formula():
    from zhengwu.inspections import views_results_figures
    from zhengwu.licenses import views_use
    from zhengwu.queueing import views_supervision

    for module, key, label in ((views_supervision, "queueing.avg_wait", "平均等待（分钟）"),
                               (views_use, "licenses.uses", "用证次数"),
                               (views_results_figures, "inspections.coverage", "抽查覆盖率")):
        texts = dict(module._definitions())
        assert texts[label] == registry.get(key).formula, key
        assert len(texts) > 1  # the figures the registry does not hold keep the domain's own text
