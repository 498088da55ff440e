"""Seeded train/test splits of the real development data for `xieshang text evaluate` (docs/text.md).

    .venv/bin/python benchmarks/text_split.py [--data ../shared/data/real] [--out /tmp/xieshang-text]
        [--seed 16] [--folds 5] [--run]

For each development file it writes, in the columns the command expects (title, body, category, id):
- `<name>_train.csv` / `<name>_test.csv`: one stratified 70 / 30 split (each category split 70/30, seeded);
- with `--folds K`: `<name>_fold<i>_train.csv` / `_test.csv`, a stratified K-fold cross-validation (every
  row is tested once), and with `--run` the command's figures for every fold and their mean.

The real files are read where they lie (default `../shared/data/real`, or $XIESHANG_REAL_DATA) and the
splits go to /tmp: never into the repository (the data's README forbids copying it).
"""

import argparse
import csv
import io
import json
import os
import random
import sys
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_DATA = os.environ.get("XIESHANG_REAL_DATA", str(HERE.parent.parent / "shared" / "data" / "real"))

# file name → (short name, {our column: their column})
FILES = {
    "jiangsu_cppcc_2019_proposals_dev.csv": ("proposals", {"id": "proposal_number", "title": "title",
                                                           "body": "text", "category": "category"}),
    "teddy2020_messages_labelled_495.csv": ("messages", {"id": "message_id", "title": "title",
                                                         "body": "text", "category": "category_l1"}),
}
COLUMNS = ["id", "title", "body", "category"]


def read(path, mapping):
    with open(path, encoding="utf-8", newline="") as f:
        return [{ours: row[theirs] for ours, theirs in mapping.items()} for row in csv.DictReader(f)]


def write(path, rows):
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=COLUMNS)
        w.writeheader()
        w.writerows(rows)


def stratified_folds(rows, k, seed):
    """Row indices in k folds: each category's rows shuffled (seeded) and dealt round-robin, so every fold
    has its share of every category (a category with fewer rows than k is in fewer folds)."""
    rng = random.Random(seed)
    by_cat = defaultdict(list)
    for i, row in enumerate(rows):
        by_cat[row["category"]].append(i)
    folds = [[] for _ in range(k)]
    offset = 0
    for cat in sorted(by_cat):
        members = by_cat[cat]
        rng.shuffle(members)
        for j, i in enumerate(members):
            folds[(offset + j) % k].append(i)
        offset += len(members)
    return folds


def split_70_30(rows, seed):
    rng = random.Random(seed)
    by_cat = defaultdict(list)
    for i, row in enumerate(rows):
        by_cat[row["category"]].append(i)
    train, test = [], []
    for cat in sorted(by_cat):
        members = by_cat[cat]
        rng.shuffle(members)
        cut = round(len(members) * 0.7)
        if len(members) >= 2:
            cut = min(max(cut, 1), len(members) - 1)
        train += members[:cut]
        test += members[cut:]
    return sorted(train), sorted(test)


def run_evaluate(train_path, test_path):
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xieshang.settings")
    django.setup()
    from django.core.management import call_command

    out = io.StringIO()
    call_command("text", "evaluate", "--train", str(train_path), "--test", str(test_path), "--json", stdout=out)
    return json.loads(out.getvalue())


def mean(results):
    keys = {"category": ("top1", "top3"), "duplicates": ("recall_at_1", "recall_at_10")}
    out = {}
    for part, figures in keys.items():
        out[part] = {"n": sum(r[part]["n"] for r in results)}
        for f in figures:  # weighted by n: the share over every tested row
            out[part][f] = round(sum(r[part][f] * r[part]["n"] for r in results) / out[part]["n"], 4)
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=DEFAULT_DATA)
    ap.add_argument("--out", default="/tmp/xieshang-text")
    ap.add_argument("--seed", type=int, default=16)
    ap.add_argument("--folds", type=int, default=0, help="also write a stratified K-fold cross-validation")
    ap.add_argument("--run", action="store_true", help="run `xieshang text evaluate` on every split written")
    ap.add_argument("--only", choices=[v[0] for v in FILES.values()], help="one file only")
    args = ap.parse_args(argv)
    sys.path.insert(0, str(HERE.parent))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for filename, (name, mapping) in FILES.items():
        if args.only and name != args.only:
            continue
        rows = read(Path(args.data) / filename, mapping)
        train, test = split_70_30(rows, args.seed)
        tr, te = out / f"{name}_train.csv", out / f"{name}_test.csv"
        write(tr, [rows[i] for i in train])
        write(te, [rows[i] for i in test])
        print(f"{name}: {len(rows)} rows → {tr} ({len(train)}), {te} ({len(test)})", flush=True)
        if args.run:
            print(f"{name} 70/30: {json.dumps(run_evaluate(tr, te), ensure_ascii=False)}", flush=True)
        if args.folds:
            results = []
            folds = stratified_folds(rows, args.folds, args.seed)
            for f, held in enumerate(folds):
                held_set = set(held)
                tr, te = out / f"{name}_fold{f}_train.csv", out / f"{name}_fold{f}_test.csv"
                write(tr, [r for i, r in enumerate(rows) if i not in held_set])
                write(te, [rows[i] for i in sorted(held)])
                if args.run:
                    results.append(run_evaluate(tr, te))
                    print(f"{name} fold {f}: {json.dumps(results[-1], ensure_ascii=False)}", flush=True)
            if results:
                print(f"{name} {args.folds}-fold mean: {json.dumps(mean(results), ensure_ascii=False)}", flush=True)


if __name__ == "__main__":
    main()
