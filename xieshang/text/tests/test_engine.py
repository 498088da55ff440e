"""The text engine on a synthetic corpus: suggestions, bad input, model files, similar items."""

import logging
import random
import time

import pytest

from xieshang.text import engine
from xieshang.text.evaluate import rewrite
from xieshang.text.tests.corpus import rows


@pytest.fixture(scope="module")
def corpus():
    return rows()


@pytest.fixture(scope="module")
def model(corpus):
    return engine.train(corpus)


def test_category_suggestions_are_ranked_with_scores(model):
    got = model.suggest_categories("关于加强学校师资和课后服务的建议", "建议教育部门完善义务教育课程。", k=3)
    assert [s.name for s in got][0] == "教育事业"
    assert len(got) == 3
    assert all(0 <= s.score <= 1 for s in got)
    assert got[0].score >= got[1].score >= got[2].score


def test_unit_suggestions_are_multi_label(model):
    got = model.suggest_units("关于推进老旧小区加装电梯的建议", "部分地区老旧小区停车难，物业管理亟待解决。", k=3)
    names = [s.name for s in got]
    assert names[0] == "住房城乡建设局"
    assert "财政局" in names  # the co-unit of every third row in the history


@pytest.mark.parametrize("title,body", [("", ""), ("学", ""), ("", " \n"), (None, None), ("", "x")])
def test_empty_or_one_character_text_gives_no_suggestion(model, title, body):
    assert model.suggest_categories(title, body) == []
    assert model.suggest_units(title, body) == []


def test_a_very_long_text_is_cut_not_refused(model):
    started = time.monotonic()
    got = model.suggest_categories("关于" * 50_000, "医院和医生。" * 20_000, k=2)
    assert got and got[0].name == "医卫体育"
    assert time.monotonic() - started < 2


def test_too_little_history_gives_no_model(corpus):
    with pytest.raises(engine.NotEnoughHistory):
        engine.train(corpus[: engine.MIN_ROWS - 1])
    with pytest.raises(engine.NotEnoughHistory):
        engine.train([dict(r, category="同一类") for r in corpus])


def test_save_and_load_once_per_process(model, tmp_path):
    path = tmp_path / "committee.model"
    model.save(path)
    loaded = engine.load(path)
    assert loaded is engine.load(path)  # cached
    assert [s.name for s in loaded.suggest_categories("关于治理河道污水的建议", "")][:1] == ["资源环境"]


@pytest.mark.parametrize("content", [b"", b"garbage", engine.MAGIC + b"0001\nnot a pickle",
                                     engine.MAGIC + b"0999\n"])
def test_corrupt_model_file_gives_none_and_a_warning(tmp_path, caplog, content):
    path = tmp_path / "bad.model"
    path.write_bytes(content)
    with caplog.at_level(logging.WARNING, logger="xieshang.text.engine"):
        assert engine.load(path) is None
    assert "no suggestions" in caplog.text


def test_missing_model_file_gives_none_and_a_warning(tmp_path, caplog):
    with caplog.at_level(logging.WARNING, logger="xieshang.text.engine"):
        assert engine.load(tmp_path / "absent.model") is None
    assert "missing" in caplog.text


@pytest.mark.parametrize("exact_limit", [20_000, 10])  # exact search, and the usearch graph
def test_similar_search_finds_a_rewritten_copy_first(corpus, exact_limit):
    index = engine.SimilarIndex(exact_limit=exact_limit)
    for row in corpus:
        index.add(row["id"], row["title"], row["body"])
    index.build()
    rng = random.Random(3)
    for row in corpus[::7]:
        found = index.query("", rewrite(row["body"], rng), k=10)
        assert found[0].id == row["id"]
        assert len(found) == 10
        assert found[0].passages and found[0].passages[0]["score"] >= 0.5


def test_similar_search_items_added_after_build_and_short_queries(corpus):
    index = engine.SimilarIndex()
    for row in corpus[:-1]:
        index.add(row["id"], row["title"], row["body"])
    index.build()
    last = corpus[-1]
    index.add(last["id"], last["title"], last["body"])
    assert index.query(last["title"], last["body"], k=1)[0].id == last["id"]
    assert index.query("", "学") == []
    assert engine.SimilarIndex().build().query("关于", "教育") == []


def test_matching_passages():
    got = engine.matching_passages(["加强学校师资建设。"], "今年天气很好。建议加强学校师资建设。其他。")
    assert got == [{"query": "加强学校师资建设。", "match": "建议加强学校师资建设。", "score": 1.0}]



def test_category_ranker_keeps_the_share_of_features_its_own_rows_choose(corpus, model):
    ranker = model.categories
    assert ranker.keep_percent in engine.Ranker.KEEP_PERCENT
    if ranker.keep_percent < 100:
        width = model.features.transform([("关于", "教育")]).shape[1]
        assert len(ranker.keep) == int(width * ranker.keep_percent / 100)
    # forced to the smallest share, the kept features still tell the categories apart
    X = model.features.transform([(r["title"], r["body"]) for r in corpus])
    labels = [r["category"] for r in corpus]
    small = engine.Ranker()
    small._choose_percent = lambda X, labels: 10
    small.fit(X, labels)
    assert len(small.keep) == int(X.shape[1] * 0.1)
    assert (small.classes[small.scores(X).argmax(axis=1)] == labels).mean() > 0.9


def test_category_ranker_with_categories_too_small_to_split_uses_every_feature(corpus):
    few = {}
    for r in corpus:  # two rows per category: no inner cross-validation possible
        if len(few.setdefault(r["category"], [])) < 2:
            few[r["category"]].append(r)
    rows = [r for group in few.values() for r in group]
    X = engine.Features().fit_transform([(r["title"], r["body"]) for r in rows])
    ranker = engine.Ranker().fit(X, [r["category"] for r in rows])
    assert ranker.keep_percent == 100 and ranker.keep is None
    assert ranker.scores(X).shape == (len(rows), len(few))
