"""`xieshang text evaluate --train TRAIN.csv --test TEST.csv [--json]`

Trains the text engine on TRAIN exactly as the product trains on a committee's history and measures it
on TEST (both UTF-8 CSV with a header: title, body, category, optionally unit — several separated by 、 —
and id). Prints the category (and unit) top-1 / top-3 and the near-duplicate recall@1 / recall@10 of the
similar-item search; with --json one JSON object:

    {"category": {"n", "top1", "top3"}, "unit": {…} (with a unit column), "duplicates": {"n", "recall_at_1", "recall_at_10"}}

A missing column or a file that is not UTF-8 stops with a message naming the file and the column.
"""

import json
import time

from django.core.management.base import BaseCommand, CommandError

from xieshang.text.evaluate import EvaluateError, evaluate, read_rows


class Command(BaseCommand):
    help = "Text engine: `text evaluate --train TRAIN.csv --test TEST.csv [--json]`, `text train --committee CODE` (docs/text.md)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, title="actions")
        ev = sub.add_parser("evaluate", help="train on one labelled CSV, measure on another")
        ev.add_argument("--train", required=True, help="UTF-8 CSV: title, body, category[, unit, id]")
        ev.add_argument("--test", required=True, help="UTF-8 CSV with the same columns")
        ev.add_argument("--json", action="store_true", help="print one JSON object")
        ev.add_argument("--seed", type=int, default=16, help="seed of the near-duplicate rewriting (16)")
        tr = sub.add_parser("train", help="train a committee's models from its own history (docs/text.md)")
        group = tr.add_mutually_exclusive_group(required=True)
        group.add_argument("--committee", help="the committee's code")
        group.add_argument("--all", action="store_true", help="every active committee (what the nightly job does)")
        ht = sub.add_parser("hot", help="the year's hot topics of a committee (xieshang.text.hot)")
        ht.add_argument("--committee", required=True, help="the committee's code")
        ht.add_argument("--year", type=int, required=True, help="the year, e.g. 2025")
        ht.add_argument("--k", type=int, default=10, help="how many themes (10)")
        ht.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args, action, **options):
        if action == "evaluate":
            return self.evaluate(**options)
        if action == "train":
            return self.train(**options)
        if action == "hot":
            from xieshang.text.hot import command

            return command(self.stdout, **options)
        raise CommandError(f"unknown action {action!r}")  # pragma: no cover — argparse refuses it first

    def evaluate(self, train, test, json=False, seed=16, **_options):
        started = time.monotonic()
        try:
            train_rows, train_header = read_rows(train)
            test_rows, test_header = read_rows(test)
            units = "unit" in train_header and "unit" in test_header
            result = evaluate(train_rows, test_rows, units=units, seed=seed)
        except EvaluateError as exc:
            raise CommandError(str(exc)) from None
        if json:
            self.stdout.write(_json.dumps(result, ensure_ascii=False))
            return
        self.stdout.write(f"trained on {len(train_rows)} rows, tested on {len(test_rows)} "
                          f"({time.monotonic() - started:.1f} s)")
        for name in ("category", "unit"):
            if name in result:
                r = result[name]
                self.stdout.write(f"{name:10} n={r['n']:<6} top1={_pct(r['top1'])}  top3={_pct(r['top3'])}")
        d = result["duplicates"]
        self.stdout.write(f"{'duplicates':10} n={d['n']:<6} recall@1={_pct(d['recall_at_1'])}  "
                          f"recall@10={_pct(d['recall_at_10'])}")


    def train(self, committee=None, **options):
        from xieshang.core.models import Committee
        from xieshang.text import store

        if options.get("all"):
            self.stdout.write(store.train_all(stdout=self.stdout))
            return
        found = Committee.objects.filter(code=committee).first()
        if found is None:
            raise CommandError(f"no committee with the code {committee!r}")
        result = store.train_committee(found, stdout=self.stdout)
        self.stdout.write(f"model files in {store.folder(found)}"
                          + ("" if all(r.get("ok", True) for r in result.values()) else
                             " — a kind with too little history gets no suggestion until it has more"))


_json = json


def _pct(value):
    return "—" if value is None else f"{value:.3f}"
