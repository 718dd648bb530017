/** The job kinds built into the worker. */
import { registerJobKind } from '../registry';
import { selectRoundJob, trainSdeJob, trainSegJob } from './projectJobs';

registerJobKind(trainSdeJob);
registerJobKind(trainSegJob);
registerJobKind(selectRoundJob);
