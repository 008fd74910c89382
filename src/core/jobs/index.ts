export * from './types';
export * from './throttle';
export * from './cancel';
export * from './context';
