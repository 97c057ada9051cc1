#!/usr/bin/env bash
# proofs/: re-check every exported obligation (manifest.tsv: file, expected, name) with a command-line solver.
# Usage: recheck.sh z3|cvc5 DIR [PATTERN]. Fails on any unknown, timeout, error or disagreement with the
# expected verdict (an obligation proved by one solver and refuted by the other fails here for one of them).
set -uo pipefail
solver=${1:?usage: recheck.sh z3|cvc5 DIR [PATTERN]}
dir=${2:?usage: recheck.sh z3|cvc5 DIR [PATTERN]}
pattern=${3:-}
limit=${MNOSWITCH_PROOF_TIMEOUT:-60}
case "$solver" in
  z3) cmd=(z3 -T:"$limit") ;;
  cvc5) cmd=(cvc5 --finite-model-find --tlimit=$((limit * 1000))) ;;
  *) echo "unknown solver $solver" >&2; exit 2 ;;
esac
[ -f "$dir/manifest.tsv" ] || { echo "no $dir/manifest.tsv" >&2; exit 3; }
total=0; bad=0; start=$(date +%s.%N)
while IFS=$'\t' read -r file expected name; do
  [ -n "$pattern" ] && [[ "$name" != *$pattern* ]] && continue
  total=$((total + 1))
  out=$(timeout $((limit + 5)) "${cmd[@]}" "$dir/$file" 2>&1 | head -1)
  if [ "$out" != "$expected" ]; then
    bad=$((bad + 1))
    echo "FAIL $solver $name: expected $expected, got '${out:-timeout}'"
  fi
done < "$dir/manifest.tsv"
end=$(date +%s.%N)
printf '%s: %d obligations, %d failed, %.1f s\n' "$solver" "$total" "$bad" "$(echo "$end - $start" | bc)"
[ "$total" -gt 0 ] && [ "$bad" -eq 0 ]
