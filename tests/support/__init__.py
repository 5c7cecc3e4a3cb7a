"""Test harness shared by every test: a real `cognate serve` process, an SMTP sink, PostgreSQL
databases, factories and the skip-or-fail rule (`require`).

Importable as `support` (pytest puts `tests/` on `sys.path`, see `[tool.pytest.ini_options]`)."""
