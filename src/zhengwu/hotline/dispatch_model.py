"""The dispatch model itself: features, classifier, k-fold measurement and keyword combination.

:mod:`zhengwu.hotline.classifier` trains, versions and serves; this module says *what* is
trained and measures it (``zhengwu hotline evaluate FILE --folds 5``). A model is named by a
spec ``CLASSIFIER:FEATURES[:balanced]``:

* CLASSIFIER — ``svc`` (``LinearSVC``; confidence = softmax of its decision values, a relative
  score), ``lr`` (``LogisticRegression``; a probability), ``cal`` (``LinearSVC`` calibrated
  with ``CalibratedClassifierCV(method="sigmoid")``; a probability). A number after it sets C
  (``lr20``).
* FEATURES, joined by ``+`` — ``char`` (character 1–3-grams of the whole text: no word cutting,
  tolerates typos), ``word`` (jieba words and word pairs), ``title`` (character 1–3-grams of
  the first sentence — the title when the text is ``标题。内容`` — weighted again, because a
  citizen's title names the problem while the details wander), ``kw`` (per class, how many of
  the taxonomy's 关键词 for that class the text holds: :class:`KeywordHits`; the keywords are
  given to :func:`build` and saved inside the model).
* ``balanced`` — ``class_weight="balanced"``: a small category weighs as much as a large one.

:data:`DEFAULT_SPEC` is the one ``train`` uses; the figures that chose it are in
``docs/hotline-dispatch-model.md``.
"""

from __future__ import annotations

import collections
import gc
import re
import statistics
import time
from dataclasses import dataclass, field

DEFAULT_SPEC = "tsvc:char+word+title+kw:balanced"
BASELINE_SPEC = "svc0.5:char"  # the model before issue 28
SOFTMAX_SCALE = 3.0
TITLE_WEIGHT = 0.7
HEAD_CHARS = 40
# Only the first MAX_CHARS characters are read: a citizen states the problem first, and the
# features cost time in proportion to the length (a 1,500-character letter took ~7 ms in full).
MAX_CHARS = 400
_HEAD_END = re.compile(r"[。！？!?\n]")


# -- features (module-level functions: a saved model pickles references to them) ----------------
def head(text: str) -> str:
    """The first sentence (at most :data:`HEAD_CHARS` characters): the title of ``标题。内容``."""
    text = (text or "").strip()
    m = _HEAD_END.search(text, 0, HEAD_CHARS + 1)
    return text[: m.start()] if m else text[:HEAD_CHARS]


def clip(text: str) -> str:
    return (text or "")[:MAX_CHARS].lower()


def heads(texts):
    return [head(t) for t in texts]




def words(text: str) -> list[str]:
    """jieba words, punctuation dropped, from the app's plain tokenizer (:mod:`.text`): words another
    module adds to jieba's shared dictionary must not change what a trained model sees."""
    from .text import tokenizer

    return [w for w in tokenizer().lcut(text or "") if w.strip() and not _PUNCT.fullmatch(w)]


_PUNCT = re.compile(r"[\W_]+")


def _vectorizers(features: list[str], keywords=()):
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import FunctionTransformer

    parts, weights = [], {}
    for f in features:
        if f == "char":
            parts.append(("char", TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True, min_df=2,
                                                  max_features=300_000, dtype=np.float32, preprocessor=clip)))
        elif f == "word":
            parts.append(("word", TfidfVectorizer(tokenizer=words, token_pattern=None, preprocessor=clip,
                                                  ngram_range=(1, 2), sublinear_tf=True, min_df=2,
                                                  max_features=200_000, dtype=np.float32)))
        elif f == "title":
            parts.append(("title", make_pipeline(
                FunctionTransformer(heads),
                TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True, min_df=2, dtype=np.float32))))
            weights["title"] = TITLE_WEIGHT
        elif f == "kw":
            parts.append(("kw", KeywordHits(tuple(keywords))))
            weights["kw"] = KW_WEIGHT
        else:
            raise ValueError(f"未知的特征：{f}（可选 char、word、title、kw）")
    return parts, weights


