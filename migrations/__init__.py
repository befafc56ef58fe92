"""Alembic migrations, shipped inside the foimail wheel as the package foimail.migrations (see pyproject.toml)."""
