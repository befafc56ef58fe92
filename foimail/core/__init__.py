"""Ring 0: the law and mail conventions as pure functions (stdlib and `holidays` only, no I/O, no clock)."""
