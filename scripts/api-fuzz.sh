#!/usr/bin/env bash
# Fuzzes the nodes' HTTP APIs from their OpenAPI documents with schemathesis (PyPI): no 5xx,
# every status documented, responses match their schemas, schema-invalid input rejected.
# (Schema-valid input may still be refused for rules no schema can say — check digits, real
# dates, known municipalities — so that one check is left out.)
set -euo pipefail
cd "$(dirname "$0")/.."

venv=target/schemathesis-venv
if [ ! -x "$venv/bin/st" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check schemathesis
fi

cargo build -q -p myna
dir=$(mktemp -d /tmp/myna-api-fuzz.XXXXXX)
# The demo takes 46 consecutive ports: a run of free ones below the kernel's ephemeral range.
port=$(python3 -c '
import os, socket
def free(p):
    try:
        s = socket.socket(); s.bind(("127.0.0.1", p)); s.close(); return True
    except OSError:
        return False
p = 20000 + os.getpid() % 11000
while not all(free(p + i) for i in range(46)):
    p = 20000 + (p + 46 - 20000) % 11000
print(p)')
target/debug/myna demo --dir "$dir" --port "$port" --residents 200 >"$dir/demo.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -rf "$dir"' EXIT
for _ in $(seq 1 1200); do
  if [ -f "$dir/network/ca.pem" ] && curl -sf --cacert "$dir/network/ca.pem" "https://localhost:$port/healthz" >/dev/null; then break; fi
  sleep 0.1
done
# As the demo's municipal clerk system (千代田区): J-LIS's registry and card counter answer
# only a municipality's network certificate.
clerk="$dir/network/municipality:131016"
for _ in $(seq 1 1200); do
  if [ -f "$clerk/node.pem" ]; then break; fi
  sleep 0.1
done
"$venv/bin/st" run "https://localhost:$port/openapi.json" --tls-verify "$dir/network/ca.pem" \
  --request-cert "$clerk/node.pem" --request-cert-key "$clerk/node.key" \
  --exclude-checks positive_data_acceptance --max-examples 50 --seed 1 \
  -H "Idempotency-Key: api-fuzz" --no-color

# The health node's facility API (J-LIS's port + 9), as the demo clinic: its key is in the
# demo's facilities.json once the node is up.
hport=$((port + 9))
for _ in $(seq 1 1200); do
  if [ -f "$dir/facilities.json" ] && curl -sf --cacert "$dir/network/ca.pem" "https://localhost:$hport/healthz" >/dev/null; then break; fi
  sleep 0.1
done
clinic=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["1312345678"])' "$dir/facilities.json")
"$venv/bin/st" run "https://localhost:$hport/openapi.json" --tls-verify "$dir/network/ca.pem" \
  --exclude-checks positive_data_acceptance --max-examples 50 --seed 1 \
  -H "Authorization: Bearer $clinic" --no-color

# 千代田区's benefit system (J-LIS's port + 32), as the municipality's own business system (its
# token, beside its node's certificate).
bport=$((port + 32))
for _ in $(seq 1 1200); do
  if curl -sf --cacert "$dir/network/ca.pem" "https://localhost:$bport/healthz" >/dev/null; then break; fi
  sleep 0.1
done
token=$(cat "$dir/network/municipality:131016/clerk.token")
"$venv/bin/st" run "https://localhost:$bport/openapi.json" --tls-verify "$dir/network/ca.pem" \
  --exclude-checks positive_data_acceptance --max-examples 50 --seed 1 \
  -H "Authorization: Bearer $token" --no-color

# The qualification system (J-LIS's port + 45), as its keeper's own system (its clerk token).
qport=$((port + 45))
for _ in $(seq 1 1200); do
  if curl -sf --cacert "$dir/network/ca.pem" "https://localhost:$qport/healthz" >/dev/null; then break; fi
  sleep 0.1
done
qtoken=$(cat "$dir/network/qualifications/clerk.token")
# Its own operations (the agency node's shared API beneath them is not fuzzed here yet).
"$venv/bin/st" run "https://localhost:$qport/openapi.json" --tls-verify "$dir/network/ca.pem" \
  --include-path-regex '^/(v1/(examinations|applications|registrations|credentials|status)|\.well-known)' \
  --exclude-checks positive_data_acceptance --max-examples 50 --seed 1 \
  -H "Authorization: Bearer $qtoken" --no-color
