"""Django settings for Recert, read from environment variables (see README's table).

Every variable goes through recert.lib.env, so a bad value stops start-up with a message
naming the variable and the accepted values.
"""

from __future__ import annotations

import secrets
import warnings
from datetime import timedelta
from pathlib import Path

from csp import constants as csp
from django.core.exceptions import ImproperlyConfigured

from recert.lib.env import env, envbool, envint, envlist, parse_database_url
from recert.lib.signing_keys import parse_signing_keys

PACKAGE_DIR = Path(__file__).resolve().parent

# Development, tests and `recert demo` run with DEBUG on; `recert serve` turns it off
# unless DEBUG is set explicitly (see docs/decisions.md).
DEBUG = envbool("DEBUG", True)

DATA_DIR = Path(env("RECERT_DATA", "data")).expanduser().resolve()


def _secret_key() -> str:
    key = env("SECRET_KEY", "").strip()
    if key:
        return key
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is required when DEBUG is off; set it to a long random string, e.g. "
            'the output of: python -c "import secrets; print(secrets.token_urlsafe(50))"'
        )
    # In development and the demo: a random key, kept in the data folder so that sessions
    # survive a restart. Never a constant in the code.
    path = DATA_DIR / "secret_key"
    if path.exists():
        stored = path.read_text().strip()
        if stored:
            return stored
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    path.write_text(key + "\n")
    path.chmod(0o600)
    return key


SECRET_KEY = _secret_key()

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "recert.accounts",
    "recert.core",
    "recert.front",
    "recert.renewals",
    "recert.exports",
    "recert.api",
    "recert.verify",
    "recert.staff",
    "recert.providers",
    "recert.audits",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_tasks",
    # Log-in lock-outs (django-axes): failed attempts per username and address.
    "axes",
    # The second factor of staff and provider accounts (TOTP + recovery codes).
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before sessions (the session cookie is a database key) and every view: NUL or an
    # unpaired surrogate anywhere in a request is a 400, never a 500 (recert/lib/badbytes.py).
    "recert.lib.badbytes.UnstorableCharactersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Staff and provider accounts: a second factor before their pages, and an idle timeout.
    "recert.accounts.second_factor.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Content-Security-Policy on every response (django-csp; the policy is below).
    "csp.middleware.CSPMiddleware",
    # Turns a log-in that axes refused into the locked-out page (AXES_LOCKOUT_CALLABLE).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "recert.urls"
WSGI_APPLICATION = "recert.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "recert.core.context.menu",
            ],
        },
    },
]

