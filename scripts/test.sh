#!/usr/bin/env bash
# Runs every test of the workspace, on SQLite and PostgreSQL.
#
# Unless MYNA_TEST_PG_URL names a server, it starts a throwaway PostgreSQL cluster on
# 127.0.0.1:55432 (installing Debian's postgresql first if the machine has none) and
# stops it on exit. Tests then create a fresh database each.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

# Go's original tlog and signed-note packages check the hub's tiles in a test: an
# implementation independent of ours (Debian's golang-go, golang-golang-x-mod-dev).
if ! command -v go >/dev/null || [ ! -d /usr/share/gocode/src/golang.org/x/mod/sumdb/tlog ]; then
  echo "test.sh: installing Go and golang.org/x/mod (Debian packages golang-go golang-golang-x-mod-dev)"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq golang-go golang-golang-x-mod-dev >/dev/null
fi

# Issued documents are read back by tools independent of ours: poppler's pdftotext and
# pdftoppm, and zbar's QR decoder (Debian's poppler-utils, zbar-tools).
if ! command -v pdftotext >/dev/null || ! command -v zbarimg >/dev/null; then
  echo "test.sh: installing poppler-utils and zbar-tools"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils zbar-tools >/dev/null
fi

# A card over the real smart-card stack: pcscd with Debian's vsmartcard-vpcd virtual reader,
# which `myna card emulate` serves a software card to; myna's PC/SC side links pcsc-lite
# (libpcsclite-dev, found through pkg-config).
if ! command -v pcscd >/dev/null || [ ! -f /etc/reader.conf.d/vpcd ] || ! pkg-config --exists libpcsclite 2>/dev/null; then
  echo "test.sh: installing pcscd, vsmartcard-vpcd, libpcsclite-dev and pkg-config"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq pcscd vsmartcard-vpcd libpcsclite-dev pkg-config >/dev/null
fi
if ! pgrep -x pcscd >/dev/null; then
  as_root pcscd
fi

# Qualification credentials are checked against the IETF's reference implementation of
# SD-JWT (PyPI's sd-jwt), in a venv in the tree.
if [ ! -x target/sd-jwt-venv/bin/python ] || ! target/sd-jwt-venv/bin/python -c "import sd_jwt" 2>/dev/null; then
  echo "test.sh: installing sd-jwt (the IETF SD-JWT reference implementation) into target/sd-jwt-venv"
  python3 -m venv target/sd-jwt-venv
  target/sd-jwt-venv/bin/pip install -q --disable-pip-version-check sd-jwt==0.10.4
fi

if [ -z "${MYNA_TEST_PG_URL:-}" ]; then
  if [ -z "$(pg_bin)" ]; then
    echo "test.sh: installing PostgreSQL (Debian package postgresql)"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  fi
  PGBIN=$(pg_bin)
  PGDIR=$(mktemp -d /tmp/myna-pg.XXXXXX)
  # PostgreSQL refuses to run as root: run it as the postgres user when we are root.
  if [ "$(id -u)" = 0 ]; then
    chown postgres "$PGDIR"
    run_pg() { runuser -u postgres -- "$@"; }
  else
    run_pg() { "$@"; }
  fi
  run_pg "$PGBIN/initdb" -D "$PGDIR/data" -A trust -U myna >/dev/null
  run_pg "$PGBIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/log" -w -s \
    -o "-p 55432 -k $PGDIR -c listen_addresses=127.0.0.1 -c max_connections=300" start
  CLEANUP='run_pg "$PGBIN/pg_ctl" -D "$PGDIR/data" -m immediate -s stop || true; rm -rf "$PGDIR"'
  trap "$CLEANUP" EXIT
  export MYNA_TEST_PG_URL="postgres://myna@127.0.0.1:55432/postgres"
fi
# With a server configured, a test that cannot reach it fails instead of skipping it.
export MYNA_REQUIRE_PG=1

# A highly available PostgreSQL (Patroni with etcd, a synchronous standby, HAProxy; it
# installs Debian's patroni, etcd-server and haproxy when missing), for the test that loses
# its leader under load. Unless MYNA_TEST_HA_URL names one of your own (with MYNA_TEST_HA_DIR).
if [ -z "${MYNA_TEST_HA_URL:-}" ]; then
  HADIR=$(mktemp -d /tmp/myna-ha.XXXXXX)
  MYNA_TEST_HA_URL=$(./scripts/ha-cluster.sh up "$HADIR")
  export MYNA_TEST_HA_URL MYNA_TEST_HA_DIR="$HADIR"
  trap "${CLEANUP:-true}; ./scripts/ha-cluster.sh down '$HADIR'" EXIT
fi
export MYNA_REQUIRE_HA=1

# Formatting (rustfmt.toml), then the workspace lints (no unwrap/expect/panic outside tests),
# which are clippy lints: enforce both.
cargo fmt --all --check
cargo clippy --workspace --lib --bins -q --features myna/pcsc -- -D warnings

# Every node's API, fuzzed from its OpenAPI document (schemathesis).
./scripts/api-fuzz.sh

# Myna Portal in a real browser (headless Chromium), with accessibility checks.
./scripts/e2e.sh

if cargo nextest --version >/dev/null 2>&1; then
  # nextest does not run doc tests; the workspace has none (examples live in tests/).
  cargo nextest run --workspace --features myna/pcsc --no-fail-fast "$@"
else
  cargo test --workspace --features myna/pcsc --no-fail-fast "$@"
fi
