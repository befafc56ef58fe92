"""Templates, shipped inside the foimail wheel as the package foimail.templates (see pyproject.toml)."""
