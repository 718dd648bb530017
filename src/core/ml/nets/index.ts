/** The networks of the method, sized by a NetConfig; see each module for shapes. */
export * from './config';
export { withInitSeed, type BuildOptions } from './initSeed';
export { buildEncoder, encoderFeatures, LAST_STAGE_DILATION, ENCODER_PREFIX, type EncoderFeatures } from './encoder';
export { aspp } from './aspp';
export { DilatedConv2D } from './dilatedConv';
export { buildDepthNet, DISP_OUTPUTS, DECODER_PREFIX } from './depthDecoder';
export { buildSegNet, SEG_OUTPUT } from './segDecoder';
export { buildPoseNet, DEFAULT_POSE_OUTPUT, hasPoseOutput, POSE_OUTPUT, poseOutputOf } from './poseNet';
export type { PoseOutput } from './poseOutputScale';
export { buildMultiTaskNet, multiTaskSourceName, gatedConv, SEG_DECODER_PREFIX, SEG_SIDE_OUTPUT, GATE_DEPTH_TO_SEG, GATE_SEG_TO_DEPTH } from './multiTask';
export { copyMatchingWeights, resetBatchNormStatistics, type CopyReport, type CopyOptions } from './copyWeights';
export { saveModelToFolder, loadModelFromFolder, folderSaveHandler, folderLoadHandler } from './modelFiles';
export { countFlops, countParams, type ModelFlops } from './flops';
