"""One settings file, configured by environment variables.

Every variable has a safe default for a developer's machine; production sets
DEBUG=false, SECRET_KEY, ALLOWED_HOSTS and DATABASE_URL (see docs/deployment.md).
"""

import os
import sys
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
TESTING = env_bool("XIESHANG_TESTING", False) or "pytest" in sys.modules
DATA_DIR = Path(os.environ.get("XIESHANG_DATA_DIR", PROJECT_DIR / "data")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG and not TESTING and env_bool("XIESHANG_REQUIRE_SECRET_KEY", False):
        raise RuntimeError("SECRET_KEY must be set in production")
    # A per-installation key kept in the data folder: stable across restarts,
    # never committed, never the same on two machines.
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        from django.utils.crypto import get_random_string

        key_file.write_text(get_random_string(64))
        key_file.chmod(0o600)
    SECRET_KEY = key_file.read_text().strip()

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.admin",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "ninja",  # only for the static files of the API docs page (served locally: no CDN)
    "django_otp",  # the second factor: authenticator codes and recovery codes (core.second_factor)
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "xieshang.core",
    "xieshang.proposals",
    "xieshang.opinions",
    "xieshang.grassroots",
    "xieshang.consultation",
    "xieshang.inspections",
    "xieshang.liaison",
    "xieshang.members",
    "xieshang.reports",
    "xieshang.portal",
    "xieshang.api",
    "xieshang.text",  # text engine: suggestions and similar items (issue #16, docs/text.md)
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "xieshang.core.middleware.SessionTouchMiddleware",
    "xieshang.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "xieshang.core.middleware.CommitteeMiddleware",
    "xieshang.core.middleware.SecondFactorEnrolmentMiddleware",
]

ROOT_URLCONF = "xieshang.urls"
WSGI_APPLICATION = "xieshang.wsgi.application"
ASGI_APPLICATION = "xieshang.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "xieshang.core.context_processors.shell",
            ],
        },
    }
]

