"""Settings for the grassroots benchmark servers (benchmarks/grassroots_*.py): the benchmark settings, the
grassroots floors' URLconf, the SMS codes written to a file the benchmark reads (XIESHANG_SMS_FILE, set by
grassroots_data.env_for), 127.0.0.1 a trusted proxy (the load generator sends each simulated citizen's address
in X-Forwarded-For) and the public door's per-address limits raised for 1,000 submissions a minute from one
machine. The per-phone limits stay as they are (every submission has a phone of its own)."""

from benchmarks.settings_bench import *  # noqa: F401,F403

ROOT_URLCONF = "benchmarks.grassroots_floors"
XIESHANG_SMS_BACKEND = "xieshang.core.sms.FileSmsBackend"
XIESHANG_TRUSTED_PROXIES = ["127.0.0.1"]
XIESHANG_GRASSROOTS_LIMITS = {"CODES_PER_ADDRESS_HOUR": 1000, "SUBMITS_PER_ADDRESS_HOUR": 1000}
