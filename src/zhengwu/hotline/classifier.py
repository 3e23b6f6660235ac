"""智能派单: suggest the category and the handling department of a ticket while it is typed.

Three sources, best first:

1. **Keyword rules** (:class:`~zhengwu.hotline.models.KeywordRule`) an administrator edits: every
   keyword of a rule occurs in the text → its category/department, confidence 0.99.
2. **The learned model** (:mod:`zhengwu.hotline.dispatch_model`, spec
   :data:`~zhengwu.hotline.dispatch_model.DEFAULT_SPEC`): character 1–3-grams, jieba words,
   the title weighted again and, per category, how many of the taxonomy's keywords the text
   holds; a linear SVM with balanced class weights, trained on the bureau's own history with
   ``zhengwu hotline train FILE``. The keywords are those of the taxonomy when the model is
   trained (saved inside it: edited keywords count from the next training). Confidence is a
   calibrated probability (softmax with a temperature fitted on held-out rows): of the tickets given 0.8, about 80 %
   are right. Below :func:`review_threshold` a ticket is marked 需人工 — a person dispatches
   it. Models saved before this change (no probabilities) still serve, with the old softmax
   score. The department is the one the history most often used for the category, else the
   taxonomy leaf's default.
3. **The taxonomy**: the keywords of the categories, when no model is trained yet.

Versions: every training writes a new file under ``DATA_DIR/hotline/models/`` and a
:class:`~zhengwu.hotline.models.ClassifierModel` row, then switches the active row in one
transaction. Each process keeps the model it loaded and checks, at most every
:data:`CHECK_SECONDS`, which version is active; a new one is loaded *before* it replaces the old
one, so serving never waits for training and never sees half a model.
"""

from __future__ import annotations

import collections
import datetime as dt
import os
import random
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from . import rules

CHECK_SECONDS = 5.0
# The taxonomy and the departments' names change by an administrator's hand, rarely; reading all
# of them (thousands of departments) every few seconds was a large share of the console's
# suggestion cost. The
# process that edits them reloads at once (invalidate()); the others within this many seconds.
TAXONOMY_CHECK_SECONDS = 60.0
MIN_SAMPLES = 20
SOFTMAX_SCALE = 3.0
# A ticket whose best confidence is below this goes to a person (需人工). Settings:
# HOTLINE_REVIEW_THRESHOLD. 0.5 with calibrated probabilities: below it the model thinks its
# first choice more likely wrong than right.
REVIEW_THRESHOLD = 0.5


def review_threshold() -> float:
    return float(getattr(settings, "HOTLINE_REVIEW_THRESHOLD", REVIEW_THRESHOLD))


class TrainingError(Exception):
    """Bad training data; the message is Chinese and names the row/column."""


@dataclass
class Sample:
    title: str
    content: str
    category: str  # a path, 1–3 levels
    department: str = ""

    @property
    def text(self) -> str:
        return f"{self.title}。{self.content}" if self.title else self.content


@dataclass
class Suggestion:
    category_path: str
    confidence: float
    source: str  # 规则 / 模型 / 分类关键词
    department_name: str = ""
    category_id: int | None = None
    department_id: int | None = None

    def as_dict(self) -> dict:
        return {"category": self.category_path, "category_id": self.category_id,
                "department": self.department_name, "department_id": self.department_id,
                "confidence": round(self.confidence, 3), "source": self.source,
                "needs_review": self.confidence < review_threshold()}


@dataclass
class Trained:
    pipeline: object
    labels: list[str]
    departments: dict[str, str]  # label → most frequent 承办单位
    samples: int
    test_samples: int
    accuracy: float | None
    top3_accuracy: float | None
    seconds: float = 0.0
    meta: dict = field(default_factory=dict)


# -- reading training files ----------------------------------------------------------------------
TITLE, CONTENT, CATEGORY, DEPT = "标题", "内容", "分类", "承办单位"


