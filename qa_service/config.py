"""Settings from the environment, with embedded defaults that need no server.

Defaults: a SQLite file in `./instance` (relative to the working directory, never the
package's folder: an installed package lives in read-only site-packages), a local blob
directory, jobs run in-process.  `DATABASE_URL` (PostgreSQL), `REDIS_URL` (real RQ workers)
and `BLOB_URL` switch to the production parts.  Reading settings does no I/O beyond the
environment.  This is the only module that reads the environment for the service's own
settings; entry points build `Settings` once and pass it down.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from qa_service.core.errors import UserFacingError
from qa_service.core.resources import Locations

INSECURE_DEV_KEY = "dev-only-not-secret"

ENVIRONMENTS = ("production", "demo", "test")
DATABASE_SCHEMES = ("sqlite", "postgresql", "postgres")  # postgres:// is what Heroku-style hosts hand out


class ConfigError(UserFacingError):
    """The environment does not describe a runnable service."""


def _positive_int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if not raw:
        return default
    if not raw.isdigit() or int(raw) <= 0:
        raise ConfigError(f"{name}: целое число больше нуля, а не {raw!r}",
                          f"{name}: a whole number above zero, not {raw!r}")
    return int(raw)


def _optional_path(env: Mapping[str, str], name: str) -> Path | None:
    raw = env.get(name)
    return Path(raw).absolute() if raw else None


def _default_instance_dir() -> Path:
    return Path.cwd() / "instance"


def _default_asr_threads() -> int:
    # Two CTranslate2 threads saturate the measured 2-core worker; fewer on a 1-core box.
    return min(2, os.cpu_count() or 1)


def _retry_intervals(env: Mapping[str, str]) -> tuple[int, ...]:
    raw = env.get("QA_JOB_RETRY_INTERVALS")
    if not raw:
        return Settings.retry_intervals
    try:
        intervals = tuple(int(part) for part in raw.split(","))
    except ValueError:
        raise ConfigError(
            f"QA_JOB_RETRY_INTERVALS: целые секунды через запятую, а не {raw!r}",
            f"QA_JOB_RETRY_INTERVALS: comma-separated whole seconds, not {raw!r}",
        ) from None
    if any(i < 0 for i in intervals):
        raise ConfigError("QA_JOB_RETRY_INTERVALS: без отрицательных", "QA_JOB_RETRY_INTERVALS: no negatives")
    return intervals


def _operators(env: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    """QA_PLATFORM_OPERATORS: `tenant-slug:e-mail` pairs, comma-separated.

    The tenant is part of each entry because a tenant admin may create a user with any e-mail
    inside their own tenant: an e-mail alone would let them make themselves an operator.
    """
    pairs = []
    for part in (env.get("QA_PLATFORM_OPERATORS") or "").split(","):
        if not part.strip():
            continue
        slug, _, email = part.strip().partition(":")
        if not slug or "@" not in email:
            raise ConfigError(
                f"QA_PLATFORM_OPERATORS: ожидается «клиент:e-mail» через запятую, а не {part.strip()!r}",
                f"QA_PLATFORM_OPERATORS: expected comma-separated tenant-slug:e-mail, not {part.strip()!r}",
            )
        pairs.append((slug.strip(), email.strip().lower()))
    return tuple(pairs)


def _networks(env: Mapping[str, str], name: str) -> tuple[str, ...]:
    """A comma-separated list of networks (`10.0.0.0/8`, `127.0.0.1`), checked here."""
    import ipaddress

    networks = tuple(part.strip() for part in (env.get(name) or "").split(",") if part.strip())
    for network in networks:
        try:
            ipaddress.ip_network(network, strict=False)
        except ValueError:
            raise ConfigError(f"{name}: не сеть {network!r} (например, 10.0.0.0/8)",
                              f"{name}: not a network {network!r} (e.g. 10.0.0.0/8)") from None
    return networks


def _tenant_pairs(env: Mapping[str, str], name: str, example: str) -> tuple[tuple[str, str], ...]:
    """`tenant-slug:value` pairs, comma-separated; `*` as the slug applies to tenants without their own."""
    pairs = []
    for part in (env.get(name) or "").split(","):
        if not part.strip():
            continue
        slug, _, value = part.strip().partition(":")
        if not slug.strip() or not value.strip():
            raise ConfigError(f"{name}: ожидается «клиент:значение» через запятую ({example}), а не {part.strip()!r}",
                              f"{name}: expected comma-separated tenant-slug:value ({example}), not {part.strip()!r}")
        pairs.append((slug.strip(), value.strip()))
    return tuple(pairs)


def _connector_roots(env: Mapping[str, str]) -> tuple[tuple[str, Path], ...]:
    """QA_CONNECTOR_ROOTS: each tenant's one folder for drop-folder connectors (absolute paths)."""
    roots = []
    for slug, value in _tenant_pairs(env, "QA_CONNECTOR_ROOTS", "airline-a:/srv/drops/airline-a"):
        if not Path(value).is_absolute():
            raise ConfigError(f"QA_CONNECTOR_ROOTS: нужен абсолютный путь, а не {value!r}",
                              f"QA_CONNECTOR_ROOTS: an absolute path is required, not {value!r}")
        roots.append((slug, Path(value)))
    return tuple(roots)


