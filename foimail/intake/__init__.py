"""foimail.intake."""
