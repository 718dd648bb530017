export * from './setting';
export * from './trainingSettings';
export * from './projectSettings';
