"""Shipped configuration (annex calendar, example config, systemd unit): the package foimail.defaults."""