DATABASES = {
    "default": parse_database_url(
        env("DATABASE_URL", f"sqlite:///{DATA_DIR / 'recert.sqlite3'}"), name="DATABASE_URL"
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["OPTIONS"] = {"transaction_mode": "IMMEDIATE"}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Log-in lock-outs (django-axes, docs/decisions.md): LOGIN_FAILURE_LIMIT failed log-ins for
# one username from one address lock that pair out for LOGIN_LOCKOUT_MINUTES after the last
# failure. The owner elsewhere, and everyone else behind the same address, are not affected.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_FAILURE_LIMIT = envint("LOGIN_FAILURE_LIMIT", 5, minimum=1)
LOGIN_LOCKOUT_MINUTES = envint("LOGIN_LOCKOUT_MINUTES", 15, minimum=1)
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = timedelta(minutes=LOGIN_LOCKOUT_MINUTES)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# A failure during a lock-out neither counts nor extends it: the page can say when it ends.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "recert.lib.clientip.client_ip"
AXES_USERNAME_CALLABLE = "recert.accounts.lockouts.username_of"
AXES_LOCKOUT_CALLABLE = "recert.accounts.views.locked_out"
# Staff see and lift lock-outs in the console (/staff/lockouts/); no successful log-in is
# kept (axes' access log), only the failures that count.
AXES_ENABLE_ADMIN = False
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False
# Reverse proxies in front of the app that append to X-Forwarded-For: the client address
# (recert.lib.clientip: lock-outs, rate limits) is the entry that many from the right.
# 0: REMOTE_ADDR (the header is ignored).
TRUSTED_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", 0, minimum=0)
# Staff and provider accounts (recert.accounts.second_factor.needs_second_factor) pass a
# second factor before any page under these paths, and are logged out after this many
# seconds without a request.
SECOND_FACTOR_PATHS = ["/staff/", "/admin/", "/provider/"]
STAFF_SESSION_IDLE_SECONDS = envint("STAFF_SESSION_IDLE_SECONDS", 30 * 60, minimum=60)
# The issuer an authenticator app shows beside the account.
OTP_TOTP_ISSUER = env("OTP_TOTP_ISSUER", "Recert")
# The admin (superusers) may delete someone's authenticator (a lost phone) but never see
# its key or QR code.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# E-mail verification links stay valid this many days; sign-up and password-reset requests
# allowed per client address per window (then 429).
EMAIL_VERIFY_DAYS = envint("EMAIL_VERIFY_DAYS", 3, minimum=1)
ACCOUNT_RATE_LIMIT = envint("ACCOUNT_RATE_LIMIT", 10, minimum=1)
ACCOUNT_RATE_WINDOW_SECONDS = envint("ACCOUNT_RATE_WINDOW_SECONDS", 3600, minimum=1)
# How long a staff-issued account claim link stays valid.
CLAIM_LINK_DAYS = envint("CLAIM_LINK_DAYS", 7, minimum=1)
# Registry imports (staff console): the largest file and number of rows accepted, how many
# rows are committed in the request (more go to a background task), rows per transaction.
IMPORT_MAX_BYTES = envint("IMPORT_MAX_BYTES", 10 * 1024 * 1024, minimum=1024)
IMPORT_MAX_ROWS = envint("IMPORT_MAX_ROWS", 200_000, minimum=1)
IMPORT_INLINE_ROWS = envint("IMPORT_INLINE_ROWS", 200, minimum=0)
IMPORT_CHUNK_ROWS = envint("IMPORT_CHUNK_ROWS", 100, minimum=1)
PASSWORD_RESET_TIMEOUT = envint("PASSWORD_RESET_TIMEOUT", 3 * 24 * 3600, minimum=60)

REDIS_URL = env("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        # Django's Redis cache, keeping one client per connection pool (recert/lib).
        "default": {"BACKEND": "recert.lib.redis_cache.RedisCache", "LOCATION": REDIS_URL}
    }
    # Sessions read from Redis and written through to the database: every app server sees
    # the same sessions, and a Redis restart or eviction logs nobody out (docs/decisions.md).
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    # A per-process memory cache cannot front sessions (each gunicorn worker would keep
    # its own stale copy): the database alone.
    SESSION_ENGINE = "django.contrib.sessions.backends.db"

# A professional's evaluation is cached per version of their data (recert.core.evaluation);
# 0 turns the cache off.
EVALUATION_CACHE_SECONDS = envint("EVALUATION_CACHE_SECONDS", 24 * 3600, minimum=0)
# Entries per page of the credit log.
CREDITS_PAGE_SIZE = envint("CREDITS_PAGE_SIZE", 50, minimum=1)

# The API (recert/api): requests per token (or signed-in user) per window, counted in the
# cache (shared by every server process when REDIS_URL is set); over it, 429 + Retry-After.
API_RATE_LIMIT = envint("API_RATE_LIMIT", 120, minimum=1)
API_RATE_WINDOW_SECONDS = envint("API_RATE_WINDOW_SECONDS", 60, minimum=1)

# The public verification page (/verify/): lookups per client address per window, and the
# least time a lookup takes (found or not alike), so that timing does not tell IDs apart.
VERIFY_RATE_LIMIT = envint("VERIFY_RATE_LIMIT", 20, minimum=1)
VERIFY_RATE_WINDOW_SECONDS = envint("VERIFY_RATE_WINDOW_SECONDS", 600, minimum=1)
VERIFY_MIN_SECONDS = envint("VERIFY_MIN_MILLISECONDS", 300, minimum=0) / 1000
# Open Badges 3.0 (recert/verify/badges.py): the Ed25519 keys that sign badges, newest first
# (recert/lib/signing_keys.py says the format); none set: badges are not offered. The status
# lists are recomputed at most this often for the same state of the badges they cover.
BADGE_KEYS = parse_signing_keys(env("RECERT_BADGE_KEYS", ""))
BADGE_STATUS_CACHE_SECONDS = envint("BADGE_STATUS_CACHE_SECONDS", 300, minimum=0)

# Background work (recert/tasks.py) through Django's tasks API (the django-tasks backport).
# "default": work a person waits for (imports, reports); "batch": scheduled and bulk work
# (the nightly chunks, bulk e-mail). `recert worker` takes them in that order.
TASK_QUEUES = ["default", "batch"]
TASK_BACKEND = env("TASK_BACKEND", "rq" if REDIS_URL else "immediate").strip().lower()
if TASK_BACKEND == "immediate":
    # In-process, at enqueue time: the demo and the tests need no server.
    TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
                         "QUEUES": TASK_QUEUES}}
