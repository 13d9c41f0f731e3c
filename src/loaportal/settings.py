"""LOA Portal settings.

Everything that differs between a laptop and production comes from the environment, with embedded
defaults that need no outside server: an SQLite file, a database-backed cache and task queue, and a
development mailbox instead of SMTP. See the README's "Configuration" section for every variable.
"""

import secrets
from pathlib import Path
from typing import Any

import environ
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent

env = environ.Env()

# Where the portal keeps its state on a single host (SQLite file, generated secret key).
VAR_DIR = Path(env.str("LOAPORTAL_VAR_DIR", default=str(Path.cwd() / "var"))).resolve()

# "production" hardens cookies and transport and refuses the development conveniences.
ENVIRONMENT = env.str("LOAPORTAL_ENVIRONMENT", default="development")
if ENVIRONMENT not in {"development", "production"}:
    raise environ.ImproperlyConfigured("LOAPORTAL_ENVIRONMENT must be development or production")
PRODUCTION = ENVIRONMENT == "production"

DEBUG = env.bool("DEBUG", default=False)


def _secret(variable: str, file_name: str) -> str:
    """A secret from the environment; in development, generated once into the var directory."""
    value = env.str(variable, default="")
    if value:
        return value
    if PRODUCTION:
        raise environ.ImproperlyConfigured(f"{variable} must be set in production")
    key_file = VAR_DIR / file_name
    if not key_file.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret("SECRET_KEY", "secret_key")
# Key rotation (deploy/RUNBOOK.md): the previous key(s), comma-separated, still accepted for
# sessions, signed cookies and emails queued before the rotation, until they have expired.
SECRET_KEY_FALLBACKS = env.list("SECRET_KEY_FALLBACKS", default=[])
# The key of the audit trail's hash chain (loaportal.audit.chain). Kept outside the database,
# and apart from SECRET_KEY so that either can be rotated alone; changing it makes every
# existing entry fail `loaportal verify_audit`, so keep it for the life of the trail.
AUDIT_HMAC_KEY = _secret("AUDIT_HMAC_KEY", "audit_hmac_key")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "loaportal.core",
    "loaportal.accounts",
    "loaportal.institutions",
    "loaportal.invitations",
    "loaportal.terms",
    "loaportal.notifications",
    "loaportal.audit",
    "loaportal.user_changes",
    "loaportal.verifications",
    "loaportal.statistics",
    "loaportal.webhooks",
    "loaportal.amendments",
    "loaportal.decision_files",
    "loaportal.admissions",
    "loaportal.officers",
    "loaportal.api",
    "loaportal.reminders",
    # The Django admin, trimmed and bilingual for officers (``loaportal.core.admin_site``).
    "loaportal.core.admin_site.BackOfficeAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "allauth",
    "allauth.account",
    # The optional second factor (TOTP, WebAuthn security keys, recovery codes), required for
    # officers (accounts.mfa, ADR 0016).
    "allauth.mfa",
    # Tracks each user's sessions so that deactivating an account ends them at once (OWASP
    # ASVS 7.4.2) and people can see and end their own sessions (ASVS 7.5.2).
    "allauth.usersessions",
    "django_tasks",
    "django_tasks_db",
    "django_rq",
]

MIDDLEWARE = [
    # A request id for every log line of the request and its tasks (core.logging).
    "loaportal.core.logging.RequestIdMiddleware",
    "loaportal.core.middleware.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "loaportal.core.middleware.SecurityHeadersMiddleware",
    "loaportal.core.middleware.NullCharacterMiddleware",
    "loaportal.audit.context.AuditContextMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "loaportal.core.sessions.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "loaportal.accounts.middleware.SessionLifetimeMiddleware",
    "loaportal.accounts.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "loaportal.core.access.AccessMiddleware",
]

ROOT_URLCONF = "loaportal.urls"
WSGI_APPLICATION = "loaportal.wsgi.application"

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
                "django.template.context_processors.i18n",
                "loaportal.core.context_processors.portal",
                "loaportal.notifications.context_processors.mailbox",
            ],
        },
    },
]

