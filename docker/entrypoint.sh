#!/bin/sh
# Container entrypoint: bring the schema up to date, then run the given foimail command (default: run).
set -eu
foimail db upgrade
exec foimail "$@"
