#!/usr/bin/env bash
# gen-corpus-variety.sh: writes the gating corpus's classes made by tools other
# than the project's own generators, so the reader is gated on more than one
# encoder and renderer:
#
#   corpus/zxingwriter     QR codes written by zxing-cpp's ZXingWriter (its own
#                          versions and masks) at 2 to 5 pixels a module, then
#                          turned, blurred, noised or saved as JPEG by ImageMagick
#   corpus/magick-issued   passports issued by `passport issue` (A4 and card
#                          layouts), rendered by poppler's pdftoppm at 72 to 110
#                          dpi in grey, then distorted by ImageMagick (-rotate,
#                          -blur, +noise, -quality); of an A4 page the upper
#                          half, where the code is printed, of a card its back
#   corpus/chromium-phone  a passport page shown in headless Chromium on a
#                          390x844 phone-sized window (device scale 2 or 3)
#
# Each image has its text beside it in IMAGE.txt. The expected texts are read
# by zbarimg or ZXingReader from a clean 300-dpi render, never by our reader.
# The credentials are signed afresh with a throwaway key on each run (TEST
# DATA: fixtures/staff.csv is synthetic), so a rerun writes other images of
# the same kinds: the committed images are what the tests read. ImageMagick's
# noise is seeded, and every other parameter follows from the image's index.
#
# Usage: scripts/gen-corpus-variety.sh  (from anywhere; needs ZXingWriter,
# ZXingReader, zbarimg, pdftoppm, ImageMagick's convert and chromium)
set -euo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-go}
for t in ZXingWriter ZXingReader zbarimg pdftoppm convert chromium; do
  command -v "$t" >/dev/null || { echo "gen-corpus-variety: $t not found" >&2; exit 1; }
done
corpus=verify/scan/testdata/corpus
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
$GO build -o "$work/passport" ./cmd/passport
P=$work/passport
export PASSPORT_PASSPHRASE=test-only-passphrase-not-secret
$P keys new --org TST --name "Corpus Test Trust (TEST DATA)" --dir "$work/keys" --contact test@corpus.invalid >/dev/null
head -n 9 fixtures/staff.csv >"$work/staff.csv"
$P issue --key "$work/keys" --in "$work/staff.csv" --out "$work/a4" --quiet >/dev/null
$P issue --key "$work/keys" --in "$work/staff.csv" --out "$work/card" --layout card --quiet >/dev/null

# text FILE: the code's text as an independent reader sees it.
text() {
  local t
  t=$(zbarimg -q --raw -Sdisable -Sqrcode.enable "$1" 2>/dev/null | head -n 1 || true)
  if [ -z "$t" ]; then
    t=$(ZXingReader -format QRCode -1 "$1" 2>/dev/null | sed -n 's/^[^ ]* [^ ]* "\(.*\)"$/\1/p' | head -n 1 || true)
  fi
  [ -n "$t" ] || { echo "gen-corpus-variety: no reader reads $1" >&2; exit 1; }
  printf '%s\n' "$t"
}

pdfs=("$work"/a4/*.pdf)
cards=("$work"/card/*.pdf)
mkdir -p "$work/clean"
texts=()
for i in $(seq 0 7); do
  pdftoppm -r 300 -gray -png -singlefile -f 1 -l 1 "${pdfs[$i]}" "$work/clean/$i"
  texts+=("$(text "$work/clean/$i.png")")
done

# ImageMagick distortion number i (0..7): turn, blur, noise or JPEG.
distort() { # in out i
  case $(($3 % 4)) in
    0) convert "$1" -background white -rotate "$((3 + 5 * $3))" "$2" ;;
    1) convert "$1" -blur "0x$(echo "scale=2; 0.6 + 0.1 * $3" | bc)" "$2" ;;
    2) convert "$1" -seed "$3" -attenuate "$(echo "scale=2; 0.4 + 0.1 * $3" | bc)" +noise Gaussian -colorspace Gray "$2" ;;
    3) convert "$1" -quality "$((25 + 5 * $3))" "${2%.png}.jpg" ;;
  esac
}
out() { # class name: the output path, PNG unless distort makes a JPEG
  echo "$corpus/$1/$2"
}

rm -rf "$corpus/zxingwriter" "$corpus/magick-issued" "$corpus/chromium-phone"
mkdir -p "$corpus/zxingwriter" "$corpus/magick-issued" "$corpus/chromium-phone"

for i in $(seq 0 7); do
  t=${texts[$i]}
  # ZXingWriter: ECC levels 2..8 of its 0..8 scale, 2 to 5 pixels a module.
  ecc=$((2 + i % 7))
  ZXingWriter -size "$(((2 + i % 4) * 190))x$(((2 + i % 4) * 190))" -margin 8 -ecc "$ecc" QRCode "$t" "$work/zx$i.png"
  f=$(out zxingwriter "zx-$i.png")
  distort "$work/zx$i.png" "$f" "$i"
  [ -f "$f" ] || f=${f%.png}.jpg
  printf '%s\n' "$t" >"$f.txt"

  # poppler at 72..110 dpi, then ImageMagick; the upper half of the page.
  dpi=$((72 + 5 * i + (i > 3 ? 6 : 0)))
  # The card layout prints its code on the back, page 2, of a small page.
  src=${pdfs[$i]} page=1 crop=(-gravity north -crop 100%x55%+0+0 +repage)
  if [ $((i % 3)) = 2 ]; then src=${cards[$i]} page=2 crop=(); fi
  pdftoppm -r "$dpi" -gray -png -singlefile -f $page -l $page "$src" "$work/p$i"
  pdftoppm -r 300 -gray -png -singlefile -f $page -l $page "$src" "$work/q$i"
  want=$(text "$work/q$i.png")
  convert "$work/p$i.png" "${crop[@]}" "$work/h$i.png"
  f=$(out magick-issued "page-$i.png")
  distort "$work/h$i.png" "$f" "$((i + 1))"
  [ -f "$f" ] || f=${f%.png}.jpg
  printf '%s\n' "$want" >"$f.txt"

  # Chromium: the page at 150 dpi in a phone-sized window, scrolled so the
  # code is on screen, at device scale 2 or 3.
  pdftoppm -r 150 -png -singlefile -f 1 -l 1 "${pdfs[$i]}" "$work/c$i"
  cat >"$work/c$i.html" <<EOF
<!doctype html><meta name=viewport content="width=device-width">
<body style="margin:0;background:#ddd"><img src="c$i.png" style="width:$((100 + 10 * (i % 4)))%;display:block;margin-top:-$((20 * (i % 3)))px;margin-left:-$((15 * (i % 2)))px">
EOF
  chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --force-device-scale-factor=$((2 + i % 2)) \
    --window-size=390,844 --screenshot="$work/shot$i.png" "file://$work/c$i.html" >/dev/null 2>&1
  f=$(out chromium-phone "phone-$i.png")
  cp "$work/shot$i.png" "$f"
  printf '%s\n' "${texts[$i]}" >"$f.txt"
done
du -sh "$corpus/zxingwriter" "$corpus/magick-issued" "$corpus/chromium-phone"
