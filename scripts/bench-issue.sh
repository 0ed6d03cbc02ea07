#!/usr/bin/env bash
# Bulk-issuance benchmark: N (default 72000) synthetic people into one
# combined PDF, then into one PDF each, with peak memory (/usr/bin/time -v),
# passports per second, and the signing-only floor measured in the same run.
#   scripts/bench-issue.sh [N]
set -euo pipefail
N=${1:-72000}
GO=${GO:-go}
W=$(mktemp -d /tmp/bench-issue.XXXXXX)
trap 'rm -rf "$W"' EXIT
export PASSPORT_PASSPHRASE=bench-only-passphrase
$GO build -o "$W/passport" ./cmd/passport
$GO run ./fixtures/population/genpop -n "$N" > "$W/staff.csv"
"$W/passport" keys new --org RXT --name 'Synthetic Integrated Care System (TEST)' --dir "$W/keys" >/dev/null

# The floor: signing alone (claims, CBOR, ECDSA, zlib, base45) on all cores.
sign_ns=$($GO test -run '^$' -bench '^BenchmarkSignOnly$' -benchtime 20000x ./issue | awk '/BenchmarkSignOnly/ {print $3}')
sign_rate=$(awk -v ns="$sign_ns" 'BEGIN {printf "%.0f", 1e9/ns}')
echo "signing only: ${sign_ns} ns/passport on all cores = ${sign_rate} passports/s"

run() { # name, extra flags
  local name=$1; shift
  rm -rf "$W/out"
  /usr/bin/time -v "$W/passport" issue --quiet --key "$W/keys" --in "$W/staff.csv" --out "$W/out" "$@" >"$W/$name.out" 2>"$W/$name.err" || { cat "$W/$name.err"; exit 1; }
  local secs rss rate
  secs=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}' "$W/$name.err")
  rss=$(awk -F': ' '/Maximum resident/ {printf "%.0f", $2/1024}' "$W/$name.err")
  rate=$(awk -v n="$N" -v s="$secs" 'BEGIN {printf "%.0f", n/s}')
  printf '%-11s %6d passports in %6.1f s = %5d/s, %4.1f%% of the signing-only rate (%.1f× the signing-only cost); peak RSS %d MB; output %s\n' \
    "$name" "$N" "$secs" "$rate" "$(awk -v r="$rate" -v f="$sign_rate" 'BEGIN {print 100*r/f}')" \
    "$(awk -v r="$rate" -v f="$sign_rate" 'BEGIN {print f/r}')" "$rss" "$(du -sh "$W/out" | cut -f1)"
  grep -q "^$N passports issued, 0 rows failed" "$W/$name.out" || { cat "$W/$name.out"; exit 1; }
}
run combined --combined --individual=false
run individual