def read_samples(data: bytes, file_name: str) -> list[Sample]:
    from . import tables

    try:
        index, rows = tables.read(data, file_name, (CONTENT, CATEGORY))
    except tables.TableError as exc:
        raise TrainingError(exc.message + "（训练数据需要 标题、内容、分类 列，可选 承办单位）") from None
    out = []
    for _n, cells in rows:
        content = tables.cell(cells, index, CONTENT)
        category = "/".join(rules.split_path(tables.cell(cells, index, CATEGORY)))
        if not content or not category:
            continue  # blank rows and unlabelled tickets teach nothing
        out.append(Sample(tables.cell(cells, index, TITLE), content, category, tables.cell(cells, index, DEPT)))
    return out


@dataclass
class TicketTable:
    """A file to classify: its columns and every row, in order (``zhengwu hotline classify``)."""

    columns: list[str]
    rows: list[list[str]]
    index: dict[str, int]

    def get(self, row: list[str], name: str) -> str:
        i = self.index.get(name)
        return row[i] if i is not None and i < len(row) else ""

    def sample(self, row: list[str]) -> Sample:
        return Sample(self.get(row, TITLE), self.get(row, CONTENT), "/".join(rules.split_path(self.get(row, CATEGORY))))


def read_tickets(data: bytes, file_name: str) -> TicketTable:
    """New tickets: 标题 and/or 内容 (one of them may be missing, not both); 分类 is optional
    (then compared). Every row is kept, in the file's order, an empty one too (its answer is empty
    and goes to a person), so that the output lines up with the input; trailing empty rows go."""
    from . import tables

    found = None
    for needed in ((CONTENT,), (TITLE,)):
        try:
            found = tables.read(data, file_name, needed)
            break
        except tables.TableError as exc:
            if not exc.message.startswith("缺少必需的列"):
                raise TrainingError(exc.message) from None
            detail = exc.message.split("。", 1)[1] if "。" in exc.message else ""
    if found is None:
        raise TrainingError(f"缺少必需的列：需要“标题”或“内容”列（至少一列）。{detail}")
    index, raw = found
    width = max(index.values()) + 1
    rows = []
    for _n, cells in raw:
        row = [tables.cell(cells, {"c": i}, "c") for i in range(max(width, len(cells)))]
        rows.append(row)
        width = max(width, len(row))
    while rows and not any(rows[-1]):
        rows.pop()
    names = {i: n for n, i in index.items()}
    columns = [names.get(i) or f"列{i + 1}" for i in range(width)]
    return TicketTable(columns, [r + [""] * (width - len(r)) for r in rows], index)


def same_category(predicted: str, original: str) -> bool:
    """The prediction agrees with a (possibly shorter) original path: 城乡建设 ⊇ 城乡建设/物业管理/…"""
    return bool(original) and (predicted == original or predicted.startswith(original + "/"))


def read_file(path: str | os.PathLike) -> list[Sample]:
    p = Path(path)
    if not p.exists():
        raise TrainingError(f"文件不存在：{p}")
    return read_samples(p.read_bytes(), p.name)


# -- training ------------------------------------------------------------------------------------
def _pipeline(spec: str | None = None, keywords=()):
    from . import dispatch_model

    try:
        return dispatch_model.build(spec or dispatch_model.DEFAULT_SPEC, keywords)
    except ValueError as exc:
        raise TrainingError(str(exc)) from None


def _split(samples: list[Sample], test_share: float, seed: int) -> tuple[list[Sample], list[Sample]]:
    """A stratified split: each category keeps ``test_share`` of its rows for testing (categories
    with fewer than 5 rows are all used for training)."""
    by: dict[str, list[Sample]] = collections.defaultdict(list)
    for s in samples:
        by[s.category].append(s)
    rnd = random.Random(seed)
    train, test = [], []
    for label in sorted(by):
        rows = by[label][:]
        rnd.shuffle(rows)
        k = int(round(len(rows) * test_share)) if len(rows) >= 5 else 0
        test += rows[:k]
        train += rows[k:]
    return train, test


def _scores(pipeline, texts: list[str]):
    from . import dispatch_model

    return dispatch_model.probabilities(pipeline, texts)


