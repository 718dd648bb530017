/** Procedural street-video renderer: synthetic Cityscapes-layout datasets with depth and poses. */
export { generateSynthDataset, assignSplits, CITY, type SynthOptions, type SynthSummary } from './generate';
export { synthIntrinsics, FOCAL_PER_WIDTH } from './intrinsics';
export { createSequence, renderFrame, framePose, SNIPPET_FRAMES, LABELLED_FRAME, type Sequence } from './sequence';
export { createBuffers, type FrameBuffers, type Pose } from './rasterizer';
export { poseMatrix, FPS } from './trajectory';