def _parse(spec: str) -> tuple[str, list[str], bool]:
    """``CLASSIFIER:FEATURES[:balanced]`` → (classifier, features, balanced)."""
    bits = spec.split(":")
    return bits[0], (bits[1] if len(bits) > 1 else "char").split("+"), "balanced" in bits[2:]


def uses_keywords(spec: str) -> bool:
    """Whether the model named by ``spec`` reads the taxonomy's keywords (the ``kw`` feature)."""
    return "kw" in _parse(spec)[1]


def build(spec: str = DEFAULT_SPEC, keywords=()):
    """A fresh, untrained sklearn pipeline for ``spec`` (see the module docstring); ``keywords``
    — (category path, words) pairs from the taxonomy — feed the ``kw`` feature."""
    from sklearn.pipeline import FeatureUnion, Pipeline

    clf_name, features, balanced = _parse(spec)
    m = re.fullmatch(r"(svc|lr|cal|tsvc)([0-9.]*)", clf_name)
    if not m:
        raise ValueError(f"未知的分类器：{clf_name}（可选 svc、lr、cal、tsvc，可带 C 值，如 lr20）")
    kind, c = m.group(1), float(m.group(2)) if m.group(2) else None
    cw = "balanced" if balanced else None
    if kind == "lr":
        from sklearn.linear_model import LogisticRegression

        clf = LogisticRegression(C=c or 20.0, class_weight=cw, max_iter=2000)
    elif kind == "tsvc":
        clf = TemperatureSVC(C=c or 0.5, class_weight=cw)
    else:
        from sklearn.svm import LinearSVC

        clf = LinearSVC(C=c or 0.5, class_weight=cw)
        if kind == "cal":
            from sklearn.calibration import CalibratedClassifierCV

            clf = CalibratedClassifierCV(clf, method="sigmoid", cv=3)
    parts, weights = _vectorizers(features, keywords)
    union = parts[0][1] if len(parts) == 1 else FeatureUnion(parts, transformer_weights=weights or None)
    return Pipeline([("features", union), ("clf", clf)])


from sklearn.base import BaseEstimator, ClassifierMixin, TransformerMixin  # noqa: E402  (saved models' classes)

KW_WEIGHT = 1.0  # chosen on the hand-written 7-class set (docs/hotline-dispatch-model.md)
KW_CAP = 3


class KeywordHits(TransformerMixin, BaseEstimator):
    """One feature per class: how many of the taxonomy's keywords for that class the text holds
    (capped at :data:`KW_CAP`, scaled to 0–1). ``keywords`` are (category path, words) pairs; a
    path counts for the class it falls in (:func:`label_for`). The classifier learns how far to
    trust them — a prior that also covers words the training tickets never used."""

    def __init__(self, keywords=()):
        self.keywords = keywords

    def fit(self, X, y=None):
        import numpy as np

        classes = sorted(set(np.asarray(y).tolist())) if y is not None else []
        by = collections.defaultdict(set)
        for path, ws in self.keywords:
            label = label_for(path, classes)
            if label is not None:
                by[label].update(w.lower() for w in ws if len(w) >= 2)
        self.classes_ = classes
        self.words_ = [sorted(by.get(c, ())) for c in classes]
        index = collections.defaultdict(list)
        for j, ws in enumerate(self.words_):
            for w in ws:
                index[w].append(j)
        self.index_ = dict(index)
        self.lengths_ = sorted({len(w) for w in index})
        return self

    def transform(self, X):
        import numpy as np
        from scipy import sparse

        # Look up every substring of a keyword's length: the cost follows the text, not the
        # number of keywords (a city's taxonomy has thousands).
        out = np.zeros((len(X), len(self.classes_)), dtype=np.float32)
        index, lengths = self.index_, self.lengths_
        for i, t in enumerate(X):
            t = clip(t)
            seen = set()
            for n in lengths:
                for k in range(len(t) - n + 1):
                    w = t[k:k + n]
                    if w in index and w not in seen:
                        seen.add(w)
                        for j in index[w]:
                            out[i, j] += 1
        np.minimum(out, KW_CAP, out=out)
        out /= KW_CAP
        return sparse.csr_matrix(out)


