#!/usr/bin/env bash
# test-guide.sh DIST [GUIDE]: follows the site guide's Linux steps literally,
# as a site administrator would, with the release archive in DIST; then,
# when DIST has the Windows zip and Wine is installed, its Windows steps.
#
# The commands are not copied here: tools/guidesteps extracts every ```sh
# block of the section "Raspberry Pi or Linux PC" of GUIDE (default: the
# guide inside the archive, the one a site reads), step by step, and this
# script runs each step in a new shell that starts in the home folder of a
# fresh HOME, as a new terminal does. Only the placeholders below are
# replaced, and the guide must say what each one stands for.
#
# Around the steps, this script plays the other people involved:
#   - the scheme coordinator (with the same binary): authority key, an
#     issuer registered, a bundle with signed freshness and a site policy published in a
#     folder plus a timestamp statement, and a genuine passport issued;
#   - the browser: ~/Downloads holds what the guide says was downloaded or
#     sent (the archive, and beside it an older download; authority.pub);
#   - the receptionist: once the station answers, the first scan (a genuine
#     passport's text, as a USB scanner types it, POSTed to /api/verify);
#   - systemd and the desktop: systemctl and BROWSER are stand-ins that
#     record what they were asked to do (a test has no user session).
#
# The station listens on the guide's address, 127.0.0.1:8080, inside a
# private network namespace (unshare -rn), so a shared machine's 8080 does
# not matter.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dist=$(cd "${1:?usage: test-guide.sh DIST [GUIDE]}" && pwd)
guide_arg=${2:-}
[ -z "$guide_arg" ] || guide_arg=$(cd "$(dirname "$guide_arg")" && pwd)/$(basename "$guide_arg")

# A private loopback, so the guide's port 8080 is ours.
if [ -z "${TEST_GUIDE_NETNS:-}" ]; then
	if command -v ip >/dev/null && unshare -rn true 2>/dev/null; then
		exec unshare -rn env TEST_GUIDE_NETNS=1 bash "$0" "$dist" $guide_arg
	fi
	echo "test-guide: no private network namespace (unshare -rn); using this machine's 127.0.0.1:8080" >&2
else
	ip link set lo up
fi

