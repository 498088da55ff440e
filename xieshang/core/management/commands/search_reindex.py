"""`xieshang search_reindex [--kind KIND] [--committee CODE] [--batch N] [--stale]`: rebuild the text
search index (xieshang/core/search.py) of every declared kind, or of one.

Services keep the index up to date themselves; run this after writing objects in bulk outside the
services (benchmarks/generate.py, raw imports, restoring an old dump) or after a change of
xieshang/core/search.py's normalisation or of a kind's document builder. Each batch is written in its
own transaction and searches keep working meanwhile (an object's old document is replaced by its new one).
"""

import time

from django.core.management.base import BaseCommand, CommandError

from xieshang.core import search
from xieshang.core.models import Committee


class Command(BaseCommand):
    help = "Rebuild the text search index (every kind, or one; all committees, or one) in batches."

    def add_arguments(self, parser):
        parser.add_argument("--kind", metavar="KIND",
                            help="Only this kind of object (a key of Declarations.search_kinds, e.g. proposal).")
        parser.add_argument("--committee", metavar="CODE", help="Only this committee's objects (its code).")
        parser.add_argument("--batch", type=int, default=search.BATCH, metavar="N",
                            help=f"Objects per batch and transaction (default {search.BATCH}).")
        parser.add_argument("--stale", action="store_true",
                            help="Only stale documents: missing, of an older index format, or whose "
                                 "object changed since they were written and whose content digest differs.")

    def handle(self, *args, **options):
        committee = None
        if options["committee"]:
            committee = Committee.objects.filter(code=options["committee"]).first()
            if committee is None:
                raise CommandError(f"There is no committee with the code {options['committee']!r}.")
        if options["batch"] < 1:
            raise CommandError("--batch must be at least 1.")
        kinds = search.kinds()
        if options["kind"] is not None and options["kind"] not in kinds:
            raise CommandError(f"There is no search kind {options['kind']!r} (declared: {', '.join(sorted(kinds))}).")
        started = time.monotonic()
        done = search.reindex(kind=options["kind"], committee=committee, batch=options["batch"],
                              stale_only=options["stale"], stdout=self.stdout)
        scope = f" of {committee.code}" if committee else ""
        elapsed = time.monotonic() - started
        for kind, count in done.items():
            self.stdout.write(self.style.SUCCESS(
                f"Indexed {count} {kinds[kind].plural or kind + 's'}{scope} in {elapsed:.1f} s."))