class TemperatureSVC(ClassifierMixin, BaseEstimator):
    """``LinearSVC`` whose confidences are calibrated probabilities: softmax(decision / T), with
    the temperature T fitted (least log-loss) on out-of-fold decision values of the training
    rows. One number to learn and one division to serve — the sigmoid calibration of
    ``CalibratedClassifierCV`` gives alike probabilities at several times the latency."""

    def __init__(self, C=0.5, class_weight=None, cv=3):
        self.C = C
        self.class_weight = class_weight
        self.cv = cv

    def _svc(self):
        from sklearn.svm import LinearSVC

        return LinearSVC(C=self.C, class_weight=self.class_weight)

    def fit(self, X, y):
        import numpy as np
        from sklearn.model_selection import StratifiedKFold, cross_val_predict

        y = np.asarray(y)
        self.svc_ = self._svc().fit(X, y)
        self.classes_ = self.svc_.classes_
        folds = min(self.cv, int(min(np.unique(y, return_counts=True)[1])))
        if folds >= 2:
            d = cross_val_predict(self._svc(), X, y, cv=StratifiedKFold(folds, shuffle=True, random_state=0),
                                  method="decision_function")
            self.temperature_ = _fit_temperature(_as_2d(d), np.searchsorted(self.classes_, y))
        else:
            self.temperature_ = 1.0 / SOFTMAX_SCALE
        return self

    def decision_function(self, X):
        return self.svc_.decision_function(X)

    def predict_proba(self, X):
        return _softmax(_as_2d(self.svc_.decision_function(X)) / self.temperature_)

    def predict(self, X):
        return self.svc_.predict(X)


def _as_2d(d):
    import numpy as np

    return np.vstack([-d, d]).T if d.ndim == 1 else d


def _softmax(z):
    import numpy as np

    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _fit_temperature(d, truth) -> float:
    """The T (0.01–10, log grid then refined) that minimises the log-loss of softmax(d / T)."""
    import numpy as np

    def loss(t):
        p = _softmax(d / t)[np.arange(len(truth)), truth]
        return -np.mean(np.log(np.clip(p, 1e-12, 1)))

    grid = np.geomspace(0.01, 10, 61)
    best = grid[int(np.argmin([loss(t) for t in grid]))]
    fine = np.geomspace(best / 1.25, best * 1.25, 21)
    return float(fine[int(np.argmin([loss(t) for t in fine]))])


def features(pipeline, texts: list[str]):
    """The feature matrix of ``texts`` — what ``Pipeline``/``FeatureUnion`` compute, without
    their per-call checks (they cost more than the features for a single ticket)."""
    from scipy import sparse
    from sklearn.pipeline import FeatureUnion

    step = pipeline.steps[0][1]
    if not isinstance(step, FeatureUnion):
        return step.transform(texts)
    weights = step.transformer_weights or {}
    parts = []
    for name, tr in step.transformer_list:
        if tr == "drop":
            continue
        x = tr.transform(texts)
        parts.append(x * weights[name] if name in weights else x)
    return sparse.hstack(parts).tocsr()


def probabilities(pipeline, texts: list[str]):
    """(n, classes) confidences: the model's probabilities, or — for a model without them (an
    ``svc`` model, or one trained before issue 28) — a softmax of its decision values."""
    import numpy as np
    import sklearn

    # Our own tf-idf and count features are finite and well-formed: sklearn's per-call input
    # and parameter checks cost ~15 % of a single ticket's time.
    with sklearn.config_context(assume_finite=True, skip_parameter_validation=True):
        if len(getattr(pipeline, "steps", ())) == 2:
            x, clf = features(pipeline, texts), pipeline.steps[-1][1]
        else:
            x, clf = texts, pipeline
        if hasattr(clf, "predict_proba"):
            return clf.predict_proba(x)
        d = clf.decision_function(x)
    if d.ndim == 1:
        d = np.vstack([-d, d]).T
    e = np.exp(SOFTMAX_SCALE * (d - d.max(axis=1, keepdims=True)))
    return e / e.sum(axis=1, keepdims=True)


