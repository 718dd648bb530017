/** The job kinds built into the worker. */
import { registerJobKind } from '../registry';
import { segnetTraining } from './segnetTraining';

registerJobKind(segnetTraining);
