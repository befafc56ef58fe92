"""Ring 0 for mail: bytes to values and values to bytes, no I/O."""
