"""智能派单 (issue 28): classify new tickets (标题/内容 only, every row kept), k-fold evaluate,
calibrated confidence and 需人工, keyword rules combined with the model, a quality floor."""

import csv
from pathlib import Path

import joblib
import numpy as np
import pytest
from django.core.management import CommandError, call_command

from zhengwu.hotline import classifier, dispatch_model, services, trainingdata
from zhengwu.hotline.models import ClassifierModel

pytestmark = pytest.mark.django_db

SAMPLE = Path(classifier.__file__).parent / "data" / "training_sample.csv"


def _history(path: Path, n=300, seed=11, noise=0.04) -> Path:
    """A history like a real one: a few tickets filed in the wrong category (with none, the
    rows are separable and a calibrated model rightly trusts itself on anything)."""
    with open(path, "w", newline="", encoding="utf-8-sig") as f:
        w = csv.writer(f)
        w.writerow(["标题", "内容", "分类", "承办单位"])
        for r in trainingdata.generate(n=n, seed=seed, noise=noise):
            w.writerow([r["标题"], r["内容"], r["_full"], r["承办单位"]])
    return path


@pytest.fixture
def trained(tmp_path):
    services.train_model(None, _history(tmp_path / "h.csv").read_bytes(), "h.csv")
    classifier.invalidate()


def _write(path: Path, header, rows) -> Path:
    with open(path, "w", newline="", encoding="utf-8-sig") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return path


def _read(path: Path):
    with open(path, encoding="utf-8-sig") as f:
        return list(csv.reader(f))


def test_classify_new_tickets_without_category_keeps_every_row_in_order(trained, tmp_path, out):
    src = _write(tmp_path / "new.csv", ["编号", "标题", "内容"], [
        ["1", "楼下饭店油烟直排", "夏天不敢开窗，油烟味很大"],
        ["2", "", ""],  # no text: kept, empty 分类, 置信度 0, sent to a person
        ["3", "出租车司机拒载", ""],  # a title alone is enough
        ["4", "", "公积金提取需要什么材料"],
    ])
    target = tmp_path / "out.csv"
    call_command("hotline", "classify", str(src), "--out", str(target), stdout=out)
    rows = _read(target)
    assert rows[0] == ["编号", "标题", "内容", "分类", "承办单位", "置信度", "需人工", "依据"]
    assert [r[0] for r in rows[1:]] == ["1", "2", "3", "4"]
    by = {r[0]: dict(zip(rows[0], r, strict=True)) for r in rows[1:]}
    assert by["1"]["分类"] == "环境保护/大气污染/油烟扰民" and by["1"]["承办单位"] == "生态环境分局"
    assert by["2"]["分类"] == "" and by["2"]["置信度"] == "0" and by["2"]["需人工"] == "是"
    assert by["3"]["分类"] == "交通运输/出租客运/出租车服务"
    assert by["4"]["分类"] == "住房保障/住房公积金/公积金提取"
    assert all(0 <= float(by[k]["置信度"]) <= 1 for k in by)
    assert "与原分类一致" not in out.getvalue() and "4 行" in out.getvalue()


def test_classify_keeps_a_row_with_no_cell_at_all_so_lines_match(trained, tmp_path, out):
    src = _write(tmp_path / "gap.csv", ["标题", "内容"], [["楼下饭店油烟直排", ""], ["", ""], ["出租车司机拒载", ""],
                                                          ["", ""]])
    target = tmp_path / "out.csv"
    call_command("hotline", "classify", str(src), "--out", str(target), stdout=out)
    rows = _read(target)
    assert [r[0] for r in rows[1:]] == ["楼下饭店油烟直排", "", "出租车司机拒载"]  # the trailing empty row goes
    assert rows[2][2:] == ["", "", "0", "是", ""]


def test_classify_content_column_alone(trained, tmp_path, out):
    src = _write(tmp_path / "c.csv", ["内容"], [["小区门口流动摊贩占道经营"]])
    target = tmp_path / "o.csv"
    call_command("hotline", "classify", str(src), "--out", str(target), stdout=out)
    rows = _read(target)
    assert rows[0][:2] == ["内容", "分类"] and rows[1][1] == "城市管理/市容环境/占道经营"


