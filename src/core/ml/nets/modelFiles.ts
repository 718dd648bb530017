/**
 * Saves and loads tfjs-layers models in their own format as a folder: `model.json` (topology
 * and weights manifest, as tfjs's file:// handler in tfjs-node writes it) and `weights.bin`
 * (all weights, float32, in manifest order). tfjs-node is not a dependency, so these are the
 * small IOHandlers for Node. Files are written atomically; load errors name the file.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataError } from '../../errors';
import { writeFileAtomic } from '../../fsAtomic';
// Registers the project's custom layer classes, so a model holding them can be loaded.
import './dilatedConv';
import './poseOutputScale';

export const MODEL_JSON = 'model.json';
export const WEIGHTS_BIN = 'weights.bin';

/** An IOHandler whose save writes `dir/model.json` and `dir/weights.bin` (the folder is made). */
export function folderSaveHandler(dir: string): tf.io.IOHandler {
  return {
    async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
      if (artifacts.modelTopology === undefined || artifacts.modelTopology instanceof ArrayBuffer) {
        throw new Error(`${join(dir, MODEL_JSON)}: only JSON model topologies can be saved`);
      }
      mkdirSync(dir, { recursive: true });
      const weights = new Uint8Array(artifacts.weightData ? tf.io.CompositeArrayBuffer.join(artifacts.weightData) : new ArrayBuffer(0));
      const json: tf.io.ModelJSON = {
        modelTopology: artifacts.modelTopology,
        format: artifacts.format ?? 'layers-model',
        generatedBy: artifacts.generatedBy ?? 'TensorFlow.js tfjs-layers',
        convertedBy: artifacts.convertedBy ?? null,
        weightsManifest: [{ paths: [WEIGHTS_BIN], weights: artifacts.weightSpecs ?? [] }],
      };
      if (artifacts.trainingConfig) json.trainingConfig = artifacts.trainingConfig;
      if (artifacts.userDefinedMetadata) json.userDefinedMetadata = artifacts.userDefinedMetadata;
      // Weights first: a reader that sees the new model.json also sees its weights.
      writeFileAtomic(join(dir, WEIGHTS_BIN), weights);
      writeFileAtomic(join(dir, MODEL_JSON), JSON.stringify(json));
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    },
  };
}

function readOrFail(file: string, what: string): Buffer {
  try {
    return readFileSync(file);
  } catch (e) {
    throw new DataError(file, `cannot read the ${what}: ${(e as Error).message}`, { cause: e });
  }
}

/** An IOHandler whose load reads a folder written by folderSaveHandler (or tfjs-node's file://). */
export function folderLoadHandler(dir: string): tf.io.IOHandler {
  const jsonFile = join(dir, MODEL_JSON);
  return {
    async load(): Promise<tf.io.ModelArtifacts> {
      const text = readOrFail(jsonFile, 'model description').toString('utf8');
      let json: tf.io.ModelJSON;
      try {
        json = JSON.parse(text) as tf.io.ModelJSON;
      } catch (e) {
        throw new DataError(jsonFile, `not valid JSON: ${(e as Error).message}`, { cause: e });
      }
      if (typeof json !== 'object' || json === null || typeof json.modelTopology !== 'object' || json.modelTopology === null) {
        throw new DataError(jsonFile, 'no modelTopology object: not a tfjs layers model');
      }
      if (!Array.isArray(json.weightsManifest)) throw new DataError(jsonFile, 'no weightsManifest array');
      return tf.io.getModelArtifactsForJSON(json, async (manifest) => {
        const specs: tf.io.WeightsManifestEntry[] = [];
        const parts: Buffer[] = [];
        for (const group of manifest) {
          if (!Array.isArray(group.paths) || !Array.isArray(group.weights)) throw new DataError(jsonFile, 'a weightsManifest entry lacks paths or weights');
          specs.push(...group.weights);
          for (const p of group.paths) parts.push(readOrFail(join(dir, p), 'weights'));
        }
        const all = Buffer.concat(parts);
        const expected = specs.reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1) * bytesPerValue(s, jsonFile), 0);
        if (all.byteLength !== expected) {
          throw new DataError(join(dir, manifest[0]?.paths[0] ?? WEIGHTS_BIN), `${all.byteLength} bytes of weights, the manifest in ${MODEL_JSON} describes ${expected}`);
        }
        const data = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength) as ArrayBuffer;
        return [specs, data];
      });
    },
  };
}

function bytesPerValue(spec: tf.io.WeightsManifestEntry, file: string): number {
  if (spec.quantization) {
    const q = spec.quantization.dtype;
    return q === 'uint8' ? 1 : 2;
  }
  switch (spec.dtype) {
    case 'float32':
    case 'int32':
      return 4;
    case 'bool':
      return 1;
    default:
      throw new DataError(file, `weight '${spec.name}' has unsupported dtype '${spec.dtype}'`);
  }
}

/** Writes `model` to `dir` (model.json + weights.bin). */
export async function saveModelToFolder(model: tfl.LayersModel, dir: string): Promise<void> {
  await model.save(folderSaveHandler(dir));
}

/** Reads a model written by saveModelToFolder. */
export async function loadModelFromFolder(dir: string): Promise<tfl.LayersModel> {
  return tfl.loadLayersModel(folderLoadHandler(dir));
}