# -- keyword rules combined with the model -------------------------------------------------------
RULE_MODES = ("none", "boost", "override")
RULE_BOOST = 1.0
RULE_OVERRIDE_CONFIDENCE = 0.99


def label_for(path: str, classes) -> str | None:
    """The class a rule's category path falls in: the path itself or its nearest ancestor (a
    model trained on first-level labels gets 城乡建设 for 城乡建设/物业管理/物业服务纠纷)."""
    names = set(classes)
    parts = path.split("/")
    for n in range(len(parts), 0, -1):
        p = "/".join(parts[:n])
        if p in names:
            return p
    return None


def combine(proba, classes, text: str, rules: list[tuple[tuple[str, ...], str]], mode: str = "boost"):
    """Apply keyword ``rules`` ((words, category path): every word occurs → that category) to one
    row of probabilities. ``boost`` multiplies a matched class by (1 + :data:`RULE_BOOST`) per
    matching rule and renormalises; ``override`` puts the first matching rule's class at
    :data:`RULE_OVERRIDE_CONFIDENCE` (what the console does with an administrator's rule)."""
    import numpy as np

    if mode == "none" or not rules:
        return proba
    index = {c: i for i, c in enumerate(classes)}
    hits = collections.Counter()
    first = None
    for ws, path in rules:
        if all(w in text for w in ws):
            label = label_for(path, classes)
            if label is not None:
                hits[index[label]] += 1
                first = index[label] if first is None else first
    if not hits:
        return proba
    p = np.array(proba, dtype=float)
    if mode == "override":
        rest = 1.0 - RULE_OVERRIDE_CONFIDENCE
        others = p.sum() - p[first]
        p = p * (rest / others) if others > 0 else p * 0
        p[first] = RULE_OVERRIDE_CONFIDENCE
        return p
    for i, n in hits.items():
        p[i] *= 1.0 + RULE_BOOST * n
    return p / p.sum()


# -- k-fold measurement --------------------------------------------------------------------------
@dataclass
class Evaluation:
    spec: str
    folds: int
    samples: int
    labels: list[str]
    accuracy: float
    macro_f1: float
    per_class: dict[str, tuple[float, int]]  # label → (F1, support)
    threshold: float
    to_person: float  # share of tickets below the threshold
    accuracy_rest: float | None  # accuracy of the tickets above it
    ms_mean: float
    ms_p95: float
    fit_seconds: float
    rules: str = "none"
    mean_confidence: float = 0.0
    calibration_error: float = 0.0  # expected calibration error, 10 bins: 0 = confidence is accuracy
    extra: dict = field(default_factory=dict)


TIMING_REPEATS = 3


def kfold(samples, *, spec: str = DEFAULT_SPEC, folds: int = 5, threshold: float = 0.5, seed: int = 0,
          rules: list | None = None, rule_mode: str = "none", timing_rows: int = 200, keywords=()) -> Evaluation:
    """Stratified k-fold: every row is predicted once by a model that did not see it."""
    import numpy as np
    from sklearn.model_selection import StratifiedKFold

    texts = [s.text for s in samples]
    y = np.array([s.category for s in samples])
    counts = collections.Counter(y)
    small = [label for label, n in counts.items() if n < folds]
    if small:
        raise ValueError(f"分类“{small[0]}”只有 {counts[small[0]]} 条，少于折数 {folds}：请合并该分类或减少 --folds")
    pred = np.empty(len(y), dtype=object)
    conf = np.zeros(len(y))
    fit_seconds = 0.0
    model = None
    for train_idx, test_idx in StratifiedKFold(folds, shuffle=True, random_state=seed).split(texts, y):
        model, seconds = _fit(spec, keywords, [texts[i] for i in train_idx], y[train_idx])
        fit_seconds += seconds
        _predict(model, [texts[i] for i in test_idx], rules, rule_mode, pred, conf, test_idx)
    return _evaluation(spec, folds, y, pred, conf, model, texts[:timing_rows], threshold, rules, rule_mode,
                       fit_seconds / folds)


