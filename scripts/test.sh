#!/usr/bin/env bash
# `npm test`: build, unit tests (mocha, plain Node), then the real-VS-Code suites; prints each suite's
# "N passed, N failed" line and a combined total last. Exits non-zero if anything failed.
set -uo pipefail
cd "$(dirname "$0")/.."

npm run build || { echo "build failed"; echo "0 passed, 1 failed"; exit 1; }

unit_log=$(mktemp)
npx mocha --config .mocharc.json 2>&1 | tee "$unit_log"
unit_rc=${PIPESTATUS[0]}
unit_pass=$(grep -Eo '^\s+[0-9]+ passing' "$unit_log" | grep -Eo '[0-9]+' | tail -1)
unit_fail=$(grep -Eo '^\s+[0-9]+ failing' "$unit_log" | grep -Eo '[0-9]+' | tail -1)
rm -f "$unit_log"
unit_pass=${unit_pass:-0}
unit_fail=${unit_fail:-0}
[ "$unit_rc" -ne 0 ] && [ "$unit_fail" -eq 0 ] && unit_fail=1   # mocha crashed before reporting
echo "unit: $unit_pass passed, $unit_fail failed"

e2e_log=$(mktemp)
bash test/e2e/run-e2e.sh 2>&1 | tee "$e2e_log"
e2e_rc=${PIPESTATUS[0]}
read -r e2e_pass e2e_fail < <(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$e2e_log" | tail -1 | sed -E 's/([0-9]+) passed, ([0-9]+) failed/\1 \2/')
rm -f "$e2e_log"
e2e_pass=${e2e_pass:-0}
e2e_fail=${e2e_fail:-0}
[ "$e2e_rc" -ne 0 ] && [ "$e2e_fail" -eq 0 ] && e2e_fail=1

echo
echo "unit: $unit_pass passed, $unit_fail failed"
echo "e2e (host + ui): $e2e_pass passed, $e2e_fail failed"
echo "$((unit_pass + e2e_pass)) passed, $((unit_fail + e2e_fail)) failed"
[ "$unit_rc" -eq 0 ] && [ "$e2e_rc" -eq 0 ]