def test_classify_with_category_compares_and_renames_it(trained, tmp_path, out):
    src = _write(tmp_path / "l.csv", ["标题", "内容", "分类"], [
        ["饭店油烟", "楼下饭店油烟直排扰民", "环境保护"],  # a first-level original matches a leaf prediction
        ["拒载", "出租车司机拒载", "市场监管"],
        ["", "", ""],
    ])
    target = tmp_path / "o.csv"
    call_command("hotline", "classify", str(src), "--out", str(target), stdout=out)
    rows = _read(target)
    assert rows[0] == ["标题", "内容", "原分类", "分类", "承办单位", "置信度", "需人工", "依据"]
    assert len(rows) == 3  # the blank line is not a row
    assert "与原分类一致 1/2" in out.getvalue()


def test_classify_refuses_a_file_without_title_and_content(tmp_path, out):
    src = _write(tmp_path / "bad.csv", ["编号", "正文"], [["1", "路灯不亮"]])
    with pytest.raises(CommandError) as exc:
        call_command("hotline", "classify", str(src), "--out", str(tmp_path / "o.csv"), stdout=out)
    assert "“标题”或“内容”" in str(exc.value) and "编号" in str(exc.value)
    assert not (tmp_path / "o.csv").exists()


def test_low_confidence_tickets_are_marked_for_a_person(trained, tmp_path, out, settings):
    src = _write(tmp_path / "n.csv", ["内容"], [["楼下饭店油烟直排"], ["有个事情想问一下"]])
    settings.HOTLINE_REVIEW_THRESHOLD = 0.0
    call_command("hotline", "classify", str(src), "--out", str(tmp_path / "a.csv"), stdout=out)
    assert [r[-2] for r in _read(tmp_path / "a.csv")[1:]] == ["否", "否"]
    del settings.HOTLINE_REVIEW_THRESHOLD  # the default, 0.5: the vague ticket goes to a person
    call_command("hotline", "classify", str(src), "--out", str(tmp_path / "b.csv"), stdout=out)
    rows = _read(tmp_path / "b.csv")[1:]
    assert [r[-2] for r in rows] == ["否", "是"]
    assert float(rows[1][-3]) < classifier.REVIEW_THRESHOLD <= float(rows[0][-3])


def test_confidence_is_a_probability(trained):
    model = classifier.active_model()
    classes = model["pipeline"].classes_
    scores = classifier.model_scores(model, "楼下饭店油烟直排，夏天不敢开窗", k=len(classes))
    assert abs(sum(p for _, p in scores) - 1) < 1e-6 and all(0 <= p <= 1 for _, p in scores)
    assert scores[0][0] == "环境保护/大气污染/油烟扰民" and scores[0][1] > 0.5
    # Text unlike anything in the history gets a low confidence, not a confident guess.
    assert classifier.model_scores(model, "你好", k=1)[0][1] < scores[0][1]


def test_a_model_saved_before_probabilities_still_serves(tmp_path):
    """Hot swap across the change: an old LinearSVC file (no predict_proba) loads and scores."""
    samples = classifier.read_file(_history(tmp_path / "h.csv", n=120))
    old = dispatch_model.build(dispatch_model.BASELINE_SPEC)
    old.fit([s.text for s in samples], [s.category for s in samples])
    assert not hasattr(old, "predict_proba")
    path = classifier.models_dir() / "old.joblib"
    joblib.dump({"pipeline": old, "labels": [], "departments": {}, "version": 1}, path)
    scores = classifier.model_scores(joblib.load(path), "出租车司机拒载", k=30)
    assert abs(sum(p for _, p in scores) - 1) < 1e-6


def test_evaluate_prints_the_figures(tmp_path, out):
    call_command("hotline", "evaluate", str(_history(tmp_path / "h.csv")), "--folds", "3", "--threshold", "0.6",
                 "--seed", "3", stdout=out)
    text = out.getvalue()
    for needle in ("3 折交叉验证", "准确率", "宏平均 F1", "各分类 F1", "单条预测耗时", "置信度阈值 0.60：需人工",
                   "其余工单准确率", "校准误差"):
        assert needle in text, needle
    with pytest.raises(CommandError):
        call_command("hotline", "evaluate", str(tmp_path / "h.csv"), "--model", "bogus:char", stdout=out)


