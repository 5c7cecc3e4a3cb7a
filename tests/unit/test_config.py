"""Settings: defaults of the contract, the TOML file, and the environment over it."""

from __future__ import annotations

from pathlib import Path

from cognate.config import load_settings


def test_defaults_follow_the_contract() -> None:
    s = load_settings(environ={})
    assert (s.host, s.port, s.region, s.account_id) == ("127.0.0.1", 9400, "us-east-1", "000000000000")
    assert s.resolved_public_url() == "http://127.0.0.1:9400"
    assert s.resolved_database_url().startswith("sqlite:///") and s.resolved_database_url().endswith("cognate.db")
    # OWASP's argon2id parameters ship as the default.
    assert (s.argon2_memory_kib, s.argon2_time_cost, s.argon2_parallelism) == (19456, 2, 1)


def test_environment_wins_over_file(tmp_path: Path) -> None:
    config = tmp_path / "cognate.toml"
    config.write_text('region = "eu-west-1"\ncognate_email_from = "file@example.com"\nport = 9500\n')
    s = load_settings(config, environ={"COGNATE_REGION": "ap-south-1"})
    assert s.region == "ap-south-1"
    assert s.email_from == "file@example.com"
    assert s.port == 9500


def test_postgres_urls_use_psycopg() -> None:
    s = load_settings(environ={"COGNATE_DATABASE_URL": "postgresql://u@h:5432/db"})
    assert s.resolved_database_url() == "postgresql+psycopg://u@h:5432/db"


def test_explicit_overrides_win() -> None:
    s = load_settings(overrides={"port": 1234, "host": None}, environ={"COGNATE_PORT": "9999"})
    assert s.port == 1234 and s.host == "127.0.0.1"
