"""`xieshang text evaluate` on small CSV files written here."""

import csv
import io
import json

import pytest
from django.core.management import CommandError, call_command

from xieshang.text.tests.corpus import rows


def write(path, data, columns=("id", "title", "body", "category", "unit"), encoding="utf-8"):
    with open(path, "w", encoding=encoding, newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(columns), extrasaction="ignore")
        w.writeheader()
        w.writerows(data)
    return path


@pytest.fixture
def files(tmp_path):
    data = rows(n_per_topic=10, seed=2)
    test = data[::4]
    train = [r for r in data if r not in test]
    return write(tmp_path / "train.csv", train), write(tmp_path / "test.csv", test), tmp_path


def run(*args):
    out = io.StringIO()
    call_command("text", "evaluate", *args, stdout=out)
    return out.getvalue()


def test_evaluate_prints_one_json_object(files):
    train, test, _tmp = files
    result = json.loads(run("--train", str(train), "--test", str(test), "--json"))
    assert set(result) == {"category", "unit", "duplicates"}
    assert set(result["category"]) == {"n", "top1", "top3"}
    assert set(result["duplicates"]) == {"n", "recall_at_1", "recall_at_10"}
    assert result["category"]["n"] == 13
    assert result["category"]["top1"] >= 0.9
    assert result["unit"]["top3"] >= 0.9
    assert result["duplicates"]["recall_at_1"] == 1.0


def test_evaluate_without_unit_column_and_as_text(files):
    _train, _test, tmp = files
    data = rows(n_per_topic=8, seed=3)
    train = write(tmp / "a.csv", data[1::2], columns=("title", "body", "category"))
    test = write(tmp / "b.csv", data[::2], columns=("title", "body", "category"))
    result = json.loads(run("--train", str(train), "--test", str(test), "--json"))
    assert set(result) == {"category", "duplicates"}
    assert "duplicates" in run("--train", str(train), "--test", str(test))


def test_missing_column_is_named(files):
    train, _test, tmp = files
    bad = write(tmp / "nobody.csv", rows(2), columns=("title", "category"))
    with pytest.raises(CommandError, match=r"nobody\.csv: missing column\(s\) body"):
        run("--train", str(train), "--test", str(bad))


def test_bad_encoding_is_named(files):
    train, _test, tmp = files
    bad = write(tmp / "gbk.csv", rows(2), encoding="gbk")
    with pytest.raises(CommandError, match=r"gbk\.csv: not UTF-8"):
        run("--train", str(bad), "--test", str(train))


def test_too_little_history_is_said(files):
    _train, test, tmp = files
    small = write(tmp / "small.csv", rows(2))
    with pytest.raises(CommandError, match="not enough history"):
        run("--train", str(small), "--test", str(test))
