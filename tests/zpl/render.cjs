// Renders ZPL labels with zpl-renderer-js (Zebrash, an independent ZPL implementation) for the label tests.
// stdin: JSON [{"zpl": "...", "width_mm": 101.6, "height_mm": 152.4, "dpmm": 8}, ...]
// stdout: JSON ["<base64 PNG>", ...] in the same order. One process renders them all (the wasm loads once).
const { ready } = require("zpl-renderer-js");

async function main() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  const jobs = JSON.parse(Buffer.concat(chunks).toString("utf8"));
  const { api } = await ready;
  const images = [];
  for (const job of jobs) {
    images.push(await api.zplToBase64Async(job.zpl, job.width_mm, job.height_mm, job.dpmm));
  }
  process.stdout.write(JSON.stringify(images));
}

main().catch((error) => {
  process.stderr.write(String(error && error.stack ? error.stack : error) + "\n");
  process.exit(1);
});