# --- Database -------------------------------------------------------------
SQLITE_PATH = DATA_DIR / "xieshang.sqlite3"
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{SQLITE_PATH}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            # WAL lets readers run beside the one writer; IMMEDIATE makes a
            # writing transaction take the lock at BEGIN, so two writers queue
            # instead of failing with "database is locked" half-way. A writer
            # waits up to 20 s for its turn (busy_timeout; the same as "timeout",
            # which a later PRAGMA would otherwise shorten).
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=20000;"
            ),
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and sessions ---------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    # Sessions in the database with a Redis copy in front; an unreachable Redis is a cache miss,
    # not an error (xieshang.core.cache), so the site stays up on the database alone.
    CACHES = {
        "default": {
            "BACKEND": "xieshang.core.cache.TolerantRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "xieshang",
            "RETRY_SECONDS": float(os.environ.get("XIESHANG_REDIS_RETRY_SECONDS", "5")),
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1, "health_check_interval": 30},
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
elif DEBUG or TESTING:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    SESSION_ENGINE = "django.contrib.sessions.backends.db"
else:
    # Production without Redis (one machine, several processes): a cache every process of this
    # machine shares, so that an invalidation in one web process reaches the others.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(DATA_DIR / "cache"),
            "KEY_PREFIX": "xieshang",
            # one key per signed-in user (ADR 0009) besides the option lists: room for a committee's
            # working day (past it, a write drops a third of the files)
            "OPTIONS": {"MAX_ENTRIES": 5000},
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.db"

# How long the signed-in user, their roles, committees and member ids (one key per user) and each
# committee's timers stay in the shared cache (ADR 0009). 0 = not cached: the default of the tests,
# which write roles and timers straight into the database.
XIESHANG_HOT_CACHE_SECONDS = int(os.environ.get("XIESHANG_HOT_CACHE_SECONDS", "0" if TESTING else "60"))

# --- Authentication and security -----------------------------------------
AUTH_USER_MODEL = "core.User"
# Django's ModelBackend, reading the signed-in user from the shared cache when it is on (core.auth).
AUTHENTICATION_BACKENDS = ["xieshang.core.auth.CachedModelBackend"]
LOGIN_URL = "core:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "core:login"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if TESTING:
    # Argon2 is deliberately slow; tests create thousands of users.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Lock-out (core.sign_in): this many failed sign-ins for one account from one address within the window
# lock that account for that address for the window; the owner elsewhere is not locked out.
XIESHANG_LOCKOUT_FAILURES = int(os.environ.get("XIESHANG_LOCKOUT_FAILURES", "5"))
XIESHANG_LOCKOUT_MINUTES = int(os.environ.get("XIESHANG_LOCKOUT_MINUTES", "15"))
# This many failures from one address, whatever the accounts, lock the address for the window.
XIESHANG_LOCKOUT_ADDRESS_FAILURES = int(os.environ.get("XIESHANG_LOCKOUT_ADDRESS_FAILURES", "30"))
# This many failures for one account from all addresses slow it down: one attempt per XIESHANG_SLOWDOWN_SECONDS
# (an account with a second factor must give its code with the password instead), never a hard lock.
XIESHANG_SLOWDOWN_FAILURES = int(os.environ.get("XIESHANG_SLOWDOWN_FAILURES", "10"))
XIESHANG_SLOWDOWN_SECONDS = int(os.environ.get("XIESHANG_SLOWDOWN_SECONDS", "30"))
# Reverse proxies whose X-Forwarded-For is believed (addresses or CIDR blocks, comma-separated; core.addresses).
XIESHANG_TRUSTED_PROXIES = env_list("XIESHANG_TRUSTED_PROXIES", "")
# The second factor (django-otp): the issuer shown in authenticator apps; a code entered after the password
# must come within this many minutes.
OTP_TOTP_ISSUER = os.environ.get("XIESHANG_OTP_ISSUER", "Xieshang")
XIESHANG_SECOND_FACTOR_MINUTES = 5
# Django's admin at /django-admin/ (platform administrators; signs in through the product's sign-in). ADR 0013.
XIESHANG_DJANGO_ADMIN = env_bool("XIESHANG_DJANGO_ADMIN", True)

# Idle timeout: the session ends after this many minutes without a request.
SESSION_COOKIE_AGE = int(os.environ.get("XIESHANG_IDLE_MINUTES", "30")) * 60
# The idle timeout: a session ends SESSION_COOKIE_AGE after its last save; SessionTouchMiddleware saves it
# again at most once a minute (not on every request: that made every page a database write).
SESSION_SAVE_EVERY_REQUEST = False
SESSION_TOUCH_SECONDS = 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# A form sent without a valid token (opened too long ago, cookies blocked) gets the shell's own page.
CSRF_FAILURE_VIEW = "xieshang.core.views.csrf_failure"
HTTPS = env_bool("XIESHANG_HTTPS", not DEBUG and not TESTING and bool(os.environ.get("DATABASE_URL")))
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = env_bool("XIESHANG_SSL_REDIRECT", False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# Uploads: a clear limit, enforced again per field by the forms.
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
XIESHANG_MAX_UPLOAD_MB = int(os.environ.get("XIESHANG_MAX_UPLOAD_MB", "20"))
# What an uploaded Excel workbook may unpack to (zip bombs; core.imports.check_unpacked_size).
XIESHANG_IMPORT_MAX_UNPACKED_MB = int(os.environ.get("XIESHANG_IMPORT_MAX_UNPACKED_MB", "100"))

# --- Internationalisation -------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

# --- Static and media -----------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("XIESHANG_MEDIA_DIR", DATA_DIR / "media"))
# Production serves the files collected by `XIESHANG_COLLECTSTATIC=1 xieshang collectstatic`
# (what `xieshang serve` and deploy/ do): names with a content hash, gzip copies (brotli too with
# the brotli package), and a far-future Cache-Control from WhiteNoise. Until that has run (no
# manifest in STATIC_ROOT), and in development and tests, the files are served from the apps.
STATIC_MANIFEST = not DEBUG and not TESTING and (
    env_bool("XIESHANG_COLLECTSTATIC", False) or (STATIC_ROOT / "staticfiles.json").exists()
)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if STATIC_MANIFEST
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not STATIC_MANIFEST
WHITENOISE_MAX_AGE = 3600

# --- Background tasks and notifications -----------------------------------
TASKS = {
    "default": {
        "BACKEND": os.environ.get("XIESHANG_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}
# A delivery task running this long was lost with its worker (core.recover_deliveries), and a delivery
# "sending" for this long may be taken by another run (core.tasks._claim): keep it well above the
# slowest send (EMAIL_TIMEOUT bounds an SMTP one). A pending delivery REDELIVER seconds old with no
# task gets one again.
XIESHANG_TASK_STALE_SECONDS = int(os.environ.get("XIESHANG_TASK_STALE_SECONDS", "600"))
XIESHANG_REDELIVER_AFTER_SECONDS = int(os.environ.get("XIESHANG_REDELIVER_AFTER_SECONDS", "120"))
# Exports (xieshang.core.exports): a list of at most this many rows is written within the request;
# a longer one by the worker, kept for download this many days.
XIESHANG_EXPORT_INLINE_MAX_ROWS = int(os.environ.get("XIESHANG_EXPORT_INLINE_MAX_ROWS", "2000"))
XIESHANG_EXPORT_KEEP_DAYS = int(os.environ.get("XIESHANG_EXPORT_KEEP_DAYS", "7"))
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(DATA_DIR / "mail"))  # for the file-based backend
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
# Seconds an SMTP connection may block (none by default: a hung server would hold a delivery past its staleness).
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "30"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "xieshang@localhost")
# SMS is a pluggable backend: a dotted path to a class with send(phone, text).
XIESHANG_SMS_BACKEND = os.environ.get("XIESHANG_SMS_BACKEND", "xieshang.core.sms.ConsoleSmsBackend")

# The apps' to-do providers, menu entries, periodic jobs, timers, export kinds, timeline labels and
# organisation-change handlers are declared by the apps themselves (AppConfig.declare, xieshang.core.registry).

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# API bearer tokens live this many days.
XIESHANG_API_TOKEN_DAYS = int(os.environ.get("XIESHANG_API_TOKEN_DAYS", "30"))
