'use strict';
// Entry script of each pthread (XNNPACK worker) of tfjs-backend-wasm's threaded-SIMD build when
// it runs under Node. The package ships this worker's code only as a string meant for a browser
// Blob URL, which Node's worker_threads cannot load; run that string here instead. Newlines are
// escaped as the package does before making its Blob.
const {
  wasmWorkerContents,
} = require('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.worker.js');

new Function('require', '__filename', wasmWorkerContents.replace(/\n/g, '\\n'))(require, __filename);