def holdout(train_samples, test_samples, *, spec: str = DEFAULT_SPEC, threshold: float = 0.5,
            rules: list | None = None, rule_mode: str = "none", timing_rows: int = 200, keywords=()) -> Evaluation:
    """One model fitted on ``train_samples``, measured on ``test_samples`` (another file: a set
    written apart from the one the model and its settings were chosen on). ``folds`` is 0."""
    import numpy as np

    y_train = np.array([s.category for s in train_samples])
    test_texts = [s.text for s in test_samples]
    y = np.array([s.category for s in test_samples])
    unknown = sorted(set(y) - set(y_train))
    if unknown:
        raise ValueError(f"测试文件的分类“{unknown[0]}”不在训练文件中：两份文件须用同一套分类")
    model, seconds = _fit(spec, keywords, [s.text for s in train_samples], y_train)
    pred = np.empty(len(y), dtype=object)
    conf = np.zeros(len(y))
    _predict(model, test_texts, rules, rule_mode, pred, conf, range(len(y)))
    return _evaluation(spec, 0, y, pred, conf, model, test_texts[:timing_rows], threshold, rules, rule_mode, seconds)


def _fit(spec, keywords, texts, y):
    model = build(spec, keywords)
    t0 = time.perf_counter()
    model.fit(texts, y)
    return model, time.perf_counter() - t0


def _predict(model, texts, rules, rule_mode, pred, conf, where) -> None:
    import numpy as np

    classes = list(model.classes_)
    for row, t, i in zip(probabilities(model, texts), texts, where, strict=True):
        row = combine(row, classes, t, rules or [], rule_mode)
        k = int(np.argmax(row))
        pred[i], conf[i] = classes[k], float(row[k])


def _evaluation(spec, folds, y, pred, conf, model, timing_texts, threshold, rules, rule_mode, fit_seconds):
    import numpy as np
    from sklearn.metrics import accuracy_score, f1_score

    counts = collections.Counter(y)
    labels = sorted(counts)
    # Single-ticket latency: one call per ticket, as the console makes it (features + model + rules);
    # each ticket's fastest of TIMING_REPEATS calls with the garbage collector paused (as ``timeit``
    # does), so that a collection of the folds' garbage or another process's burst on a shared
    # machine is not counted as the model's cost.
    times = []
    classes = list(model.classes_)
    gc.collect()
    gc.disable()
    try:
        for t in timing_texts:
            best = float("inf")
            for _ in range(TIMING_REPEATS):
                t0 = time.perf_counter()
                combine(probabilities(model, [t])[0], classes, t, rules or [], rule_mode)
                best = min(best, time.perf_counter() - t0)
            times.append(1000 * best)
    finally:
        gc.enable()
    times = sorted(times[1:] or times)
    f1 = f1_score(y, pred.astype(str), labels=labels, average=None, zero_division=0)
    sure = conf >= threshold
    return Evaluation(
        spec=spec, folds=folds, samples=len(y), labels=labels,
        accuracy=float(accuracy_score(y, pred.astype(str))),
        macro_f1=float(np.mean(f1)),
        per_class={label: (float(f), counts[label]) for label, f in zip(labels, f1, strict=True)},
        threshold=threshold, to_person=float(1 - sure.mean()),
        accuracy_rest=float((pred[sure] == y[sure]).mean()) if sure.any() else None,
        ms_mean=statistics.mean(times), ms_p95=times[max(0, int(0.95 * len(times)) - 1)],
        fit_seconds=fit_seconds, rules=rule_mode, mean_confidence=float(conf.mean()),
        calibration_error=_ece(conf, pred == y),
    )


def _ece(conf, right, bins: int = 10) -> float:
    import numpy as np

    which = np.minimum((conf * bins).astype(int), bins - 1)
    err = 0.0
    for b in range(bins):
        m = which == b
        if m.any():
            err += m.mean() * abs(float(right[m].mean()) - float(conf[m].mean()))
    return float(err)
