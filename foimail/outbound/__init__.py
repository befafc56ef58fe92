"""foimail.outbound."""
