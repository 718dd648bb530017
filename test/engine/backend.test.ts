/** Backend selection: overrides, errors for bad choices, and both threads used on wasm. */
import * as tf from '@tensorflow/tfjs-core';
import os from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { engineInfo, initEngine, parseBackendChoice, shutdownEngine } from '../../src/core/engine/backend';
import { WASM_TRAINING_KERNELS } from '../../src/core/engine/kernels';

afterEach(() => {
  shutdownEngine();
  delete process.env.DEPTHSEG_BACKEND;
});

describe('initEngine', () => {
  it('starts the threaded wasm build with the threads asked for (the cores/2 cap lifted), logging once', async () => {
    const lines: string[] = [];
    const info = await initEngine({ backend: 'wasm', threads: 2, log: (l) => lines.push(l) });
    expect(info.backend).toBe('wasm');
    expect(info.threadedWasm).toBe(true);
    expect(info.threads).toBe(2);
    expect(tf.getBackend()).toBe('wasm');
    for (const k of WASM_TRAINING_KERNELS) expect(tf.getKernel(k, 'wasm'), k).toBeDefined();
    expect(await initEngine({ log: (l) => lines.push(l) })).toBe(info);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/backend wasm \(2 threads\)/);
    const y = tf.tidy(() => tf.sum(tf.conv2d(tf.ones([1, 8, 8, 4]) as tf.Tensor4D, tf.ones([3, 3, 4, 2]) as tf.Tensor4D, 1, 'valid')));
    expect(y.dataSync()[0]).toBe(6 * 6 * 2 * 36);
    y.dispose();
  });

  it('chooses from DEPTHSEG_BACKEND and restarts after shutdown', async () => {
    process.env.DEPTHSEG_BACKEND = 'cpu';
    const info = await initEngine({ log: () => undefined });
    expect(info).toMatchObject({ backend: 'cpu', threads: 1 });
    expect(info.reason).toMatch(/DEPTHSEG_BACKEND/);
    shutdownEngine();
    expect(engineInfo()).toBeNull();
    delete process.env.DEPTHSEG_BACKEND;
    const again = await initEngine({ backend: 'wasm', threads: 1, log: () => undefined });
    expect(again).toMatchObject({ backend: 'wasm', threads: 1 });
  });

  it('automatic choice skips the native packages that are not installed and says so', async () => {
    const info = await initEngine({ log: () => undefined });
    expect(['tensorflow', 'wasm']).toContain(info.backend);
    if (info.backend === 'wasm') {
      expect(info.reason).toMatch(/tfjs-node-gpu not available/);
      expect(info.threads).toBe(Math.min(8, typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length));
    }
  });

  it('rejects an unknown backend name and a native backend that is not installed', async () => {
    expect(() => parseBackendChoice('gpu', 'DEPTHSEG_BACKEND')).toThrow(/DEPTHSEG_BACKEND: unknown backend 'gpu'/);
    process.env.DEPTHSEG_BACKEND = 'tpu';
    await expect(initEngine({ log: () => undefined })).rejects.toThrow(/unknown backend 'tpu'/);
    delete process.env.DEPTHSEG_BACKEND;
    let nodeInstalled = true;
    try {
      await import(/* @vite-ignore */ ['@tensorflow', 'tfjs-node'].join('/'));
    } catch {
      nodeInstalled = false;
    }
    if (!nodeInstalled) await expect(initEngine({ backend: 'node', log: () => undefined })).rejects.toThrow(/tfjs-node does not load: not installed/);
  });
});
