#!/usr/bin/env bash
# Myna Portal end to end in headless Chromium: installs Debian's chromium and a Japanese font
# when missing, the npm packages (playwright-core, @axe-core/playwright), builds the myna
# binary, and runs e2e/portal.test.mjs against a demo country it starts itself.
# Screenshots: target/e2e-screenshots/.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

missing=()
command -v chromium >/dev/null || missing+=(chromium)
fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || missing+=(fonts-noto-cjk)
if [ ${#missing[@]} -gt 0 ]; then
  echo "e2e.sh: installing ${missing[*]} (Debian)"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
(cd e2e && npm ci --no-audit --no-fund -q)
cargo build -q -p myna
cd e2e && node --test --test-concurrency=1 portal.test.mjs
