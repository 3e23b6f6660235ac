"""数据共享 pages, one URL module per concern, under one namespace: the resource catalogue (with
三张清单, 信息系统普查, 开放数据), the base registries, 查询核验's pages and 共享申请/交换监控."""

from . import urls_catalogue, urls_registries, urls_sharing, urls_verify

app_name = "datashare"

urlpatterns = (urls_catalogue.urlpatterns + urls_registries.urlpatterns + urls_verify.urlpatterns
               + urls_sharing.urlpatterns)
