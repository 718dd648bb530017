/** Small helpers shared by the wasm training kernels. */
import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/** A kernel input as a Tensor (ops hand kernels their Tensors). */
export function asTensor<T extends tf.Tensor = tf.Tensor>(info: tf.TensorInfo | undefined, kernel: string, name: string): T {
  if (!(info instanceof tf.Tensor)) throw new Error(`${kernel}: input '${name}' is missing or not a tensor`);
  return info as T;
}

export function asWasm(backend: unknown): BackendWasm {
  return backend as BackendWasm;
}

export function requireNHWC(kernel: string, dataFormat: unknown): void {
  if (dataFormat != null && dataFormat !== 'NHWC' && dataFormat !== 'channelsLast') {
    throw new Error(`${kernel}: only NHWC (channels last) is supported on wasm, got ${String(dataFormat)}`);
  }
}

/** Registers `config` for wasm, replacing what tfjs-backend-wasm registered under that name. */
export function registerWasmKernel(kernelName: string, kernelFunc: tf.KernelFunc): void {
  if (tf.getKernel(kernelName, 'wasm')) tf.unregisterKernel(kernelName, 'wasm');
  tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc });
}
