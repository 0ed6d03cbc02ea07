#!/usr/bin/env bash
# bench-scan.sh: `make bench-scan`. Runs fixtures/degrade/cmd/scanbench on two seeds
# (1, the development seed, and 20261125, the held-out one) with every reader side
# by side: passport, zbarimg, ZXingReader (zxing-cpp 1.4, Debian), zxing-cpp 3 (npm
# zxing-wasm under Node) and OpenCV's WeChat reader (Debian python3-opencv).
#
# zxing-wasm is installed from the npm registry into a scratch directory
# (BENCH_SCRATCH, default $TMPDIR/passport-bench-scan), never into the repository.
# Debian's python3-opencv ships no WeChat model files, so that reader runs in its
# no-model mode (it says so on standard error).
#
# Environment: N (images per class, default 8), SEEDS (default "1 20261125"),
# CLASSES (comma-separated, default all; none for only the page table), PAGES
# (clean A4 scans per resolution and format in the page-speed table, default 8;
# 0 for none); extra arguments go to scanbench.
# An image passport misses but a peer reads is named on standard error and kept,
# with its expected text, in $BENCH_SCRATCH/misses-SEED (the corpus itself is
# made afresh each run, with new credentials).
set -euo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-go}
scripts/need.sh pdftoppm poppler-utils zbarimg zbar-tools ZXingReader zxing-cpp-tools node nodejs npm npm

scratch=${BENCH_SCRATCH:-${TMPDIR:-/tmp}/passport-bench-scan}
mkdir -p "$scratch"
if [ ! -f "$scratch/node_modules/zxing-wasm/package.json" ]; then
  echo "bench-scan: installing zxing-wasm 3 from npm into $scratch" >&2
  (cd "$scratch" && npm install --no-audit --no-fund --silent zxing-wasm@3 >&2)
fi

py=/usr/bin/python3
if ! "$py" -c 'import cv2; cv2.wechat_qrcode_WeChatQRCode' 2>/dev/null; then
  echo "bench-scan: installing python3-opencv (Debian) for the WeChat reader" >&2
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends python3-opencv >/dev/null
fi
wechat=$py
"$py" -c 'import cv2; cv2.wechat_qrcode_WeChatQRCode' 2>/dev/null || {
  echo "bench-scan: OpenCV's wechat_qrcode module is missing; WeChat reader skipped" >&2; wechat=""; }

$GO build -o bin/passport ./cmd/passport
args=(-n "${N:-8}" -pages "${PAGES:-8}" -passport bin/passport -csv fixtures/staff.csv -zxing-wasm "$scratch" -wechat "$wechat")
[ -n "${CLASSES:-}" ] && args+=(-classes "$CLASSES")
for seed in ${SEEDS:-1 20261125}; do
  echo "== seed $seed"
  $GO run ./fixtures/degrade/cmd/scanbench "${args[@]}" -seed "$seed" -misses "$scratch/misses-$seed" "$@"
done
