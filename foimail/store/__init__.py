"""foimail.store."""
