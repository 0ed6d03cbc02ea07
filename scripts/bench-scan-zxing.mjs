// bench-scan-zxing.mjs: zxing-cpp 3 (npm zxing-wasm) as a scanbench peer reader.
// Reads image file names, one a line, on standard input and answers each with one
// JSON line {"texts": [...]}; the module is loaded once, so the time scanbench
// measures a line is the decode, not Node's start-up. ZXING_WASM_DIR is the scratch
// directory where scripts/bench-scan.sh installed the package (never committed).
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { join } from "node:path";

const dir = process.env.ZXING_WASM_DIR;
if (!dir) {
  console.error("bench-scan-zxing: error: ZXING_WASM_DIR is not set\nhint: run scripts/bench-scan.sh, which installs zxing-wasm");
  process.exit(2);
}
const pkg = join(dir, "node_modules", "zxing-wasm");
const { prepareZXingModule, readBarcodes } = await import(join(pkg, "dist", "es", "reader", "index.js"));
// Load the WebAssembly from disk: the default would fetch it from a CDN.
const wasm = readFileSync(join(pkg, "dist", "reader", "zxing_reader.wasm"));
await prepareZXingModule({
  overrides: { wasmBinary: wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength) },
  fireImmediately: true,
});
const rl = createInterface({ input: process.stdin });
for await (const file of rl) {
  let texts = [];
  try {
    const data = readFileSync(file);
    const rs = await readBarcodes(new Blob([data]), { formats: ["QRCode"] });
    texts = rs.filter((r) => r.isValid).map((r) => r.text);
  } catch (e) {
    console.error(`bench-scan-zxing: ${file}: ${e}`);
  }
  process.stdout.write(JSON.stringify({ texts }) + "\n");
}
