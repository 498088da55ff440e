"""`xieshang search_reindex [--committee CODE] [--batch N] [--stale]`: rebuild the proposals' search index.

Services keep the index up to date themselves; run this after writing proposals in bulk outside the
services (benchmarks/generate.py, raw imports, restoring an old dump) or after a change of
xieshang/proposals/search.py's normalisation. Each batch is written in its own transaction and
searches keep working meanwhile (a proposal's old document is replaced by its new one).
"""

import time

from django.core.management.base import BaseCommand, CommandError

from xieshang.core.models import Committee
from xieshang.proposals import search


class Command(BaseCommand):
    help = "Rebuild the search index of proposals (all, or one committee's) in batches."

    def add_arguments(self, parser):
        parser.add_argument("--committee", metavar="CODE", help="Only this committee's proposals (its code).")
        parser.add_argument("--batch", type=int, default=search.BATCH, metavar="N",
                            help=f"Proposals per batch and transaction (default {search.BATCH}).")
        parser.add_argument("--stale", action="store_true",
                            help="Only stale documents: missing, of an older index format, or whose "
                                 "proposal changed since they were written and whose content digest differs.")

    def handle(self, *args, **options):
        committee = None
        if options["committee"]:
            committee = Committee.objects.filter(code=options["committee"]).first()
            if committee is None:
                raise CommandError(f"There is no committee with the code {options['committee']!r}.")
        if options["batch"] < 1:
            raise CommandError("--batch must be at least 1.")
        started = time.monotonic()
        done = search.reindex(committee=committee, batch=options["batch"], stale_only=options["stale"],
                              stdout=self.stdout)
        scope = f" of {committee.code}" if committee else ""
        self.stdout.write(self.style.SUCCESS(
            f"Indexed {done} proposals{scope} in {time.monotonic() - started:.1f} s."))