# --- Data -------------------------------------------------------------------------------------
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'loaportal.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE transactions and WAL let the web server and the worker share the file
    # without "database is locked" errors.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
    if not str(DATABASES["default"]["NAME"]).startswith(":memory:"):
        VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Production (make prod, deploy/): keep connections between requests, checked before reuse so
# that a restarted or failed-over PostgreSQL is reconnected to instead of failing a request.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"].setdefault("TEST", {})["NAME"] = env.str("TEST_DATABASE_NAME", default=None)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "loaportal",
            # Fail fast when Redis is gone: rate limits fall back to the database and sessions
            # to their database rows (ADR 0011) instead of waiting on a dead connection.
            "OPTIONS": {
                "socket_connect_timeout": env.float("REDIS_CONNECT_TIMEOUT", default=1.0),
                "socket_timeout": env.float("REDIS_TIMEOUT", default=2.0),
            },
        }
    }
else:
    # Rate limits need a cache every process shares; the database is the one shared thing
    # the embedded default has. The table is created by a migration (core 0001).
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "loaportal_cache",
        }
    }

# --- Background tasks ---------------------------------------------------------------------------
TASKS_BACKEND = env.str("TASKS_BACKEND", default="database")
_TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "redis": "django_tasks_rq.RQBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}
if TASKS_BACKEND not in _TASK_BACKENDS:
    raise environ.ImproperlyConfigured(f"TASKS_BACKEND must be one of {sorted(_TASK_BACKENDS)}")
if TASKS_BACKEND == "redis" and not REDIS_URL:
    raise environ.ImproperlyConfigured("TASKS_BACKEND=redis needs REDIS_URL")
TASKS: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": _TASK_BACKENDS[TASKS_BACKEND], "QUEUES": ["default"]}
}
RQ_QUEUES = {"default": {"URL": REDIS_URL or "redis://127.0.0.1:6379/0"}}
# The Django-RQ dashboard in the back office only when the Redis queue is the one in use (its
# jobs carry an outbox row's id, never an email's content).
RQ_SHOW_ADMIN_LINK = TASKS_BACKEND == "redis"
# A task still RUNNING this long after it started is presumed abandoned by a dead worker and is
# put back in the queue by `loaportal worker` (database queue).
TASKS_RUNNING_TIMEOUT_SECONDS = env.int("TASKS_RUNNING_TIMEOUT_SECONDS", default=15 * 60)
# Finished task rows, delivered or abandoned emails and development-mailbox copies are deleted
# after this many days (`loaportal purge_outbox`, also run hourly by the worker).
TASKS_RETENTION_DAYS = env.int("TASKS_RETENTION_DAYS", default=7)

# --- Email --------------------------------------------------------------------------------------
EMAIL_URL = env.str("EMAIL_URL", default="")
if not EMAIL_URL and PRODUCTION:
    raise environ.ImproperlyConfigured("EMAIL_URL must be set in production")
# The development mailbox (every emailed code, readable without signing in) exists only with no
# mail server and outside production, and only for visitors on this machine (notifications.views).
MAILBOX_ENABLED = not EMAIL_URL and not PRODUCTION
if MAILBOX_ENABLED:
    EMAIL_BACKEND = "loaportal.notifications.backends.MailboxBackend"
else:
    vars().update(env.email_url("EMAIL_URL"))
