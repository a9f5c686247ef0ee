#!/usr/bin/env bash
# npm test: the type-check and the lint run beside Vitest rather than before
# it, so that the three share both cores to the end instead of Vitest's last
# files running on one; their output is kept aside and printed after the
# tests'. Fails when any of the three fails. Arguments go to Vitest.
set -u
cd "$(dirname "$0")/.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
npm run -s typecheck >"$out/typecheck" 2>&1 &
typecheck=$!
npm run -s lint >"$out/lint" 2>&1 &
lint=$!
npx vitest run "$@"
tests=$?
failed=0
for check in typecheck lint; do
  wait "${!check}"
  status=$?
  cat "$out/$check"
  if [ "$status" -ne 0 ]; then
    echo "npm test: $check failed (exit $status)" >&2
    failed=1
  fi
done
if [ "$tests" -ne 0 ]; then failed=1; fi
exit "$failed"
