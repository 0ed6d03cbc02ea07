#!/bin/bash
# Full-screen Chromium on the station page, for a reception-desk kiosk such as
# a Raspberry Pi with a USB scanner and a small screen. The station itself
# runs as a systemd service (../systemd); this only shows its page.
#
# Start it at desktop log-in with passport-kiosk.desktop (see that file).
# Exit the kiosk with Alt+F4.
URL="${PASSPORT_URL:-http://127.0.0.1:8080/}"
case "$URL" in
http://127.0.0.1:* | http://localhost:* | http://\[::1\]:*) ;;
*) echo "passport-kiosk: PASSPORT_URL must be a loopback address (the webcam works only there)" >&2; exit 3 ;;
esac
# Wait up to a minute for the station to answer, so the page does not open
# on an error when the desktop is faster than the service.
hostport=${URL#http://}
hostport=${hostport%%/*}
host=${hostport%:*}
port=${hostport##*:}
[ "$host" = localhost ] && host=127.0.0.1
host=${host#[}
host=${host%]}
i=0
while [ $i -lt 60 ] && ! (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null; do
	sleep 1; i=$((i + 1))
done
BROWSER_BIN=$(command -v chromium || command -v chromium-browser)
if [ -z "$BROWSER_BIN" ]; then
	echo "passport-kiosk: Chromium not found; install it with: sudo apt-get install chromium" >&2
	exit 3
fi
# --kiosk: full screen, no address bar; --use-fake-ui-for-media-stream
# answers the camera prompt with "allow" (no keyboard at a kiosk) - drop it
# if the station is used with a USB scanner only.
exec "$BROWSER_BIN" --kiosk --app="$URL" --no-first-run --noerrdialogs \
	--disable-session-crashed-bubble --disable-infobars --password-store=basic \
	--use-fake-ui-for-media-stream
