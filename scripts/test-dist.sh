#!/usr/bin/env bash
# test-dist.sh DIST [DIST2]: tests the release archives where sites run them.
#
#   - DIST and DIST2 (two builds of the same commit) must be byte-identical.
#   - SHA256SUMS matches; each archive holds the binary, docs, licences and
#     its platform's start-up files.
#   - linux-amd64 natively, linux-arm64 under qemu-aarch64-static and
#     windows-amd64 under Wine each: keys new, trust add, issue from a CSV as
#     Excel saves it (UTF-8 BOM, CRLF), verify a 150-dpi page image and a PDF
#     (VALID), serve answering POST /api/verify on loopback while other
#     processes read and write the same SQLite file (file locking).
#   - Windows: paths with a drive letter, spaces and parentheses; the
#     start-station.cmd and add-to-startup.cmd scripts under Wine's cmd.
#
# Prints the time of one page verify per platform against the native binary.
# Needs: pdftoppm, curl, unzip, qemu-user-static, libc6-arm64-cross, wine64,
# gcc-mingw-w64-x86-64 (make test-dist installs them).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dist=$(cd "${1:?usage: test-dist.sh DIST [DIST2]}" && pwd)
work=$(mktemp -d /tmp/passport-test-dist.XXXXXX)
export PASSPORT_PASSPHRASE=test-only-passphrase
serve_pid=""
cleanup() {
	[ -n "$serve_pid" ] && kill "$serve_pid" 2>/dev/null || true
	[ -n "${WINESERVER:-}" ] && "$WINESERVER" -k 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "test-dist: FAIL: $*" >&2; exit 1; }
step() { echo "test-dist: $*"; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }

