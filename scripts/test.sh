#!/usr/bin/env bash
# The one test command (`npm test`): format + lint, type check, unused code (knip), OpenAPI lint, site build, then each test project in turn
# (unit → worker → integration → e2e; one at a time, since several of them start workerd or Chromium).
# Extra arguments go to vitest, e.g. `npm test -- --project unit`.
set -euo pipefail
cd "$(dirname "$0")/.."
export WRANGLER_SEND_METRICS=false CLOUDFLARE_CF_FETCH_ENABLED=false
bash scripts/ensure-chromium.sh
npx biome check .
npm run typecheck
npx knip
npx tsx scripts/write-openapi.ts dist/openapi.json
REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true npx redocly lint dist/openapi.json --config redocly.yaml
npm run build
if [ "$#" -gt 0 ]; then
  npx vitest run "$@"
else
  for project in unit worker integration e2e; do
    echo "── vitest project: $project"
    npx vitest run --project "$project"
  done
fi