elif TASK_BACKEND == "rq":
    if not REDIS_URL:
        raise ImproperlyConfigured(
            "TASK_BACKEND=rq needs REDIS_URL (e.g. redis://127.0.0.1:6379/0); "
            "or set TASK_BACKEND=immediate to run tasks in-process.")
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": TASK_QUEUES}}
    # A chunk that runs longer than this is stopped by the worker and reported failed.
    RQ_QUEUES = {name: {"URL": REDIS_URL, "DEFAULT_TIMEOUT": envint(
        "TASK_TIMEOUT_SECONDS", 1800, minimum=1)} for name in TASK_QUEUES}
    # Results stay readable for a day, long after `recert nightly` has collected them.
    RQ = {"DEFAULT_RESULT_TTL": 24 * 3600,
          "QUEUE_CLASS": "recert.lib.task_queue.ResultKeepingQueue"}
    # Staff with the django_rq permission (superusers) see queues and failed jobs in the admin.
else:
    raise ImproperlyConfigured(
        f"TASK_BACKEND={TASK_BACKEND!r} is not a task backend; accepted: immediate, rq.")

# The nightly run: professionals per task (one transaction each; its row locks are held
# until the chunk commits), and how long `recert nightly` waits for the workers.
NIGHTLY_CHUNK_SIZE = envint("NIGHTLY_CHUNK_SIZE", 200, minimum=1)
NIGHTLY_WAIT_SECONDS = envint("NIGHTLY_WAIT_SECONDS", 3600, minimum=1)

# E-mail: printed to the console unless an SMTP host is configured.
EMAIL_HOST = env("EMAIL_HOST", "")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = envint("EMAIL_PORT", 587, minimum=1)
    EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", True)
    EMAIL_USE_SSL = envbool("EMAIL_USE_SSL", False)
    if EMAIL_USE_TLS and EMAIL_USE_SSL:
        raise ImproperlyConfigured("EMAIL_USE_TLS and EMAIL_USE_SSL are both on; turn one off.")
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Recert <recert@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Seconds an SMTP connection may block; a mail server that does not answer is a temporary
# failure (the reminder stays unsent and is tried again), never a hung nightly run.
EMAIL_TIMEOUT = envint("EMAIL_TIMEOUT", 30, minimum=1)
# Where the site is reached from outside: every link in an e-mail starts with it (no
# trailing slash). Required with DEBUG off (`check --deploy` reports it, recert.core.checks).
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000" if DEBUG else "").strip().rstrip("/")
# How often a queued e-mail is tried when the mail server refuses it for now (4xx, no
# connection), and the minutes between tries (doubling each time).
EMAIL_ATTEMPTS = envint("EMAIL_ATTEMPTS", 5, minimum=1)
EMAIL_RETRY_MINUTES = envint("EMAIL_RETRY_MINUTES", 5, minimum=1)

# Payments: offline (staff record cheques and phone payments) always; Stripe Checkout when
# both keys are set. STRIPE_API_BASE is overridable so tests talk to a local fake.
STRIPE_SECRET_KEY = env("STRIPE_SECRET_KEY", "")
STRIPE_WEBHOOK_SECRET = env("STRIPE_WEBHOOK_SECRET", "")
STRIPE_API_BASE = env("STRIPE_API_BASE", "https://api.stripe.com")

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STATIC_ROOT = DATA_DIR / "static"
MEDIA_URL = "media/"
MEDIA_ROOT = DATA_DIR / "media"
# Largest document (certificate) a professional may upload.
# How long an auditor's claim on an audit case keeps other auditors out (minutes).
AUDIT_CLAIM_MINUTES = envint("AUDIT_CLAIM_MINUTES", 30, minimum=1)
DOCUMENT_MAX_BYTES = envint("DOCUMENT_MAX_BYTES", 10 * 1024 * 1024, minimum=1)
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_PERMISSIONS = 0o640

# Development serves static files from the apps (finders); production from STATIC_ROOT.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
if DEBUG:
    # Before the first collectstatic the folder does not exist; that is expected here.
    warnings.filterwarnings("ignore", message="No directory at", module="whitenoise.base")

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Security: strict with DEBUG off, so that `recert manage check --deploy` is clean.
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = envbool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = envbool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", not DEBUG)
if envbool("SECURE_PROXY_SSL_HEADER", False):
    # Only behind a proxy that sets X-Forwarded-Proto itself.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Content Security Policy (django-csp): scripts, styles and images from our own static files
# only, so no inline script, no inline style attribute, no eval (htmx is told not to use it,
# see base.html), no plugins, no <base>, never framed, forms post only to us (and to Stripe
# Checkout, whose redirect Chromium checks against form-action, when Stripe is configured).
# Every page is checked in Chromium: tests/browser/test_csp.py.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [csp.SELF],
        "script-src": [csp.SELF],
        "style-src": [csp.SELF],
        "img-src": [csp.SELF],
        "object-src": [csp.NONE],
        "base-uri": [csp.NONE],
        "frame-ancestors": [csp.NONE],
        "form-action": [csp.SELF] + (["https://checkout.stripe.com"] if STRIPE_SECRET_KEY else []),
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "WARNING")},
}