def test_evaluate_with_keyword_rules_from_a_taxonomy_file(tmp_path, out):
    tax = Path(classifier.__file__).parent / "data" / "taxonomy.csv"
    call_command("hotline", "evaluate", str(_history(tmp_path / "h.csv")), "--folds", "3", "--rules", "boost",
                 "--taxonomy", str(tax), stdout=out)
    assert "关键词规则 boost" in out.getvalue() and "（0 条）" not in out.getvalue()


def test_combine_boosts_or_overrides_a_matched_class():
    classes = ["城乡建设", "环境保护", "交通运输"]
    p = np.array([0.5, 0.3, 0.2])
    rules = [(("油烟",), "环境保护/大气污染/油烟扰民"), (("出租车", "拒载"), "交通运输")]
    boosted = dispatch_model.combine(p, classes, "饭店油烟", rules, "boost")
    assert boosted[1] > p[1] and abs(boosted.sum() - 1) < 1e-9
    over = dispatch_model.combine(p, classes, "饭店油烟", rules, "override")
    assert over[1] == pytest.approx(0.99) and abs(over.sum() - 1) < 1e-9
    # Every word of a rule must occur; no match leaves the model's answer alone.
    assert list(dispatch_model.combine(p, classes, "出租车绕路", rules, "boost")) == list(p)
    assert dispatch_model.label_for("城乡建设/物业管理/物业服务纠纷", classes) == "城乡建设"


def test_head_is_the_title_of_title_and_content():
    assert dispatch_model.head("楼下饭店油烟直排。夏天不敢开窗") == "楼下饭店油烟直排"
    assert len(dispatch_model.head("长" * 100)) == dispatch_model.HEAD_CHARS


def test_quality_floor_on_the_bundled_sample():
    """k-fold on 900 rows of the shipped (synthetic, 4 % mislabelled) history: a regression
    guard, not the real-data figure (see docs/hotline-dispatch-model.md)."""
    samples = classifier.read_file(SAMPLE)[:900]
    e = dispatch_model.kfold(samples, folds=3, timing_rows=50)
    assert e.macro_f1 > 0.9 and e.accuracy > 0.92
    assert e.calibration_error < 0.06  # confidence ≈ the share that is right
    # Latency and training time are measured by `evaluate` and `make bench` (bench/dispatch_quality.py),
    # not here: a loaded CI machine once took 10.1 s for what takes 3 s idle.


EVAL_7CLASS = Path(classifier.__file__).parent / "data" / "eval" / "messages_7class.csv"


def test_quality_floor_on_the_hand_written_7_class_set():
    """5-fold on 368 hand-written (self-written, not real) 网上问政 messages in the 7 first-level
    classes of issue 28: measured macro-F1 0.803 (seed 0; 0.796–0.815 over seeds 0–2), so a
    floor a little below that catches a feature or model change that makes things worse."""
    samples = classifier.read_file(EVAL_7CLASS)
    assert len(samples) >= 350 and len({s.category for s in samples}) == 7
    e = dispatch_model.kfold(samples, folds=5, timing_rows=20)
    assert e.macro_f1 > 0.77 and e.accuracy > 0.78, (e.macro_f1, e.accuracy)
    assert min(f1 for f1, _ in e.per_class.values()) > 0.68, e.per_class
    assert e.calibration_error < 0.09


def test_train_with_a_chosen_model_and_evaluate_at_the_first_level(tmp_path, out):
    history = _history(tmp_path / "h.csv", n=200)
    call_command("hotline", "train", str(history), "--model", "lr20:char:balanced", stdout=out)
    assert "模型 lr20:char:balanced，不用诉求分类关键词" in out.getvalue()
    row = ClassifierModel.objects.get(is_active=True)
    assert joblib.load(classifier.models_dir() / row.file)["spec"] == "lr20:char:balanced"
    with pytest.raises(CommandError) as exc:
        call_command("hotline", "train", str(history), "--model", "knn:char", stdout=out)
    assert "未知的分类器" in str(exc.value)
    call_command("hotline", "evaluate", str(history), "--folds", "3", "--level", "1", stdout=out)
    assert "个分类；3 折" in out.getvalue() and "/" not in out.getvalue().split("各分类 F1：")[-1].split("单条")[0]
