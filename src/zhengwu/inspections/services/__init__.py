"""The one write path of 监管, split by concern: ``registers`` (事项, 执法人员, 检查对象, 回避),
``plans`` (抽查计划, publish, draw, redraw), ``results`` (检查结果, 公示), ``verification``
(告知承诺 后核查)."""
