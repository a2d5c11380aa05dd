"""Settings, read once from TCMA_* environment variables.

Every setting has a default that needs nothing installed; production mode refuses to start
without a secret key instead of silently using a development one.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

DEV_SECRET_KEY = "tcma-development-secret-key-not-for-production"  # noqa: S105


class ConfigError(RuntimeError):
    """Raised at start-up when the configuration cannot work."""


def _bool(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(env: dict, name: str, default: int) -> int:
    raw = env.get(name)
    if raw in (None, ""):
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from exc


def _hops(env: dict) -> int:
    hops = _int(env, "TCMA_TRUSTED_PROXY_HOPS", 0)
    if not 0 <= hops <= 5:
        raise ConfigError(f"TCMA_TRUSTED_PROXY_HOPS must be between 0 and 5, got {hops}")
    return hops


def _seconds(env: dict, name: str, default: float) -> float:
    raw = env.get(name)
    if raw in (None, ""):
        return default
    try:
        value = float(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a number of seconds, got {raw!r}") from exc
    if not 0 < value <= 300:
        raise ConfigError(f"{name} must be more than 0 and at most 300 seconds, got {raw!r}")
    return value


def load_config(instance_path: str, env: dict | None = None) -> dict:
    """Return the Flask config mapping built from the environment."""
    env = dict(os.environ if env is None else env)
    instance = Path(instance_path)
    mode = env.get("TCMA_ENV", "development").strip().lower()
    if mode not in {"development", "production"}:
        raise ConfigError(f"TCMA_ENV must be 'development' or 'production', got {mode!r}")
    secret = env.get("TCMA_SECRET_KEY", "")
    if not secret:
        if mode == "production":
            raise ConfigError(
                "TCMA_SECRET_KEY is not set. In production tcma needs a long random secret, "
                "e.g. TCMA_SECRET_KEY=$(python -c 'import secrets; print(secrets.token_hex(32))')"
            )
        secret = DEV_SECRET_KEY
    port = _int(env, "PORT", 5000)
    # Unset, links follow the port the app is served on (`tcma serve` also follows --port).
    base_url = (env.get("TCMA_BASE_URL") or f"http://127.0.0.1:{port}").rstrip("/")
    secure_cookies = _bool(env.get("TCMA_SECURE_COOKIES"), base_url.startswith("https://"))
    return {
        "ENV_MODE": mode,
        "SECRET_KEY": secret,
        "DATABASE_URL": env.get("TCMA_DATABASE_URL") or f"sqlite:///{instance / 'tcma.sqlite3'}",
        "SQLITE_BUSY_TIMEOUT": _int(env, "TCMA_SQLITE_BUSY_TIMEOUT", 30),
        "STORAGE_URL": env.get("TCMA_STORAGE_URL") or f"file://{instance / 'storage'}",
        "S3_ENDPOINT_URL": env.get("TCMA_S3_ENDPOINT_URL") or None,
        "S3_CONNECT_TIMEOUT": _seconds(env, "TCMA_S3_CONNECT_TIMEOUT", 2.0),
        "S3_READ_TIMEOUT": _seconds(env, "TCMA_S3_READ_TIMEOUT", 5.0),
        "S3_MAX_ATTEMPTS": max(1, _int(env, "TCMA_S3_MAX_ATTEMPTS", 2)),
        "HEALTH_CHECK_TIMEOUT": _seconds(env, "TCMA_HEALTH_CHECK_TIMEOUT", 1.5),
        "PREVIEWS_PER_USER": max(1, _int(env, "TCMA_PREVIEWS_PER_USER", 2)),
        "SMTP_URL": env.get("TCMA_SMTP_URL", ""),
        "QUEUE_URL": env.get("TCMA_QUEUE_URL", "").strip(),
        "QUEUE_NAME": env.get("TCMA_QUEUE_NAME", "tcma").strip() or "tcma",
        # A running job whose worker has not written its heartbeat for this long is failed by
        # the sweep (its worker died); the worker writes one every third of it.
        # Partners hear once per allocation when unspent MDF expires within this many days.
        "FUND_EXPIRY_REMINDER_DAYS": _int(env, "TCMA_FUND_EXPIRY_REMINDER_DAYS", 30),
        "JOB_LEASE_SECONDS": _int(env, "TCMA_JOB_LEASE_SECONDS", 300),
        # The first wait before an SMTP failure is tried again (then doubled, 6 tries).
        "MAIL_RETRY_DELAY": _int(env, "TCMA_MAIL_RETRY_DELAY", 30),
        "JOB_MODULES": [m for m in env.get("TCMA_JOB_MODULES", "").split(",") if m.strip()],
        "MAIL_FROM": env.get("TCMA_MAIL_FROM", "tcma <no-reply@tcma.localhost>"),
        # Partner mailings: From <localpart@domain> with the partner's name, envelope
        # sender bounces@domain, DKIM-signed when a private key file is given.
        "MAILING_DOMAIN": env.get("TCMA_MAILING_DOMAIN", "").strip().lower(),
        "MAILING_LOCALPART": env.get("TCMA_MAILING_LOCALPART", "partners").strip() or "partners",
        "DKIM_SELECTOR": env.get("TCMA_DKIM_SELECTOR", "tcma").strip() or "tcma",
        "DKIM_KEY_FILE": env.get("TCMA_DKIM_KEY_FILE", "").strip(),
        "MAILING_BATCH_SIZE": max(1, _int(env, "TCMA_MAILING_BATCH_SIZE", 200)),
        # Deliveries claimed in one UPDATE and recorded together; also the most a killed
        # worker can leave unconfirmed (never sent twice).
        "MAILING_WINDOW": max(1, _int(env, "TCMA_MAILING_WINDOW", 25)),
        # A sending mailing whose batches made no progress for this long has its waiting
        # deliveries queued again (a worker died holding a batch).
        "MAILING_STALL_SECONDS": max(0, _int(env, "TCMA_MAILING_STALL_SECONDS", 600)),
        # Sending rates in messages per minute, shared by all workers (0: unlimited), counted
        # over windows of MAIL_RATE_WINDOW seconds in the queue's storage.
        "MAIL_RATE_PER_PARTNER": max(0, _int(env, "TCMA_MAIL_RATE_PER_PARTNER", 0)),
        "MAIL_RATE_TOTAL": max(0, _int(env, "TCMA_MAIL_RATE_TOTAL", 0)),
        "MAIL_RATE_WINDOW": max(1.0, _seconds(env, "TCMA_MAIL_RATE_WINDOW", 60.0)),
        # The Standard Webhooks secret (whsec_…) an ESP signs bounce and complaint events
        # with (POST /mail/events); unset, that endpoint answers 404.
        "MAIL_EVENTS_SECRET": env.get("TCMA_MAIL_EVENTS_SECRET", "").strip(),
        "BASE_URL": base_url,
        "BASE_URL_IS_SET": bool(env.get("TCMA_BASE_URL")),
        "VENDOR_NAME": env.get("TCMA_VENDOR_NAME", "Northbeam Software"),
        "VENDOR_WEBSITE": env.get("TCMA_VENDOR_WEBSITE", "https://www.northbeam.example"),
        "RATELIMIT_STORAGE_URI": env.get("TCMA_RATELIMIT_STORAGE_URL", "memory://"),
        "RATELIMIT_ENABLED": _bool(env.get("TCMA_RATELIMIT_ENABLED"), True),
        "LANDING_LEAD_RATE_LIMIT": env.get(
            "TCMA_LANDING_LEAD_RATE_LIMIT", "10 per minute; 60 per hour"
        ),
        # How long a process keeps a landing page's campaign facts (0: read them every time).
        "LANDING_CACHE_SECONDS": _int(env, "TCMA_LANDING_CACHE_SECONDS", 5),
        # Lead/opportunity CSV exports with more rows than this are written by a background job
        # (progress, then a download link) instead of streaming through a web worker.
        "EXPORT_STREAM_MAX_ROWS": max(1, _int(env, "TCMA_EXPORT_STREAM_MAX_ROWS", 50_000)),
        # Render worker processes per web process (started on the first render, or at fork).
        "RENDER_WORKERS": _int(env, "TCMA_RENDER_WORKERS", 2),
        "API_RATE_LIMIT": env.get("TCMA_API_RATE_LIMIT", "600 per minute"),
        "WEBHOOK_ALLOW_PRIVATE": _bool(env.get("TCMA_WEBHOOK_ALLOW_PRIVATE"), False),
        "LOGIN_ACCOUNT_RATE_LIMIT": env.get(
            "TCMA_LOGIN_ACCOUNT_RATE_LIMIT", "10 per 15 minutes; 30 per day"
        ),
        "TRUSTED_PROXY_HOPS": _hops(env),
        "LEAD_REPEAT_WINDOW": dt.timedelta(hours=_int(env, "TCMA_LEAD_REPEAT_HOURS", 24)),
        "MAX_CONTENT_LENGTH": _int(env, "TCMA_MAX_UPLOAD_MB", 60) * 1024 * 1024,
        "INVITATION_MAX_AGE": _int(env, "TCMA_INVITATION_DAYS", 7) * 86400,
        "PASSWORD_RESET_MAX_AGE": _int(env, "TCMA_PASSWORD_RESET_HOURS", 2) * 3600,
        "PORT": port,
        "LOG_LEVEL": env.get("TCMA_LOG_LEVEL", "INFO").upper(),
        "SESSION_COOKIE_NAME": "tcma_session",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": secure_cookies,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": secure_cookies,
        "PREFERRED_URL_SCHEME": "https" if base_url.startswith("https://") else "http",
        "WTF_CSRF_TIME_LIMIT": None,
        "TEMPLATES_AUTO_RELOAD": mode == "development",
    }