def train(samples: list[Sample], *, test_share: float = 0.2, seed: int = 0, spec: str | None = None,
          keywords: list | None = None) -> Trained:
    """Fit on (1 − ``test_share``) of the rows, measure on the rest, then refit on everything.
    ``keywords`` ((category path, words) pairs) default to the taxonomy's in the database."""
    import numpy as np

    if keywords is None:
        keywords = taxonomy_keywords()
    started = time.monotonic()
    labels = sorted({s.category for s in samples})
    if len(samples) < MIN_SAMPLES:
        raise TrainingError(f"训练样本太少：至少需要 {MIN_SAMPLES} 条有内容和分类的记录，实际 {len(samples)} 条")
    if len(labels) < 2:
        raise TrainingError("训练数据至少需要两个不同的分类")
    accuracy = top3 = None
    train_rows, test_rows = _split(samples, test_share, seed) if test_share else (samples, [])
    if test_rows:
        p = _pipeline(spec, keywords)
        p.fit([s.text for s in train_rows], [s.category for s in train_rows])
        d = _scores(p, [s.text for s in test_rows])
        classes = list(p.classes_)
        order = np.argsort(-d, axis=1)
        truth = [classes.index(s.category) if s.category in classes else -1 for s in test_rows]
        accuracy = float(np.mean([order[i, 0] == t for i, t in enumerate(truth)]))
        top3 = float(np.mean([t in order[i, :3] for i, t in enumerate(truth)]))
    final = _pipeline(spec, keywords)
    final.fit([s.text for s in samples], [s.category for s in samples])
    depts: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    for s in samples:
        if s.department:
            depts[s.category][s.department] += 1
    from . import dispatch_model

    return Trained(final, labels, {k: c.most_common(1)[0][0] for k, c in depts.items()}, len(samples),
                   len(test_rows), accuracy, top3, round(time.monotonic() - started, 2),
                   meta={"spec": spec or dispatch_model.DEFAULT_SPEC,
                         "keywords": sum(len(ws) for _p, ws in keywords)
                         if dispatch_model.uses_keywords(spec or dispatch_model.DEFAULT_SPEC) else 0})


def models_dir() -> Path:
    d = Path(settings.DATA_DIR) / "hotline" / "models"
    d.mkdir(parents=True, exist_ok=True)
    return d


def save_version(trained: Trained, *, source: str = "", user=None):
    """Write the model file, add its row and make it the active one (atomically)."""
    import joblib

    from zhengwu.core import audit

    from .models import ClassifierModel

    for _attempt in range(3):
        version = (ClassifierModel.objects.order_by("-version").values_list("version", flat=True).first() or 0) + 1
        path = models_dir() / f"dispatch-v{version}-{timezone.now():%Y%m%d%H%M%S}.joblib"
        tmp = path.with_suffix(".tmp")
        joblib.dump({"pipeline": trained.pipeline, "labels": trained.labels, "departments": trained.departments,
                     "version": version, "spec": trained.meta.get("spec", "")}, tmp, compress=3)
        os.replace(tmp, path)
        try:
            with transaction.atomic():
                row = ClassifierModel.objects.create(
                    version=version, file=path.name, trained_at=timezone.now(), samples=trained.samples,
                    test_samples=trained.test_samples, accuracy=trained.accuracy, top3_accuracy=trained.top3_accuracy,
                    categories=len(trained.labels), source=str(source)[:300], trained_by=user,
                )
                ClassifierModel.objects.filter(is_active=True).update(is_active=False)
                ClassifierModel.objects.filter(pk=row.pk).update(is_active=True)
                row.is_active = True
                audit.record("hotline.model.train", actor=user, obj=row,
                             after={"version": version, "samples": trained.samples, "accuracy": trained.accuracy,
                                    "categories": len(trained.labels), "source": str(source)[:120],
                                    "spec": trained.meta.get("spec", ""), "keywords": trained.meta.get("keywords", 0)})
            return row
        except IntegrityError:
            path.unlink(missing_ok=True)  # another process took this version number: try the next
    raise TrainingError("保存模型失败：版本号冲突，请重试")


# -- serving -------------------------------------------------------------------------------------
class _Served:
    def __init__(self):
        self.lock = threading.Lock()
        self.version: int | None = None
        self.model: dict | None = None
        self.checked = 0.0
        self.rules: list | None = None
        self.rules_checked = 0.0
        self.taxonomy: dict | None = None
        self.taxonomy_checked = 0.0


_served = _Served()