DEFAULT_FROM_EMAIL = env.str(
    "DEFAULT_FROM_EMAIL", default="LOA Portal <no-reply@loaportal.localhost>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
# At-least-once delivery (notifications.delivery): a failed attempt is retried after
# EMAIL_RETRY_FIRST_SECONDS, doubling up to EMAIL_RETRY_MAX_INTERVAL_SECONDS, for as long as the
# message is useful: a code's own lifetime, EMAIL_DELIVERY_WINDOW_SECONDS for everything else.
EMAIL_RETRY_FIRST_SECONDS = env.int("EMAIL_RETRY_FIRST_SECONDS", default=5)
EMAIL_RETRY_MAX_INTERVAL_SECONDS = env.int("EMAIL_RETRY_MAX_INTERVAL_SECONDS", default=10 * 60)
EMAIL_DELIVERY_WINDOW_SECONDS = env.int("EMAIL_DELIVERY_WINDOW_SECONDS", default=48 * 60 * 60)
# A delivery not finished this long after a worker claimed it is presumed lost with its worker
# and is tried again (a duplicate is recognisable by its Message-ID).
EMAIL_SENDING_LEASE_SECONDS = env.int(
    "EMAIL_SENDING_LEASE_SECONDS", default=max(120, 3 * EMAIL_TIMEOUT)
)

# --- Accounts -----------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["allauth.account.auth_backends.AuthenticationBackend"]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

PASSWORD_HASHERS = ["loaportal.accounts.hashers.PortalArgon2PasswordHasher"]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 15},
    },
    {
        "NAME": "loaportal.accounts.validators.MaximumLengthValidator",
        "OPTIONS": {"max_length": 128},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("email", "surname", "given_names")},
    },
    {"NAME": "loaportal.accounts.validators.ContextWordsValidator"},
    {"NAME": "loaportal.accounts.validators.RepetitionValidator"},
]

# Sessions: 30 minutes idle, 12 hours overall (OWASP ASVS 4.0.3 3.3.2 at L2).
# With Redis, sessions are read from the cache and written through to the database
# (cached_db): every instance sees the same session, and one that cannot reach Redis falls
# back to the database instead of signing people out.
SESSION_ENGINE = "loaportal.core.sessions" if REDIS_URL else "django.contrib.sessions.backends.db"
# How long a session's cached copy lives at most (loaportal.core.sessions).
SESSION_CACHE_SECONDS = env.int("SESSION_CACHE_SECONDS", default=5 * 60)
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_SECONDS", default=30 * 60)
# The idle limit is the session's expiry, moved by each write of the session. A session that did
# not change is written again only when its last write is this old (core.sessions, ADR 0020):
# one write a minute instead of one per page; sign-out after 29–30 minutes idle.
SESSION_SAVE_EVERY_REQUEST = False
SESSION_WRITE_SECONDS = env.int("SESSION_WRITE_SECONDS", default=60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_ABSOLUTE_SECONDS = env.int("SESSION_ABSOLUTE_SECONDS", default=12 * 60 * 60)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

ACCOUNT_ADAPTER = "loaportal.accounts.adapter.AccountAdapter"
ACCOUNT_FORMS = {
    "signup": "loaportal.invitations.forms.SignupForm",
    "login": "loaportal.accounts.forms.LoginForm",
    "confirm_login_code": "loaportal.accounts.forms.ConfirmLoginCodeForm",
    "confirm_email_verification_code": "loaportal.accounts.forms.ConfirmEmailCodeForm",
    "reset_password": "loaportal.accounts.forms.ResetPasswordForm",
    "confirm_password_reset_code": "loaportal.accounts.forms.ConfirmPasswordResetCodeForm",
    "reset_password_from_key": "loaportal.accounts.forms.ResetPasswordKeyForm",
    "change_password": "loaportal.accounts.forms.ChangePasswordForm",
}
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = True
ACCOUNT_EMAIL_VERIFICATION_SUPPORTS_RESEND = 5
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_MAX_ATTEMPTS = 5
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_LOGIN_BY_CODE_ENABLED = False  # no password-less entry
ACCOUNT_LOGIN_BY_CODE_REQUIRED = {"password"}
ACCOUNT_LOGIN_BY_CODE_MAX_ATTEMPTS = 3
ACCOUNT_LOGIN_BY_CODE_SUPPORTS_RESEND = 5
# Each emailed sign-in code is valid this long from its own sending (the seed's 3 minutes).
ACCOUNT_LOGIN_BY_CODE_TIMEOUT = env.int("LOGIN_CODE_VALIDITY_SECONDS", default=3 * 60)
# A whole sign-in (password, then codes) must finish within this; then it starts over.
ACCOUNT_LOGIN_TIMEOUT = env.int("SIGNIN_TIMEOUT_SECONDS", default=15 * 60)
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
# Forgotten password: a 6-digit code emailed to the address, valid 10 minutes, 3 tries.
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = True
ACCOUNT_PASSWORD_RESET_BY_CODE_TIMEOUT = 10 * 60
ACCOUNT_PASSWORD_RESET_BY_CODE_MAX_ATTEMPTS = 3
ACCOUNT_PASSWORD_INPUT_RENDER_VALUE = False
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    # Wrong passwords per address; per account (below) except from a browser that signed in
    # to the account before (accounts.devices), so an attacker cannot lock the owner out.
    "login_failed": "10/m/ip",
    "login_failed_account": "10/5m/key,100/h/key",
    "signup": "20/m/ip,100/h/ip",
    "confirm_email": "1/10s/key,10/h/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
    # The portal's own actions (same mechanism): a DLI's invitations and requests to IRCC.
    "invitation_send": "30/h/user,200/d/user",
    "user_change_request": "10/h/user",
    # CSV exports of verification requests (each may read tens of thousands of rows).
    "verification_export": "30/h/user",
    # Wrong second-factor codes per account, whatever the address (accounts.mfa_forms); allauth
    # also counts them per address under "login_failed".
    "mfa_failed_account": "10/5m/key,30/h/key",
}
# Behind reverse proxies: how many of them append to X-Forwarded-For (0: use REMOTE_ADDR).
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
# Per-account limits on emailed codes (accounts.codes); a known browser is exempt.
CODE_FAILURES_PER_ACCOUNT_HOUR = 10
CODE_EMAILS_PER_ACCOUNT_HOUR = 10
# How long a browser stays "known" for an account after a complete sign-in.
KNOWN_DEVICE_DAYS = 90
ALLAUTH_USER_CODE_FORMAT = {"numeric": True, "length": 6, "dashed": False}