# --- reproducible: two builds, same bytes ---------------------------------
if [ -n "${2:-}" ]; then
	again=$(cd "$2" && pwd)
	for f in "$dist"/*; do
		cmp "$f" "$again/$(basename "$f")" || fail "$(basename "$f") differs between two builds of the same commit"
	done
	[ "$(ls "$dist" | wc -l)" = "$(ls "$again" | wc -l)" ] || fail "the two builds made different files"
	step "two builds are byte-identical ($(ls "$dist" | tr '\n' ' '))"
fi

# --- checksums and contents ------------------------------------------------
(cd "$dist" && sha256sum --quiet -c SHA256SUMS) || fail "SHA256SUMS does not match the archives"
for t in linux-amd64 linux-arm64 windows-amd64; do
	n=$(ls "$dist" | grep -c -- "-$t\.") || true
	[ "$n" = 1 ] || fail "expected one archive for $t in $dist, found $n"
done
mkdir -p "$work/x"
for a in "$dist"/*.tar.gz; do tar -xzf "$a" -C "$work/x"; done
for a in "$dist"/*.zip; do unzip -q "$a" -d "$work/x"; done
lin=$(echo "$work"/x/*-linux-amd64) arm=$(echo "$work"/x/*-linux-arm64) win=$(echo "$work"/x/*-windows-amd64)
for d in "$lin" "$arm" "$win"; do
	for f in README.md docs/site-guide.md LICENSES/README.txt LICENSES/go/LICENSE LICENSES/github.com/mattn/go-sqlite3/LICENSE; do
		[ -s "$d/$f" ] || fail "$(basename "$d") has no $f"
	done
done
for d in "$lin" "$arm"; do
	for f in passport systemd/passport.service systemd/passport-user.service kiosk/passport-kiosk.sh kiosk/passport-kiosk.desktop; do
		[ -s "$d/$f" ] || fail "$(basename "$d") has no $f"
	done
	[ -x "$d/passport" ] && [ -x "$d/kiosk/passport-kiosk.sh" ] || fail "$(basename "$d"): executables lost their mode"
done
for f in passport.exe start-station.cmd add-to-startup.cmd LICENSES/mingw-w64-common/copyright; do
	[ -s "$win/$f" ] || fail "windows archive has no $f"
done
grep -q $'\r$' "$win/start-station.cmd" || fail "start-station.cmd has no CRLF line endings"
if unzip -l "$dist"/*-windows-amd64.zip | grep -qi -e winestub -e bcryptprimitives; then
	fail "the test-only Wine stub leaked into the Windows archive"
fi
step "checksums and archive contents OK"

# The systemd units parse, and how much the system unit exposes.
if command -v systemd-analyze >/dev/null 2>&1; then
	mkdir -p "$work/units"
	sed "s#/usr/local/bin/passport#$lin/passport#" "$lin/systemd/passport.service" >"$work/units/passport.service"
	systemd-analyze verify "$work/units/passport.service" 2>&1 | grep -v -e 'Failed to ' -e 'tainted' -e '^$' | tee "$work/units/verify.log" || true
	[ ! -s "$work/units/verify.log" ] || fail "systemd-analyze verify complains about passport.service"
	score=$(systemd-analyze security --offline=yes "$work/units/passport.service" 2>/dev/null | grep -o 'Overall exposure level.*' || echo "not available")
	step "systemd unit verified; $score"
fi

# --- the same scenario on each platform ------------------------------------
# Excel's "CSV UTF-8" as saved on Windows: byte-order mark and CRLF.
printf '\xef\xbb\xbf' >"$work/staff-excel.csv"
sed 's/\r$//; s/$/\r/' "$root/fixtures/staff.csv" >>"$work/staff-excel.csv"

PORT_BASE=$((20000 + $$ % 20000))

# scenario NAME DIR PATH_PREFIX RUN...: DIR is the working folder as this
# shell sees it, PATH_PREFIX how the binary names it (a drive letter path for Windows),
# RUN the command that runs the binary.
scenario() {
	local name=$1 dir=$2 p=$3 sep=/
	shift 3
	[[ $p == ?:* ]] && sep='\'
	local port=$((PORT_BASE + ${#name}))
	mkdir -p "$dir/out"
	cp "$work/staff-excel.csv" "$dir/staff (Excel).csv"
	"$@" --version >"$dir/version.txt" || fail "$name: --version"
	"$@" keys new --org RDT --name "Dist Test Trust (TEST)" --dir "${p}${p:+$sep}keys" >/dev/null ||
		fail "$name: keys new"
	"$@" trust add --db "${p}${p:+$sep}site.db" "${p}${p:+$sep}keys${sep}issuer.crt" >/dev/null || fail "$name: trust add"
	"$@" issue --key "${p}${p:+$sep}keys" --in "${p}${p:+$sep}staff (Excel).csv" --out "${p}${p:+$sep}out" >"$dir/issue.txt" 2>"$dir/issue.err" ||
		fail "$name: issue: $(cat "$dir/issue.txt" "$dir/issue.err")"
	grep -q '24 passports issued, 0 rows failed' "$dir/issue.txt" || fail "$name: issue from the Excel CSV: $(cat "$dir/issue.txt")"
	pdftoppm -r 150 -png -f 1 -l 1 "$dir/out/TEST1004.pdf" "$dir/page"
	"$@" verify --db "${p}${p:+$sep}site.db" "${p}${p:+$sep}page-1.png" >"$dir/verify.txt" || fail "$name: verify page: $(cat "$dir/verify.txt")"
	grep -q '^VALID' "$dir/verify.txt" || fail "$name: page not VALID: $(cat "$dir/verify.txt")"
	grep -q 'Nguyễn Thị Lan' "$dir/verify.txt" || fail "$name: the name lost its accents: $(cat "$dir/verify.txt")"
	"$@" verify --db "${p}${p:+$sep}site.db" --json "${p}${p:+$sep}out${sep}TEST1011.pdf" >"$dir/verify-pdf.txt" ||
		fail "$name: verify PDF: $(cat "$dir/verify-pdf.txt")"
	grep -q '"status":"valid"' "$dir/verify-pdf.txt" || fail "$name: PDF not valid"

	# Time one page verify (best of three).
	local best=999999 t0 t
	for _ in 1 2 3; do
		t0=$(now_ms)
		"$@" verify --db "${p}${p:+$sep}site.db" --brief "${p}${p:+$sep}page-1.png" >/dev/null
		t=$(($(now_ms) - t0))
		[ $t -lt $best ] && best=$t
	done
	echo "$best" >"$dir/verify-ms"

	# The station on loopback; meanwhile other processes read and write the
	# same SQLite file (SQLite's locks, through the platform's file locking).
	"$@" serve --db "${p}${p:+$sep}site.db" --addr "127.0.0.1:$port" --quiet >"$dir/serve.txt" 2>&1 &
	serve_pid=$!
	local i=0
	until curl -fsS -o /dev/null "http://127.0.0.1:$port/api/status" 2>/dev/null; do
		i=$((i + 1))
		[ $i -lt 150 ] || fail "$name: serve did not answer on 127.0.0.1:$port: $(cat "$dir/serve.txt")"
		sleep 0.2
	done
	curl -fsS -F "file=@$dir/page-1.png" "http://127.0.0.1:$port/api/verify" >"$dir/api.json" &
	local curl_pid=$!
	"$@" keys new --org RDU --name "Second Trust (TEST)" --dir "${p}${p:+$sep}keys2" >/dev/null
	"$@" trust add --db "${p}${p:+$sep}site.db" "${p}${p:+$sep}keys2${sep}issuer.crt" >"$dir/trust2.txt" 2>&1 ||
		fail "$name: trust add while the station has the database open: $(cat "$dir/trust2.txt")"
	"$@" verify --db "${p}${p:+$sep}site.db" --brief "${p}${p:+$sep}out${sep}TEST1012.pdf" >/dev/null ||
		fail "$name: verify while the station has the database open"
	wait $curl_pid || fail "$name: POST /api/verify failed"
	grep -q '"status":"valid"' "$dir/api.json" || fail "$name: POST /api/verify: $(cat "$dir/api.json")"
	curl -fsS "http://127.0.0.1:$port/api/status" | grep -q '"issuers":2' || fail "$name: the station does not see the issuer added meanwhile"
	kill "$serve_pid"
	wait "$serve_pid" 2>/dev/null || true
	serve_pid=""
	"$@" log --db "${p}${p:+$sep}site.db" --csv >"$dir/log.csv" || fail "$name: log"
	grep -q 'valid' "$dir/log.csv" || fail "$name: the station's verification was not logged: $(cat "$dir/log.csv")"
	step "$name: keys, trust, issue (Excel CSV), verify page+PDF, serve + concurrent SQLite use: OK ($(head -2 "$dir/version.txt" | tail -1))"
}

t_start=$(now_ms)
scenario linux-amd64 "$work/native" "$work/native" "$lin/passport"
grep -q 'linux/amd64' "$work/native/version.txt" || fail "native --version: $(cat "$work/native/version.txt")"

scenario linux-arm64 "$work/arm64" "$work/arm64" qemu-aarch64-static -L /usr/aarch64-linux-gnu "$arm/passport"
grep -q 'linux/arm64' "$work/arm64/version.txt" || fail "arm64 --version: $(cat "$work/arm64/version.txt")"

# Wine: a throw-away prefix with the test-only ProcessPrng stub.
WINE=$(command -v wine64 || command -v wine || echo /usr/lib/wine/wine64)
export WINEPREFIX="$work/wine" WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml=" WINEARCH=win64
# Set only now, so cleanup stops the servers of this throw-away prefix alone.
WINESERVER=$(command -v wineserver || echo /usr/lib/wine/wineserver)
unset DISPLAY WAYLAND_DISPLAY
x86_64-w64-mingw32-gcc -shared -O2 -s -o "$work/bcryptprimitives.dll" "$root/dist/testdata/winestub/bcryptprimitives.c" -ladvapi32
"$WINE" wineboot -i >/dev/null 2>&1 || fail "wineboot could not make a Wine prefix"
cp "$work/bcryptprimitives.dll" "$WINEPREFIX/drive_c/windows/system32/"
wdir="$WINEPREFIX/drive_c/Site Data (test)"
mkdir -p "$wdir"
scenario windows-amd64 "$wdir" 'C:\Site Data (test)' "$WINE" "$win/passport.exe"
grep -q 'windows/amd64' "$wdir/version.txt" || fail "windows --version: $(cat "$wdir/version.txt")"

# The Windows start-up scripts, under Wine's cmd.exe.
wwin="Z:${win//\//\\}"
if "$WINE" cmd /c "$wwin\\start-station.cmd" /quiet >"$work/start.txt" 2>&1; then
	fail "start-station.cmd without site.db should fail"
fi
grep -q 'site.db is not in this folder' "$work/start.txt" || fail "start-station.cmd: $(cat "$work/start.txt")"
"$WINE" cmd /c "$wwin\\add-to-startup.cmd" /quiet >"$work/startup.txt" 2>&1 || fail "add-to-startup.cmd: $(cat "$work/startup.txt")"
starter=$(find "$WINEPREFIX/drive_c/users" -ipath '*/Start Menu/Programs/Startup/passport-station.cmd' | head -1)
[ -n "$starter" ] || fail "add-to-startup.cmd wrote no starter into the Startup folder: $(cat "$work/startup.txt")"
grep -q 'start-station.cmd' "$starter" || fail "the Startup starter does not run start-station.cmd: $(cat "$starter")"
step "windows-amd64: start-station.cmd and add-to-startup.cmd under Wine's cmd: OK"

n=$(cat "$work/native/verify-ms") a=$(cat "$work/arm64/verify-ms") w=$(cat "$wdir/verify-ms")
echo "test-dist: verify of one 150-dpi page (best of 3): native ${n} ms; arm64 under qemu ${a} ms ($(awk "BEGIN{printf \"%.1f\", $a/$n}")x); windows under Wine ${w} ms ($(awk "BEGIN{printf \"%.1f\", $w/$n}")x)"
echo "test-dist: archive sizes: $(cd "$dist" && for f in *.tar.gz *.zip; do printf '%s %s KB; ' "$f" $(($(stat -c %s "$f") / 1024)); done)"
echo "test-dist: emulated runs took $((($(now_ms) - t_start) / 1000)) s"