def _connector_allow(env: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    """QA_CONNECTOR_ALLOW: networks (`10.20.0.0/16`) or host names a tenant's HTTP/IMAP connectors may reach."""
    import ipaddress

    pairs = _tenant_pairs(env, "QA_CONNECTOR_ALLOW", "airline-a:10.20.0.0/16")
    for _, value in pairs:
        looks_numeric = all(c in "0123456789abcdefABCDEF.:/" for c in value) and any(c in value for c in "./:")
        try:
            ipaddress.ip_network(value, strict=False)
        except ValueError:
            if looks_numeric or not all(c.isalnum() or c in "-." for c in value):
                raise ConfigError(f"QA_CONNECTOR_ALLOW: не сеть и не имя хоста {value!r}",
                                  f"QA_CONNECTOR_ALLOW: neither a network nor a host name {value!r}") from None
    return pairs


@dataclass(frozen=True)
class Settings:
    environment: str = "production"
    database_url: str = ""
    redis_url: str | None = None
    blob_url: str = ""
    secret_key: str = INSECURE_DEV_KEY
    asr_model: str | None = None
    instance_dir: Path = field(default_factory=_default_instance_dir)
    # A worker that dies mid-job has that job retried job_timeout + 60 s later (RQ's heartbeat TTL).
    job_timeout_seconds: int = 900
    job_retries: int = 3
    retry_intervals: tuple[int, ...] = (10, 60, 300)  # exponential backoff between retries, seconds
    failure_ttl_seconds: int = 7 * 24 * 3600
    default_locale: str = "ru"
    behind_proxy: bool = False  # trust one reverse proxy's X-Forwarded-For/-Proto (rate limits, cookies)
    spool_dir: Path | None = None  # raw recordings awaiting redaction; never the blob store
    # Outgoing mail (reports, coaching and calibration notices, staffing alerts): off when unset.
    smtp_url: str | None = None  # smtp://[user:password@]host[:port], smtp+starttls://…, smtps://…
    mail_from: str = "qa-service@localhost"
    # Where people open the UI: links in e-mails sent by jobs, which have no request to build them from.
    public_url: str = "http://127.0.0.1:5000"
    # Shipped data overrides (see core/resources.py); None means the copy inside the package.
    rubrics_dir: Path | None = None  # QA_RUBRICS_DIR: rubric ids resolve here
    models_dir: Path | None = None  # QA_MODELS_DIR: holds classifiers/ and the Whisper cache
    # Speech recognition: CTranslate2 threads per worker, beam size, longest recording accepted.
    asr_threads: int = field(default_factory=_default_asr_threads)
    asr_beam: int = 5
    asr_max_seconds: int = 4 * 3600
    # Days an agent has to dispute a released evaluation (a tenant may override it in TenantSettings).
    dispute_window_days: int = 7
    # A raw recording in the spool that no pipeline step will read any more is deleted once it is this old.
    spool_orphan_age_seconds: int = 24 * 3600
    # An interaction still waiting for its next step this long has that step asked for again
    # (services.ingestion.pipeline_resume: a job lost to a killed worker or a restarted Redis).
    pipeline_resume_age_seconds: int = 600
    # Who may open rq-dashboard (every tenant's jobs): (tenant slug, e-mail) pairs; nobody when empty.
    platform_operators: tuple[tuple[str, str], ...] = ()
    # /metrics answers a scraper presenting this bearer token or calling from an allowed network;
    # with neither set it answers nobody (it shows every tenant's volumes).
    metrics_token: str | None = None
    metrics_networks: tuple[str, ...] = ()
    # What each tenant's connectors may reach (connectors/sandbox.py): (tenant slug or "*", value) pairs.
    connector_roots: tuple[tuple[str, Path], ...] = ()  # QA_CONNECTOR_ROOTS: the tenant's drop-folder root
    connector_allow: tuple[tuple[str, str], ...] = ()  # QA_CONNECTOR_ALLOW: networks/hosts beyond public ones

    def __post_init__(self) -> None:
        # Derived defaults live next to the instance directory so tests can move it.
        if not self.database_url:
            object.__setattr__(self, "database_url", f"sqlite:///{self.instance_dir / 'qa_service.sqlite3'}")
        if not self.blob_url:
            object.__setattr__(self, "blob_url", f"file://{self.instance_dir / 'blobs'}")
        if self.spool_dir is None:
            object.__setattr__(self, "spool_dir", self.instance_dir / "spool")

    @property
    def spool(self) -> Path:
        """The spool folder for raw recordings (set in __post_init__)."""
        assert self.spool_dir is not None
        return self.spool_dir

    @property
    def locations(self) -> Locations:
        """Where rubrics, classifiers and the ASR model are read from, for `core.resources.configure`."""
        return Locations(
            rubrics_dir=self.rubrics_dir,
            models_dir=self.models_dir,
            asr_model=Path(self.asr_model) if self.asr_model else None,
            model_cache_dir=self.instance_dir / "models",
        )

    @property
    def jobs_in_process(self) -> bool:
        """Without Redis every job runs synchronously in the caller's process."""
        return not self.redis_url

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Build settings from `env` (default: `os.environ`) and refuse an unsafe set-up."""
        env = os.environ if env is None else env
        environment = env.get("QA_ENV", "production")
        if environment not in ENVIRONMENTS:
            raise ConfigError(
                f"QA_ENV={environment!r}: допустимо одно из {', '.join(ENVIRONMENTS)}",
                f"QA_ENV={environment!r}: expected one of {', '.join(ENVIRONMENTS)}",
            )
        instance = _optional_path(env, "QA_INSTANCE_DIR") or _default_instance_dir()
        settings = cls(
            environment=environment,
            database_url=env.get("DATABASE_URL", ""),
            redis_url=env.get("REDIS_URL") or None,
            blob_url=env.get("BLOB_URL", ""),
            secret_key=env.get("SECRET_KEY") or INSECURE_DEV_KEY,
            asr_model=env.get("QA_ASR_MODEL") or None,
            instance_dir=instance,
            spool_dir=_optional_path(env, "QA_SPOOL_DIR"),
            rubrics_dir=_optional_path(env, "QA_RUBRICS_DIR"),
            models_dir=_optional_path(env, "QA_MODELS_DIR"),
            asr_threads=_positive_int(env, "QA_ASR_THREADS", _default_asr_threads()),
            asr_beam=_positive_int(env, "QA_ASR_BEAM", cls.asr_beam),
            asr_max_seconds=_positive_int(env, "QA_ASR_MAX_SECONDS", cls.asr_max_seconds),
            dispute_window_days=_positive_int(env, "QA_DISPUTE_WINDOW_DAYS", cls.dispute_window_days),
            behind_proxy=env.get("QA_BEHIND_PROXY", "").lower() in ("1", "true", "yes"),
            smtp_url=env.get("QA_SMTP_URL") or None,
            mail_from=env.get("QA_MAIL_FROM") or cls.mail_from,
            public_url=(env.get("QA_PUBLIC_URL") or cls.public_url).rstrip("/"),
            job_timeout_seconds=_positive_int(env, "QA_JOB_TIMEOUT", cls.job_timeout_seconds),
            spool_orphan_age_seconds=_positive_int(env, "QA_SPOOL_ORPHAN_AGE", cls.spool_orphan_age_seconds),
            pipeline_resume_age_seconds=_positive_int(env, "QA_PIPELINE_RESUME_AGE",
                                                      cls.pipeline_resume_age_seconds),
            retry_intervals=(intervals := _retry_intervals(env)),
            job_retries=len(intervals),
            platform_operators=_operators(env),
            metrics_token=env.get("QA_METRICS_TOKEN") or None,
            metrics_networks=_networks(env, "QA_METRICS_ALLOW"),
            connector_roots=_connector_roots(env),
            connector_allow=_connector_allow(env),
        )
        settings.validate()
        return settings

    def require_secret(self) -> None:
        """Services that sign sessions or talk to workers call this before they start."""
        if self.environment not in ("demo", "test") and self.secret_key == INSECURE_DEV_KEY:
            raise ConfigError(
                "SECRET_KEY не задан: вне режимов demo/test сервис без него не запускается",
                "SECRET_KEY is not set: outside demo/test the service refuses to start without it",
            )

    def validate(self) -> None:
        scheme = self.database_url.split(":", 1)[0].split("+", 1)[0]
        if scheme not in DATABASE_SCHEMES:
            raise ConfigError(
                f"DATABASE_URL должен начинаться с sqlite://, postgresql:// или postgres://: {self.database_url!r}",
                f"DATABASE_URL must start with sqlite://, postgresql:// or postgres://: {self.database_url!r}",
            )

    def with_overrides(self, **changes: object) -> Settings:
        """A copy with some fields changed (tests, the demo)."""
        return replace(self, **changes)  # type: ignore[arg-type]

    @property
    def sqlalchemy_url(self) -> str:
        """PostgreSQL URLs use the psycopg 3 driver whatever the user wrote."""
        url = self.database_url
        if url.startswith("postgresql://"):
            return "postgresql+psycopg://" + url[len("postgresql://") :]
        if url.startswith("postgres://"):
            return "postgresql+psycopg://" + url[len("postgres://") :]
        return url