def invalidate() -> None:
    """Forget what this process loaded (after training, rule or taxonomy changes here)."""
    _served.checked = _served.rules_checked = _served.taxonomy_checked = 0.0


def _load(row) -> dict | None:
    import joblib

    path = models_dir() / row.file
    if not path.exists():
        return None
    return joblib.load(path)


def active_model() -> dict | None:
    now = time.monotonic()
    if now - _served.checked < CHECK_SECONDS:
        return _served.model
    from .models import ClassifierModel

    row = ClassifierModel.objects.filter(is_active=True).only("version", "file").first()
    _served.checked = now
    if row is None:
        _served.model, _served.version = None, None
        return None
    if row.version != _served.version:
        with _served.lock:
            if row.version != _served.version:
                loaded = _load(row)  # the old model keeps serving until this is ready
                if loaded is not None:
                    _served.model, _served.version = loaded, row.version
    return _served.model


def _keyword_rules() -> list[tuple[tuple[str, ...], int | None, str, int | None, str]]:
    now = time.monotonic()
    if _served.rules is not None and now - _served.rules_checked < CHECK_SECONDS:
        return _served.rules
    from .models import KeywordRule

    out = []
    for r in KeywordRule.objects.filter(is_active=True).select_related("category", "department").order_by("priority", "pk"):
        words = tuple(w for w in r.keywords.replace("，", " ").replace(",", " ").split() if w)
        if words:
            out.append((words, r.category_id, r.category.path if r.category_id else "", r.department_id,
                        r.department.name if r.department_id else ""))
    _served.rules, _served.rules_checked = out, now
    return out


def _taxonomy() -> dict:
    """path → (category id, default department id, name) and the leaves' keywords; cached."""
    now = time.monotonic()
    if _served.taxonomy is not None and now - _served.taxonomy_checked < TAXONOMY_CHECK_SECONDS:
        return _served.taxonomy
    from zhengwu.org.models import Department

    from .models import Category

    by_path, keywords = {}, []
    for c in Category.objects.filter(is_active=True).select_related("department"):
        by_path[c.path] = (c.pk, c.department_id, c.department.name if c.department_id else "")
        if c.level == 3:
            words = rules.keyword_list(c.keywords) + [c.name]
            keywords.append((c.path, words))
    depts = {}
    for pk, name, short in Department.objects.filter(is_active=True).values_list("pk", "name", "short_name"):
        depts.setdefault(name, (pk, name))
        if short:
            depts.setdefault(short, (pk, name))
    _served.taxonomy = {"by_path": by_path, "keywords": keywords, "departments": depts}
    _served.taxonomy_checked = now
    return _served.taxonomy


def _resolve(s: Suggestion, tax: dict, model_dept: str = "", region_code: str = "") -> Suggestion:
    hit = tax["by_path"].get(s.category_path)
    if hit:
        s.category_id = hit[0]
        if not s.department_id and hit[1]:
            s.department_id, s.department_name = hit[1], hit[2]
    if not s.department_id and model_dept:
        d = tax["departments"].get(model_dept)
        s.department_name = d[1] if d else model_dept
        s.department_id = d[0] if d else None
    return s


def model_scores(model: dict, text: str, k: int = 3) -> list[tuple[str, float]]:
    """The model's top ``k`` (label, confidence); confidences of all labels sum to 1."""
    import numpy as np

    p = _scores(model["pipeline"], [text])[0]
    classes = model["pipeline"].classes_
    top = np.argsort(-p)[:k]
    return [(str(classes[i]), float(p[i])) for i in top]


# A model's second or third guess below this probability is noise (it showed as "0%" in the console).
MIN_ALTERNATIVE = 0.05


