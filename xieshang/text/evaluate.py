"""`xieshang text evaluate`: how well the engine does on any labelled file (issue #16, item 6).

Trains exactly as the product trains on a committee's history (`engine.train`), then measures on the test
rows: category (and unit) top-1 and top-3, and near-duplicate recall — each test row rewritten (title
dropped, sentences shuffled, 20 % of them removed, seeded) is searched for among train + test with the
product's similar-item search (`engine.SimilarIndex`).
"""

import csv
import random

from . import engine
from . import tokenize as tk

REQUIRED = ("title", "body", "category")
DROP_SHARE = 0.2
SEED = 16


class EvaluateError(Exception):
    """A file that cannot be evaluated: the message says which file and why."""


def read_rows(path):
    """The rows of a UTF-8 CSV with a header holding at least title, body and category."""
    csv.field_size_limit(10_000_000)
    try:
        with open(path, encoding="utf-8-sig", newline="") as f:
            reader = csv.DictReader(f)
            header = [h.strip() for h in (reader.fieldnames or [])]
            missing = [c for c in REQUIRED if c not in header]
            if missing:
                found = ", ".join(header) if header else "none"
                raise EvaluateError(f"{path}: missing column(s) {', '.join(missing)} (found: {found})")
            reader.fieldnames = header
            rows = list(reader)
    except FileNotFoundError:
        raise EvaluateError(f"{path}: no such file") from None
    except UnicodeDecodeError as exc:
        raise EvaluateError(f"{path}: not UTF-8 (byte 0x{exc.object[exc.start]:02x} at offset {exc.start}); "
                            "save the file as UTF-8 CSV") from None
    except csv.Error as exc:
        raise EvaluateError(f"{path}: not a readable CSV ({exc})") from None
    return [{k: (v or "") for k, v in row.items() if k is not None} for row in rows], header


def rewrite(body, rng, share=DROP_SHARE):
    """A near-copy of a text: its sentences shuffled and `share` of them (rounded, never all) removed."""
    sentences = tk.sentences(body)
    rng.shuffle(sentences)
    drop = min(int(len(sentences) * share + 0.5), max(0, len(sentences) - 1))
    return "\n".join(sentences[drop:])


def _top(suggested, truth):
    names = [s.name for s in suggested]
    return (bool(names) and names[0] in truth), bool(truth & set(names[:3]))


def _rate(hits, n):
    return round(hits / n, 4) if n else None


def evaluate(train_rows, test_rows, units=False, seed=SEED):
    """The figures as one dict: category {n, top1, top3}, unit (when `units`), duplicates {n, recall_at_1,
    recall_at_10}. A test row counts as a miss when its category was never seen in training."""
    try:
        model = engine.train(train_rows)
    except engine.NotEnoughHistory as exc:
        raise EvaluateError(f"not enough history to train on: {exc}") from None
    result = {}
    n = top1 = top3 = 0
    un = utop1 = utop3 = 0
    for row in test_rows:
        cat = row["category"].strip()
        if cat:
            got = model.suggest_categories(row["title"], row["body"], k=3)
            if got:
                n += 1
                a, b = _top(got, {cat})
                top1, top3 = top1 + a, top3 + b
        truth = set(engine.split_units(row.get("unit")))
        if units and truth:
            got = model.suggest_units(row["title"], row["body"], k=3)
            if model.units is not None and (got or len(tk.clean(row["title"] + row["body"])) >= tk.MIN_CHARS):
                un += 1
                a, b = _top(got, truth)
                utop1, utop3 = utop1 + a, utop3 + b
    result["category"] = {"n": n, "top1": _rate(top1, n), "top3": _rate(top3, n)}
    if units:
        result["unit"] = {"n": un, "top1": _rate(utop1, un), "top3": _rate(utop3, un)}
    result["duplicates"] = duplicates(train_rows, test_rows, seed=seed)
    return result


def duplicates(train_rows, test_rows, seed=SEED):
    index = engine.SimilarIndex()
    test_keys = []
    for i, row in enumerate(train_rows):
        index.add(("train", i), row["title"], row["body"])
    for i, row in enumerate(test_rows):
        index.add(("test", i), row["title"], row["body"])
        test_keys.append(("test", i))
    index.build()
    rng = random.Random(seed)
    n = at1 = at10 = 0
    for key, row in zip(test_keys, test_rows):
        copy = rewrite(row["body"], rng)
        if len(tk.clean(copy)) < tk.MIN_CHARS:
            continue
        found = [m.id for m in index.query("", copy, k=10, passages=False)]
        n += 1
        at1 += bool(found) and found[0] == key
        at10 += key in found
    return {"n": n, "recall_at_1": _rate(at1, n), "recall_at_10": _rate(at10, n)}
