"""Use cases: one module per thing the office does, given a session, a clock and the settings. No adapters."""