def suggest(text: str, k: int = 3) -> list[Suggestion]:
    """The top ``k`` suggestions for a ticket text (rules, then model, then taxonomy keywords); the
    model's guesses after the first only from ``MIN_ALTERNATIVE`` up."""
    text = (text or "").strip()
    if not text:
        return []
    tax = _taxonomy()
    out: list[Suggestion] = []
    seen: set[str] = set()
    for words, cat_id, path, dept_id, dept_name in _keyword_rules():
        if all(w in text for w in words):
            key = path or f"dept:{dept_id}"
            if key in seen:
                continue
            seen.add(key)
            out.append(_resolve(Suggestion(path, 0.99, "规则", dept_name, cat_id, dept_id), tax))
            if len(out) >= k:
                return out
    model = active_model()
    if model is not None:
        for label, p in model_scores(model, text, k):
            if label in seen or (out and p < MIN_ALTERNATIVE):
                continue
            seen.add(label)
            out.append(_resolve(Suggestion(label, p, "模型"), tax, model["departments"].get(label, "")))
    else:
        hits = []
        for path, words in tax["keywords"]:
            n = sum(1 for w in words if w and w in text)
            if n:
                hits.append((n, path))
        hits.sort(key=lambda h: (-h[0], h[1]))
        for n, path in hits[:k]:
            if path not in seen:
                seen.add(path)
                out.append(_resolve(Suggestion(path, min(0.9, 0.3 + 0.2 * n), "分类关键词"), tax))
    return out[:k]


def classify_rows(samples: list[Sample]) -> list[Suggestion | None]:
    """One top suggestion per row (``zhengwu hotline classify``); None for a row without text."""
    return [(suggest(s.text, 1) or [None])[0] if (s.title or s.content) else None for s in samples]


def timing(texts: list[str], repeat: int = 1) -> float:
    """Mean milliseconds per :func:`suggest` call over ``texts`` (after one warm-up)."""
    suggest(texts[0])
    started = time.perf_counter()
    for _ in range(repeat):
        for t in texts:
            suggest(t)
    return 1000 * (time.perf_counter() - started) / (len(texts) * repeat)


def taxonomy_file(taxonomy: str | os.PathLike) -> list[tuple[str, list[str]]]:
    """(category path, keywords + the leaf's name) for each row of a taxonomy file
    (一级分类/二级分类/三级分类/关键词, as ``import-categories`` reads it)."""
    from . import tables

    p = Path(taxonomy)
    if not p.exists():
        raise TrainingError(f"文件不存在：{p}")
    try:
        index, rows = tables.read(p.read_bytes(), p.name, ("一级分类",))
    except tables.TableError as exc:
        raise TrainingError(exc.message) from None
    out = []
    for _n, cells in rows:
        names = [tables.cell(cells, index, c) for c in ("一级分类", "二级分类", "三级分类")]
        path = "/".join(n for n in names if n)
        if path:
            out.append((path, rules.keyword_list(tables.cell(cells, index, "关键词")) + ([names[2]] if names[2] else [])))
    return out


def taxonomy_keywords(taxonomy: str | os.PathLike | None = None) -> list[tuple[str, list[str]]]:
    """The keywords the model's ``kw`` feature reads: from a taxonomy file when given, else the
    active leaves of the database's taxonomy (their 关键词 and name)."""
    if taxonomy:
        return taxonomy_file(taxonomy)
    return [(path, list(words)) for path, words in _taxonomy()["keywords"]]


def evaluation_rules(taxonomy: str | os.PathLike | None = None) -> list[tuple[tuple[str, ...], str]]:
    """Keyword rules to combine with the model in ``evaluate``: (words, category path). From a
    taxonomy file (each keyword and the leaf's name alone) when given, else from the database
    (active 派单规则 with a category, and the leaves' keywords)."""
    if taxonomy:
        return [((w,), path) for path, words in taxonomy_file(taxonomy) for w in words]
    out: list[tuple[tuple[str, ...], str]] = []
    for words, _cat, path, _dept, _name in _keyword_rules():
        if path:
            out.append((words, path))
    for path, words in _taxonomy()["keywords"]:
        out += [((w,), path) for w in words if w]
    return out


def describe(row) -> str:
    acc = f"{row.accuracy:.1%}" if row.accuracy is not None else "未测"
    top3 = f"，前三 {row.top3_accuracy:.1%}" if row.top3_accuracy is not None else ""
    when = timezone.localtime(row.trained_at).strftime("%Y-%m-%d %H:%M") if isinstance(row.trained_at, dt.datetime) else ""
    return f"v{row.version}（{when}，{row.samples} 条样本，{row.categories} 个分类，验证集准确率 {acc}{top3}）"