# --- Second factor (allauth.mfa; accounts.mfa, ADR 0016) ----------------------------------------
# After the password and the emailed code, an account with an authenticator app (TOTP) or a
# security key (WebAuthn) is asked for it; officers must have one (a gate sends them to set one
# up before any other page). Recovery codes are generated with the first authenticator.
MFA_ADAPTER = "loaportal.accounts.mfa.MFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
MFA_FORMS = {
    "authenticate": "loaportal.accounts.mfa_forms.AuthenticateForm",
    "reauthenticate": "loaportal.accounts.mfa_forms.ReauthenticateForm",
    "activate_totp": "loaportal.accounts.mfa_forms.ActivateTOTPForm",
}
MFA_TOTP_ISSUER = env.str("MFA_TOTP_ISSUER", default="LOA Portal")
MFA_TOTP_PERIOD = 30
MFA_TOTP_DIGITS = 6
# One step either side: a phone's clock a few seconds off still works. Each code is accepted
# once only (accounts.mfa_forms: the last step used is kept on the authenticator's row).
MFA_TOTP_TOLERANCE = 1
MFA_RECOVERY_CODE_COUNT = 10
MFA_PASSKEY_LOGIN_ENABLED = False  # a security key is a second factor, never the only one
MFA_PASSKEY_SIGNUP_ENABLED = False
MFA_TRUST_ENABLED = False  # no "trust this browser": the second factor at every sign-in
MFA_WEBAUTHN_USER_VERIFICATION = "preferred"
# WebAuthn needs HTTPS; http://localhost is allowed outside production only (development, tests).
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = not PRODUCTION
# Wrong second-factor codes allowed in one sign-in before it starts over (password again).
MFA_MAX_ATTEMPTS_PER_SIGN_IN = 5
# Adding or removing an authenticator asks for the password (or the second factor) again when
# the last sign-in step is older than this.
ACCOUNT_REAUTHENTICATION_TIMEOUT = 5 * 60
# The password, or the second factor; not an emailed code (the email account is what a second
# factor guards against).
ACCOUNT_REAUTHENTICATION_METHODS = ("password", "mfa")

