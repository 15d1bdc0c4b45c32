// Decide in Node.js with a costkeras decision model exported to ONNX, no Python involved.
//
//   npm install                         (ONNXRUNTIME_NODE_INSTALL=skip: the CPU build only)
//   node decide.mjs decide.onnx rows.json
//
// rows.json holds the raw features, one array per row: [[0.1, 2.0, ...], ...]. The script
// prints one JSON array: each row's decision, its position in the estimator's classes_ (keep
// classes_ beside the model to turn positions into labels), or -1 where the row cannot be
// decided (a feature that is NaN or infinite).
import { readFile } from "node:fs/promises";
import * as ort from "onnxruntime-node";

const [modelPath, rowsPath] = process.argv.slice(2);
if (!modelPath || !rowsPath) {
  console.error("usage: node decide.mjs MODEL.onnx ROWS.json");
  process.exit(2);
}
const rows = JSON.parse(await readFile(rowsPath, "utf8"));
const width = rows.length ? rows[0].length : 0;
// ONNX Runtime takes float32 features, shaped (batch, n_features)
const features = new ort.Tensor("float32", Float32Array.from(rows.flat()), [rows.length, width]);

const session = await ort.InferenceSession.create(modelPath);
const outputs = await session.run({ [session.inputNames[0]]: features }, ["decision"]);
console.log(JSON.stringify(Array.from(outputs.decision.data, Number)));
