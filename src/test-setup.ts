/** Set-up of every unit test file (vitest.config.ts): TensorFlow.js's "install tfjs-node" banner is dropped (src/core/engine/quiet-node.ts). */
import { silenceTfjsNodeBanner } from './core/engine/quiet-node';

silenceTfjsNodeBanner();
