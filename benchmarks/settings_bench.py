"""Settings for the benchmark servers: the real settings, plus the floor views' URLconf.

Production code carries no benchmark routes: only a server started with
DJANGO_SETTINGS_MODULE=benchmarks.settings_bench (by benchmarks/common.py) has /_bench/….
"""

from xieshang.settings import *  # noqa: F401,F403

ROOT_URLCONF = "benchmarks.floor_urls"

# The export benchmark times the in-request exports at any size (production queues lists above the
# limit for the worker; bench_export.py measures that way too).
XIESHANG_EXPORT_INLINE_MAX_ROWS = 10**9
