#!/usr/bin/python3
"""bench-scan-wechat.py: OpenCV's WeChat QR reader as a scanbench peer reader.

Reads image file names, one a line, on standard input and answers each with one
JSON line {"texts": [...]}; OpenCV is loaded once, so the time scanbench measures a
line is the decode. Debian's python3-opencv does not ship the WeChat CNN model files
(detect/sr .prototxt and .caffemodel); without them (WECHAT_MODEL_DIR unset) the
reader runs in its no-model mode: OpenCV's traditional detector, no super-resolution.
The mode is printed on standard error at start.
"""
import json
import os
import sys

import cv2


def make_reader():
    d = os.environ.get("WECHAT_MODEL_DIR", "")
    names = ["detect.prototxt", "detect.caffemodel", "sr.prototxt", "sr.caffemodel"]
    paths = [os.path.join(d, n) for n in names]
    if d and all(os.path.exists(p) for p in paths):
        print("bench-scan-wechat: CNN detector and super-resolution models from", d, file=sys.stderr)
        return cv2.wechat_qrcode_WeChatQRCode(*paths)
    print("bench-scan-wechat: no model files: no-model mode (traditional detector, no super-resolution)", file=sys.stderr)
    return cv2.wechat_qrcode_WeChatQRCode()


def main():
    reader = make_reader()
    for line in sys.stdin:
        path = line.rstrip("\n")
        texts = []
        try:
            img = cv2.imread(path, cv2.IMREAD_COLOR)
            if img is not None:
                res, _ = reader.detectAndDecode(img)
                texts = [t for t in res if t]
        except Exception as e:  # one bad image must not stop the benchmark
            print("bench-scan-wechat: %s: %s" % (path, e), file=sys.stderr)
        sys.stdout.write(json.dumps({"texts": texts}) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