fail() { echo "test-guide: FAIL: $*" >&2; exit 1; }
step() { echo "test-guide: $*"; }
work=$(mktemp -d /tmp/passport-test-guide.XXXXXX)
station_pid=""
cleanup() {
	[ -n "$station_pid" ] && { pkill -P "$station_pid"; kill "$station_pid"; } 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

platform=linux-amd64
archive=$(ls "$dist" | grep -- "-$platform\.tar\.gz$") || fail "no $platform archive in $dist"
[ "$(echo "$archive" | wc -l)" = 1 ] || fail "more than one $platform archive in $dist"
version=${archive#passport-}
version=${version%-"$platform".tar.gz}

# --- the coordinator's side, with the same binary ----------------------------
mkdir -p "$work/tool" "$work/coord"
tar -xzf "$dist/$archive" -C "$work/tool" --strip-components=1
tool=$work/tool/passport
guide=${guide_arg:-$work/tool/docs/site-guide.md}
export PASSPORT_PASSPHRASE=test-only-passphrase
(
	cd "$work/coord"
	"$tool" authority new --dir auth >/dev/null
	"$tool" keys new --org RGT --name "Guide Test Trust (TEST)" --dir issuer >/dev/null
	"$tool" authority register --issuers issuers.csv issuer/registration.req >/dev/null
	"$tool" authority timestamp-key --dir ts >/dev/null
	# A site policy the first passport meets (fixtures/site-policy.json asks
	# more of it), so the first scan is a plain ACCEPT; signed into the bundle
	# under a name that is not the guide's example.
	mkdir policies
	cat >policies/guide-ward.json <<'EOF'
{"name": "Guide test ward (TEST)",
 "checks": [{"type": "identity"}, {"type": "dbs", "levels": ["standard", "enhanced", "enhanced_barred"], "within": "5y"}],
 "training": [{"subject": "safeguarding_adults", "min_level": 3, "within": "3y"}]}
EOF
	"$tool" authority bundle --key auth --issuers issuers.csv --version 3 --policies policies \
		--expires "$(date -u -d '+1 year' +%Y-%m-%d)" --timestamp-key ts/timestamp.pub --fresh-for 7d --out trust-3.bundle >/dev/null
	"$tool" authority publish --out published trust-3.bundle >/dev/null
	"$tool" authority timestamp --key ts --out published --fresh-for 24h >/dev/null
	"$tool" issue --key issuer --in "$root/fixtures/staff.csv" --out out >/dev/null 2>&1
	"$tool" scan out/TEST1004.pdf >code.txt
) || fail "the coordinator's side (authority, register, bundle, publish, timestamp, issue) failed"
grep -q '^SP1:' "$work/coord/code.txt" || fail "no passport code read from the issued PDF: $(cat "$work/coord/code.txt")"

# --- the site: a fresh HOME with what was downloaded and sent ----------------
home=$work/home
mkdir -p "$home/Downloads" "$work/stubs"
cp "$dist/$archive" "$home/Downloads/"
# The previous release's download is often still there.
cp "$dist/$archive" "$home/Downloads/passport-0.0.1-$platform.tar.gz"
cp "$work/coord/auth/authority.pub" "$home/Downloads/"
cat >"$work/stubs/systemctl" <<EOF
#!/bin/sh
echo "\$*" >>"$work/systemctl.log"
EOF
cat >"$work/stubs/browser" <<EOF
#!/bin/sh
echo "\$*" >>"$work/browser.log"
EOF
chmod +x "$work/stubs/systemctl" "$work/stubs/browser"

# The placeholders: what a reader puts in place of each word the guide
# shows as an example. The guide must say what each stands for (checked by
# tools/guidesteps).
#
#   VERSION          the release's version, as in the downloaded file's name
#   PLATFORM         linux-amd64 (this machine)
#   URL-OR-FOLDER    the folder the coordinator publishes the trust list in
#   ward-nurse       the policy name the coordinator gives: guide-ward
#   trust-12.bundle  (Windows) the bundle file the coordinator sent
steps=$work/steps
(cd "$root" && go run ./tools/guidesteps -section 'Raspberry Pi or Linux PC' -out "$steps" \
	-set "VERSION=$version" -set "PLATFORM=$platform" -set "URL-OR-FOLDER=$work/coord/published" -set ward-nurse=guide-ward \
	"$guide") >/dev/null || fail "cannot extract the Linux steps from $guide"

# in_session CMD...: runs CMD in the home folder with only what a desktop
# session has in its environment.
in_session() {
	(cd "$home" && exec env -i HOME="$home" USER=site LANG=C.UTF-8 PATH="$work/stubs:/usr/local/bin:/usr/bin:/bin" \
		BROWSER="$work/stubs/browser" PASSPORT_PASSPHRASE= "$@")
}

first_scan() {
	local i=0
	until curl -fsS -o /dev/null http://127.0.0.1:8080/api/status 2>/dev/null; do
		i=$((i + 1))
		[ $i -lt 150 ] || fail "step \"$1\": the station did not answer on http://127.0.0.1:8080/: $(cat "$work/station.txt")"
		kill -0 "$station_pid" 2>/dev/null || fail "step \"$1\" stopped: $(cat "$work/station.txt")"
		sleep 0.2
	done
	grep -q 'http://127.0.0.1:8080' "$work/browser.log" 2>/dev/null ||
		fail "step \"$1\": the browser was not asked to open the page"
	curl -fsS -H 'Content-Type: text/plain' --data-binary @"$work/coord/code.txt" \
		http://127.0.0.1:8080/api/verify >"$work/scan.json" || fail "the first scan: POST /api/verify failed"
	grep -q '"status":"valid"' "$work/scan.json" || fail "the first scan is not valid: $(cat "$work/scan.json")"
	grep -q '"decision":{"code":"accept"' "$work/scan.json" ||
		fail "the first scan of a genuine passport is not ACCEPT: $(cat "$work/scan.json")"
	grep -q '"policy":{' "$work/scan.json" || fail "the station does not apply the site policy: $(cat "$work/scan.json")"
}

served_with=""
for s in "$steps"/*.sh; do
	title=$(head -1 "$s" | sed 's/^# //')
	if grep -q 'passport serve' "$s"; then
		# The station runs in the foreground until Ctrl+C (SIGINT).
		# (no subshell: $! is the step's shell, whose child is the station)
		cd "$home"
		env -i HOME="$home" USER=site LANG=C.UTF-8 PATH="$work/stubs:/usr/local/bin:/usr/bin:/bin" \
			BROWSER="$work/stubs/browser" PASSPORT_PASSPHRASE= bash -euo pipefail "$s" >"$work/station.txt" 2>&1 &
		station_pid=$!
		cd "$root"
		first_scan "$title"
		# The same step again, as someone who forgot the first window: the
		# guide promises "already running" with the address, not a port error.
		if in_session timeout 30 bash -euo pipefail "$s" >"$work/again.txt" 2>&1; then
			fail "step \"$title\" run a second time started a second station: $(cat "$work/again.txt")"
		fi
		grep -q 'already running: open http://127.0.0.1:8080' "$work/again.txt" ||
			fail "step \"$title\" run a second time does not say the station is already running: $(cat "$work/again.txt")"
		pkill -INT -P "$station_pid" # Ctrl+C
		wait "$station_pid" || fail "step \"$title\": the station did not stop cleanly on Ctrl+C: $(cat "$work/station.txt")"
		grep -q 'station stopped' "$work/station.txt" || fail "step \"$title\": no \"station stopped\" after Ctrl+C: $(cat "$work/station.txt")"
		station_pid=""
		served_with=$(grep -o 'passport serve.*' "$s" | head -1)
		step "$title: the page opened, the first scan is ACCEPT; a second start says already running"
	else
		in_session bash -euo pipefail "$s" >"$work/out.txt" 2>&1 ||
			fail "step \"$title\" failed when run as written:
$(sed 1d "$s")
---
$(cat "$work/out.txt")"
		step "$title: OK"
	fi
	# After each step: what it promises to have left behind.
	case "$title" in
	*[Tt]rust*)
		grep -q '^current: trust list version 3' "$work/out.txt" ||
			fail "step \"$title\": the trust list is not current afterwards: $(cat "$work/out.txt")" ;;
	*[Uu]pgrad*)
		# What the guide says to check after an upgrade.
		for want in "$version" '^current: trust list version 3' 'log chain intact'; do
			grep -q -- "$want" "$work/out.txt" || fail "step \"$title\": no \"$want\" in what it printed: $(cat "$work/out.txt")"
		done ;;
	esac
done
[ -n "$served_with" ] || fail "no step starts the station (passport serve)"
[ -s "$home/passport/site.db" ] || fail "after the steps there is no ~/passport/site.db"

# Start at log-in: what systemd was asked to start must be what the guide
# tried, with the same policy.
unit=$home/.config/systemd/user/passport.service
if grep -q 'systemctl --user enable' "$steps"/*.sh; then
	[ -s "$unit" ] || fail "systemctl was asked to enable passport, but $unit does not exist"
	grep -q -- '--user enable --now passport' "$work/systemctl.log" || fail "systemctl calls: $(cat "$work/systemctl.log")"
	exec_start=$({ cat "$unit" "$unit".d/*.conf 2>/dev/null || true; } | grep "^ExecStart=." | tail -1)
	exe=$(echo "$exec_start" | sed "s#^ExecStart=##; s#%h#$home#g" | awk '{print $1}')
	[ -x "$exe" ] || fail "the unit starts $exe, which does not exist after the guide's steps"
	if echo "$served_with" | grep -q -- '--policy-name guide-ward'; then
		echo "$exec_start" | grep -q -- '--policy-name ${PASSPORT_POLICY}' &&
			grep -q '^Environment=PASSPORT_POLICY=guide-ward$' "$unit" ||
			fail "the guide's station ran with the policy guide-ward, the one started at log-in does not: $(grep -e ^Environment -e ^ExecStart "$unit")"
	fi
	step "start at log-in: the unit runs $(basename "$exe") with the guide's options"
fi
if grep -q 'autostart' "$steps"/*.sh; then
	d=$home/.config/autostart/passport-kiosk.desktop
	[ -s "$d" ] || fail "the kiosk step left no $d"
	[ -x "$home/passport/kiosk/passport-kiosk.sh" ] || fail "the kiosk entry starts ~/passport/kiosk/passport-kiosk.sh, which is missing"
fi

# The station's log kept the first scan, through the upgrade if the guide has one.
in_session "$home/passport/passport" log --db "$home/passport/site.db" --verify >"$work/log.txt" 2>&1 ||
	fail "the log does not verify after the guide's steps: $(cat "$work/log.txt")"
in_session "$home/passport/passport" log --db "$home/passport/site.db" --csv >"$work/log.csv" 2>/dev/null
grep -q valid "$work/log.csv" || fail "the first scan is not in the log after the guide's steps"
step "all $(ls "$steps" | wc -l) steps of the Linux guide ran as written ($version)"

# --- Windows: the guide's Command Prompt lines under Wine --------------------
# When DIST has the windows-amd64 zip (make test: test-dist builds it) and
# Wine is installed. What the reader does with the mouse (Extract All, rename
# the folder, copy two files, double-click) this script does for them, as
# the guide says; the lines the guide says to type are extracted (```bat)
# and typed into cmd.exe in C:\passport.
win_zip=$(ls "$dist" | grep -- '-windows-amd64\.zip$' || true)
WINE=$(command -v wine64 || command -v wine || echo /usr/lib/wine/wine64)
if [ -z "$win_zip" ] || [ ! -x "$WINE" ] || ! command -v x86_64-w64-mingw32-gcc >/dev/null; then
	step "Windows steps skipped: no windows-amd64 zip in $dist, or no Wine and mingw-w64"
	exit 0
fi
export WINEPREFIX="$work/wine" WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml=" WINEARCH=win64
WINESERVER=$(command -v wineserver || echo /usr/lib/wine/wineserver)
unset DISPLAY WAYLAND_DISPLAY
wine_cleanup() { "$WINESERVER" -k 2>/dev/null || true; cleanup; }
trap wine_cleanup EXIT
x86_64-w64-mingw32-gcc -shared -O2 -s -o "$work/bcryptprimitives.dll" "$root/dist/testdata/winestub/bcryptprimitives.c" -ladvapi32
"$WINE" wineboot -i >/dev/null 2>&1 || fail "wineboot could not make a Wine prefix"
cp "$work/bcryptprimitives.dll" "$WINEPREFIX/drive_c/windows/system32/"
c=$WINEPREFIX/drive_c
# Step 2: Extract All into C:\, then rename the folder to passport.
unzip -q "$dist/$win_zip" -d "$c"
mv "$c/${win_zip%.zip}" "$c/passport"
# Step 3: the two files from the coordinator.
cp "$work/coord/auth/authority.pub" "$work/coord/trust-3.bundle" "$c/passport/"
winsteps=$work/winsteps
(cd "$root" && go run ./tools/guidesteps -section 'Windows: seven steps' -lang bat -out "$winsteps" \
	-set "trust-12.bundle=trust-3.bundle" -set ward-nurse=guide-ward "$guide") >/dev/null || fail "cannot extract the Windows steps from $guide"
for s in "$winsteps"/*.sh; do
	title=$(head -1 "$s" | sed 's/^# //')
	: >"$work/win-out.txt"
	while IFS= read -r line; do
		[ -n "$line" ] || continue
		"$WINE" cmd /c "cd /d C:\\passport && $line" >>"$work/win-out.txt" 2>&1 ||
			fail "Windows step \"$title\": \"$line\" failed in a Command Prompt in C:\\passport: $(cat "$work/win-out.txt")"
	done < <(sed 1d "$s" | tr -d '\r')
	step "Windows $title: OK"
done
grep -q 'imported trust list version 3' "$work/win-out.txt" || fail "Windows: the trust list was not imported: $(cat "$work/win-out.txt")"
# Step 5: double-click start-station.cmd.
"$WINE" cmd /c 'C:\passport\start-station.cmd' >"$work/station.txt" 2>&1 &
i=0
until curl -fsS -o /dev/null http://127.0.0.1:8080/api/status 2>/dev/null; do
	i=$((i + 1))
	[ $i -lt 300 ] || fail "Windows step 5: the station did not answer on http://127.0.0.1:8080/: $(cat "$work/station.txt")"
	sleep 0.2
done
curl -fsS -H 'Content-Type: text/plain' --data-binary @"$work/coord/code.txt" \
	http://127.0.0.1:8080/api/verify >"$work/scan.json" || fail "Windows: the first scan: POST /api/verify failed"
grep -q '"status":"valid"' "$work/scan.json" || fail "Windows: the first scan is not valid: $(cat "$work/scan.json")"
"$WINESERVER" -k 2>/dev/null || true
step "Windows steps 2-6 under Wine: trust list loaded as typed, start-station.cmd answers, the first scan is valid"
