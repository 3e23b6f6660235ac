"""智能派单: training on a small fixture, versions and the atomic switch, keyword rules, the
``zhengwu hotline`` command (train / classify / evaluate / import-categories)."""

import csv
import io
import time
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from zhengwu.hotline import classifier, services, trainingdata
from zhengwu.hotline.models import ClassifierModel, KeywordRule

pytestmark = pytest.mark.django_db


def _fixture_csv(path: Path, n=400, seed=7, noise=0.0) -> Path:
    rows = trainingdata.generate(n=n, seed=seed, noise=noise)
    with open(path, "w", newline="", encoding="utf-8-sig") as f:
        w = csv.writer(f)
        w.writerow(["标题", "内容", "分类", "承办单位"])
        for r in rows:
            w.writerow([r["标题"], r["内容"], r["_full"], r["承办单位"]])
    return path


@pytest.fixture
def small_file(tmp_path):
    return _fixture_csv(tmp_path / "history.csv")


def test_train_small_fixture_is_fast_and_accurate(small_file):
    samples = classifier.read_file(small_file)
    trained = classifier.train(samples)
    assert trained.samples == 400 and trained.test_samples > 50
    assert trained.accuracy > 0.8 and trained.top3_accuracy >= trained.accuracy
    model = {"pipeline": trained.pipeline, "departments": trained.departments}
    top = classifier.model_scores(model, "楼下饭店油烟直排，夏天不敢开窗")
    assert top[0][0] == "环境保护/大气污染/油烟扰民"
    assert trained.departments["环境保护/大气污染/油烟扰民"] == "生态环境分局"


def test_versions_switch_atomically_and_serving_follows(small_file, tmp_path, settings):
    data = small_file.read_bytes()
    row1, _ = services.train_model(None, data, "a.csv")
    assert row1.is_active and row1.version == 1
    model1 = classifier.active_model()
    assert model1["version"] == 1
    row2, _ = services.train_model(None, _fixture_csv(tmp_path / "b.csv", seed=8).read_bytes(), "b.csv")
    assert list(ClassifierModel.objects.filter(is_active=True).values_list("version", flat=True)) == [2]
    # Within CHECK_SECONDS a process keeps serving what it loaded; after the check it loads v2.
    classifier._served.checked = time.monotonic()
    assert classifier.active_model()["version"] == 1
    classifier.invalidate()
    assert classifier.active_model()["version"] == 2
    assert (classifier.models_dir() / row1.file).exists() and (classifier.models_dir() / row2.file).exists()


def test_suggest_combines_rules_model_and_taxonomy(small_file, taxonomy):
    text = "经八路饭店后厨卫生很差，吃完腹泻"
    # No model yet: the taxonomy's keywords.
    s = classifier.suggest(text)
    assert s and s[0].source == "分类关键词" and s[0].category_path == "市场监管/食品安全/餐饮卫生"
    assert s[0].department_name == "郑州市金水区市场监督管理局"
    services.train_model(None, small_file.read_bytes(), "h.csv")
    s = classifier.suggest(text)
    assert s[0].source == "模型" and s[0].category_path == "市场监管/食品安全/餐饮卫生"
    assert s[0].category_id == taxonomy["市场监管/食品安全/餐饮卫生"].pk and s[0].department_id
    assert 0 < s[0].confidence <= 1 and 1 <= len(s) <= 3
    # the model's other guesses only when they are worth a look (a near-certain first leaves none)
    assert all(x.confidence >= classifier.MIN_ALTERNATIVE for x in s[1:])
    assert [x.confidence for x in s] == sorted((x.confidence for x in s), reverse=True)
    KeywordRule.objects.create(keywords="燃气 泄漏", category=taxonomy["城市管理/市容环境/垃圾清运"])
    classifier.invalidate()
    s = classifier.suggest("小区燃气泄漏味道很大，饭店后厨")
    assert s[0].source == "规则" and s[0].confidence == 0.99
    assert classifier.timing(["楼下饭店油烟直排扰民"] * 5) > 0  # measured by `zhengwu hotline evaluate`, not asserted


def test_bad_training_files(tmp_path):
    with pytest.raises(classifier.TrainingError) as exc:
        classifier.read_samples("标题,正文\n一,二\n".encode(), "x.csv")
    assert "缺少必需的列" in str(exc.value)
    few = "内容,分类\n" + "".join(f"内容{i},甲\n" for i in range(5))
    with pytest.raises(classifier.TrainingError) as exc:
        classifier.train(classifier.read_samples(few.encode(), "few.csv"))
    assert "训练样本太少" in str(exc.value)
    gbk = ("标题,内容,分类\n" + "".join(f"标题{i},饭店卫生问题{i},市场监管\n" for i in range(10))
           + "".join(f"标题{i},垃圾没人清运{i},城市管理\n" for i in range(10))).encode("gbk")
    samples = classifier.read_samples(gbk, "gbk.csv")
    assert len(samples) == 20 and samples[0].category == "市场监管"


def test_xlsx_training_file(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["标题", "内容", "分类", "承办单位"])
    for r in trainingdata.generate(n=120, seed=3, noise=0):
        ws.append([r["标题"], r["内容"], r["分类"], r["承办单位"]])
    buf = io.BytesIO()
    wb.save(buf)
    samples = classifier.read_samples(buf.getvalue(), "history.xlsx")
    assert len(samples) == 120
    assert any(s.category.count("/") < 2 for s in samples)  # partial paths are kept as labels


def test_command_train_classify_evaluate(small_file, tmp_path, out):
    call_command("hotline", "train", str(small_file), stdout=out)
    assert "新模型已启用" in out.getvalue()
    target = tmp_path / "out.csv"
    call_command("hotline", "classify", str(small_file), "--out", str(target), stdout=out)
    rows = list(csv.DictReader(open(target, encoding="utf-8-sig")))
    assert len(rows) == 400 and {"原分类", "分类", "承办单位", "置信度", "需人工"} <= set(rows[0])
    assert float(rows[0]["置信度"]) > 0
    assert "与原分类一致" in out.getvalue()
    call_command("hotline", "evaluate", str(small_file), "--folds", "3", stdout=out)
    assert "宏平均 F1" in out.getvalue() and "单条预测耗时" in out.getvalue()
    call_command("hotline", "models", stdout=out)
    assert "* v1" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("hotline", "train", str(tmp_path / "missing.csv"), stdout=out)
