#!/usr/bin/env bash
# The one test command (`npm test`): lint + format check, type check, site build, then every test project.
set -euo pipefail
cd "$(dirname "$0")/.."
export WRANGLER_SEND_METRICS=false CLOUDFLARE_CF_FETCH_ENABLED=false
bash scripts/ensure-chromium.sh
npx biome check .
npm run typecheck
npm run build
npx vitest run "$@"