# The address people use to reach the portal, for links in emails.
PORTAL_URL = env.str("PORTAL_URL", default="http://127.0.0.1:8000").rstrip("/")
INVITATION_VALIDITY_DAYS = env.int("INVITATION_VALIDITY_DAYS", default=14)

# --- Verification requests ----------------------------------------------------------------------
# The students' documents: a private folder (never under the static files, never served
# directly; see verifications.storage), and the largest document accepted at intake.
VERIFICATION_DOCUMENTS_DIR = Path(
    env.str("VERIFICATION_DOCUMENTS_DIR", default=str(VAR_DIR / "documents"))
).resolve()
VERIFICATION_DOCUMENT_MAX_BYTES = env.int(
    "VERIFICATION_DOCUMENT_MAX_BYTES", default=10 * 1024 * 1024
)
# Decisions by file (README "Decisions by file"): the largest file and the most rows accepted.
DECISION_FILE_MAX_BYTES = env.int("DECISION_FILE_MAX_BYTES", default=5 * 1024 * 1024)
DECISION_FILE_MAX_ROWS = env.int("DECISION_FILE_MAX_ROWS", default=20_000)
# Matching help: an admissions list is deleted this many days after its upload.
ADMISSIONS_RETENTION_DAYS = env.int("ADMISSIONS_RETENTION_DAYS", default=30)

# Statistics (README "Statistics"): a DLI is "at risk" when at least
# STATISTICS_AT_RISK_PENDING of its pending requests fall due within STATISTICS_AT_RISK_HOURS,
# or when, of its requests whose deadline passed in the last STATISTICS_AT_RISK_DAYS days (at
# least STATISTICS_AT_RISK_MIN_CLOSED of them), the share left without a response reaches
# STATISTICS_AT_RISK_NO_RESPONSE_RATE.
# How often the worker recomputes the recent months of the statistics' summary (every month is
# recomputed once a day).
STATISTICS_REFRESH_SECONDS = env.int("STATISTICS_REFRESH_SECONDS", default=5 * 60)
STATISTICS_AT_RISK_HOURS = env.int("STATISTICS_AT_RISK_HOURS", default=72)
STATISTICS_AT_RISK_SOON_HOURS = env.int("STATISTICS_AT_RISK_SOON_HOURS", default=24)
STATISTICS_AT_RISK_PENDING = env.int("STATISTICS_AT_RISK_PENDING", default=20)
STATISTICS_AT_RISK_DAYS = env.int("STATISTICS_AT_RISK_DAYS", default=90)
STATISTICS_AT_RISK_MIN_CLOSED = env.int("STATISTICS_AT_RISK_MIN_CLOSED", default=20)
STATISTICS_AT_RISK_NO_RESPONSE_RATE = env.float("STATISTICS_AT_RISK_NO_RESPONSE_RATE", default=0.05)
# Where the documents are stored (verifications.storage, ADR 0010): empty or file:///path for a
# local folder (VERIFICATION_DOCUMENTS_DIR by default), or an S3-compatible object store:
# s3://BUCKET/PREFIX?endpoint_url=https://…&region=ca-central-1[&sse=AES256].
DOCUMENTS_STORAGE_URL = env.str("DOCUMENTS_STORAGE_URL", default="")
# Retention (verifications.retention): the documents of requests closed more than this many
# years ago are deleted; the requests and their decisions are kept. Set it from the records
# schedule that applies to the deployment.
DOCUMENT_RETENTION_YEARS = env.int("DOCUMENT_RETENTION_YEARS", default=7)
# --- API and webhooks (README "API") ---------------------------------------------------------
# A new token is valid this many days unless its creator says otherwise.
API_TOKEN_DEFAULT_DAYS = env.int("API_TOKEN_DEFAULT_DAYS", default=365)
# Calls per token per minute (a sliding window, core.ratelimit); past it: 429 with Retry-After.
API_RATE_LIMIT_PER_MINUTE = env.int("API_RATE_LIMIT_PER_MINUTE", default=600)
# The change feeds (``updated_since``) leave out changes younger than this, so that a poller
# never steps past a change whose transaction commits a moment after a later one.
API_FEED_SETTLE_SECONDS = env.int("API_FEED_SETTLE_SECONDS", default=2)
# Webhook deliveries: each attempt waits at most WEBHOOK_TIMEOUT_SECONDS for the receiver; a
# failed one is tried again after WEBHOOK_RETRY_FIRST_SECONDS, doubling up to
# WEBHOOK_RETRY_MAX_INTERVAL_SECONDS, WEBHOOK_MAX_ATTEMPTS times in all.
WEBHOOK_TIMEOUT_SECONDS = env.float("WEBHOOK_TIMEOUT_SECONDS", default=5.0)
WEBHOOK_RETRY_FIRST_SECONDS = env.int("WEBHOOK_RETRY_FIRST_SECONDS", default=30)
WEBHOOK_RETRY_MAX_INTERVAL_SECONDS = env.int("WEBHOOK_RETRY_MAX_INTERVAL_SECONDS", default=3600)
WEBHOOK_MAX_ATTEMPTS = env.int("WEBHOOK_MAX_ATTEMPTS", default=10)
# Receivers must be HTTPS on a public address. Outside production, http://127.0.0.1 and
# http://localhost are accepted and private addresses are reached (a developer's receiver);
# production refuses both (no request forgery towards the portal's own network).
WEBHOOK_ALLOW_LOCAL_TARGETS = env.bool("WEBHOOK_ALLOW_LOCAL_TARGETS", default=not PRODUCTION)
if PRODUCTION and WEBHOOK_ALLOW_LOCAL_TARGETS:
    raise environ.ImproperlyConfigured("WEBHOOK_ALLOW_LOCAL_TARGETS cannot be on in production")

