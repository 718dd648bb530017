/**
 * The wasm training kernels, registered once per thread (the kernel registry is global to the
 * thread's tfjs): the missing Conv2DBackpropFilter, DepthwiseConv2dNativeBackpropInput/Filter and
 * UnsortedSegmentSum, and replacements for the slow Conv2DBackpropInput and the wrong
 * MaxPoolGrad, ResizeBilinearGrad and ResizeNearestNeighborGrad, Slice, SplitV and GatherV2
 * that do not copy their inputs out of the heap first, and a OneHot that honours its dtype.
 */
import '@tensorflow/tfjs-backend-wasm';
import { registerConv2dBackpropKernels } from './conv2dBackprop';
import { registerDepthwiseBackpropKernels } from './depthwiseBackprop';
import { registerMaxPoolGradKernel } from './maxPoolGrad';
import { registerCpuResizeGradKernels, registerResizeGradKernels } from './resizeGrad';
import { registerGatherKernel } from './gather';
import { registerOneHotKernel } from './oneHot';
import { registerSliceKernel, registerSplitVKernel } from './slice';
import { registerUnsortedSegmentSumKernel } from './unsortedSegmentSum';

export const WASM_TRAINING_KERNELS = [
  'Conv2DBackpropInput',
  'Conv2DBackpropFilter',
  'DepthwiseConv2dNativeBackpropInput',
  'DepthwiseConv2dNativeBackpropFilter',
  'MaxPoolGrad',
  'ResizeBilinearGrad',
  'ResizeNearestNeighborGrad',
  'UnsortedSegmentSum',
  'Slice',
  'SplitV',
  'GatherV2',
  'OneHot',
] as const;

let registered = false;
let cpuRegistered = false;

/** Correct resize gradients for the cpu backend too (used as the last fallback and in tests). */
export function registerCpuTrainingKernels(): void {
  if (cpuRegistered) return;
  cpuRegistered = true;
  registerCpuResizeGradKernels();
}

export function registerWasmTrainingKernels(): void {
  if (registered) return;
  registered = true;
  registerConv2dBackpropKernels();
  registerDepthwiseBackpropKernels();
  registerMaxPoolGradKernel();
  registerResizeGradKernels();
  registerUnsortedSegmentSumKernel();
  registerSliceKernel();
  registerSplitVKernel();
  registerGatherKernel();
  registerOneHotKernel();
}
