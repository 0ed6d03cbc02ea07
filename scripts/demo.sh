#!/usr/bin/env bash
# The whole job on built-in demo data: an issuing organisation, a site trust
# list, passports for the synthetic staff in fixtures/, each page rendered to
# an image at 150 dpi as a scanner would, and every image verified.
# Everything here is TEST DATA: synthetic people, a throwaway demo key.
set -euo pipefail
cd "$(dirname "$0")/.."
P=bin/passport
D=demo
export PASSPORT_PASSPHRASE=${PASSPORT_PASSPHRASE:-demo-only-passphrase-not-secret}
rm -rf "$D"; mkdir -p "$D/png"
echo "== 1. issuing organisation (demo key, encrypted at rest)"
$P keys new --org RXD --name "Demo Teaching Hospitals NHS Trust (TEST DATA)" --dir "$D/keys" --contact passports@demo-trust.example
echo; echo "== 2. receiving site trusts it"
$P trust add --db "$D/site.db" "$D/keys/issuer.crt"
echo; echo "== 3. HR issues passports from fixtures/staff.csv"
t0=$(date +%s.%N)
$P issue --key "$D/keys" --in fixtures/staff.csv --out "$D/out" | tail -n 1
t1=$(date +%s.%N)
echo; echo "== 3b. and from learning records as a workforce system exports them (fixtures/workforce/)"
$P issue --key "$D/keys" --in fixtures/workforce/people.csv --training fixtures/workforce/learning.csv \
  --map fixtures/workforce/map.json --out "$D/out-learning" --quiet
$P verify --db "$D/site.db" "$D/out-learning/TEST2001-1.pdf" | sed -n '/training:/,/^$/p'
echo; echo "== 4. pages printed and scanned (pdftoppm, 150 dpi)"
for f in "$D"/out/*.pdf; do pdftoppm -r 150 -png -f 1 -l 1 "$f" "$D/png/$(basename "$f" .pdf)"; done
echo "$(ls "$D"/png/*.png | wc -l) page images in $D/png"
echo; echo "== 5. the site verifies every scan, offline"
t2=$(date +%s.%N)
$P verify --db "$D/site.db" --brief "$D"/png/*.png
t3=$(date +%s.%N)
echo; printf 'issued in %.1fs, verified %d scans in %.1fs\n' "$(echo "$t1 - $t0" | bc)" "$(ls "$D"/png/*.png | wc -l)" "$(echo "$t3 - $t2" | bc)"
echo; echo "== 6. one passport in full: checks with their DBS level or clearance kind, training with its level or tier"
$P verify --db "$D/site.db" "$D/out/TEST1001.pdf" | sed -n '/checks:/,/^$/p'
echo "Open $D/out/*.pdf to see the passports; 'bin/passport verify --db $D/site.db $D/out/TEST1001.pdf' shows one in full."