# --- Internationalisation -----------------------------------------------------------------------
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("Français")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
# Canadian date and time formats ("15 h 12" in French) over Django's (loaportal/formats/).
FORMAT_MODULE_PATH = ["loaportal.formats"]
USE_I18N = True
TIME_ZONE = env.str("TIME_ZONE", default="America/Toronto")
USE_TZ = True

# --- Static files -------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"  # only used by an optional collectstatic
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# Served straight from the installed package: `pip install .` needs no collectstatic step.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# --- Branding -----------------------------------------------------------------------------------
# The GC signature and Canada wordmark are for official Government of Canada deployments only.
OFFICIAL_DEPLOYMENT = env.bool("OFFICIAL_DEPLOYMENT", default=False)
PORTAL_VERSION = env.str("PORTAL_VERSION", default="")

# --- Security -----------------------------------------------------------------------------------
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "loaportal.core.views.csrf_failure"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    # The portal's host name and every name under it are HTTPS-only (check --deploy is clean).
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # The load balancer's probe comes over plain HTTP (see core.middleware.HealthCheckMiddleware).
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
DATA_UPLOAD_MAX_NUMBER_FIELDS = 200

# --- Logs, readiness and metrics (core.logging, core.health; README "Operations") -----------
# LOG_FORMAT=json: one JSON object a line with the request id; "text" for a terminal. Every
# record goes through RedactSecretsFilter (no code, password, token or document in a log).
LOG_FORMAT = env.str("LOG_FORMAT", default="text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "redact": {"()": "loaportal.core.logging.RedactSecretsFilter"},
        "request_id": {"()": "loaportal.core.logging.RequestIdFilter"},
    },
    "formatters": {
        "json": {"()": "loaportal.core.logging.JsonFormatter"},
        "text": {"format": "%(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id", "redact"],
            "formatter": "json" if LOG_FORMAT == "json" else "text",
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.server": {"level": "INFO"},
        # One line per request (core.logging.RequestIdMiddleware); WARNING hides them.
        "loaportal.request": {
            "level": env.str("REQUEST_LOG_LEVEL", default="INFO" if PRODUCTION else "WARNING")
        },
    },
}
# /metrics: these addresses (REMOTE_ADDR, networks allowed), or a bearer token.
METRICS_ALLOWED_IPS = env.list("METRICS_ALLOWED_IPS", default=["127.0.0.1/32", "::1/128"])
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
