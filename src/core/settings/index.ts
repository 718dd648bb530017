export * from './setting';
export * from './trainingSettings';
