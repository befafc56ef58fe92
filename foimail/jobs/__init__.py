"""foimail.jobs."""
