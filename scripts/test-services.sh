#!/usr/bin/env bash
# What the tests need beyond Python packages, installed and started when missing (make test runs
# this first): Debian's chromium for the browser tests, a PostgreSQL server for the ledger tests.
set -euo pipefail
cd "$(dirname "$0")/.."

# Browser tests drive Debian's chromium through playwright (playwright cannot download browsers here).
if ! command -v chromium >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null \
      || echo "warning: could not install chromium; browser tests will fail" >&2
  fi
fi

# The training ledger's tests run on PostgreSQL too (tests/training_helpers.py PG_URL): install the
# Debian server when missing, start it, and create the test role and database. A server that
# cannot be reached makes those tests fail, never skip.
if command -v apt-get >/dev/null 2>&1 && ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null \
    || echo "warning: could not install postgresql; the PostgreSQL ledger tests will fail" >&2
fi
if command -v pg_lsclusters >/dev/null 2>&1; then
  cluster=$(pg_lsclusters --no-header | awk 'NR==1 {print $1, $2}')
  if [ -n "$cluster" ]; then
    pg_ctlcluster $cluster start 2>/dev/null || true
    as_postgres() { if [ "$(id -u)" = 0 ]; then su postgres -c "$1"; else sudo -u postgres sh -c "$1"; fi; }
    as_postgres "psql -qtAc \"SELECT 1 FROM pg_roles WHERE rolname='handbook'\" | grep -q 1 || psql -qc \"CREATE ROLE handbook LOGIN PASSWORD 'handbook'\"" \
      && as_postgres "psql -qtAc \"SELECT 1 FROM pg_database WHERE datname='handbook_test'\" | grep -q 1 || createdb -O handbook handbook_test" \
      || echo "warning: could not create the PostgreSQL test database" >&2
  fi
fi

