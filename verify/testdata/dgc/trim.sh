#!/bin/sh
# trim.sh CHECKOUT > eu-cases.jsonl
#
# Makes eu-cases.jsonl from a checkout of the EU's dgc-testdata: one line
# per JSON file that states expectations (EXPECTEDRESULTS), in path order,
# keeping only what TestEUTestData reads: the HC1 text (PREFIX), TESTCTX
# and EXPECTEDRESULTS, with the file's path as "source". The base64 PNGs
# (2DCODE) and the intermediate forms (JSON, CBOR, COSE, COMPRESSED,
# BASE45) are left out. Needs jq; some files start with a UTF-8 BOM,
# which is removed first.
set -eu
cd "$1"
git ls-files '*.json' | LC_ALL=C sort | while IFS= read -r f; do
	sed '1s/^\xEF\xBB\xBF//' "$f" | jq -c --arg source "$f" \
		'select(type == "object" and has("EXPECTEDRESULTS")) | {source: $source, PREFIX, TESTCTX, EXPECTEDRESULTS}'
done
