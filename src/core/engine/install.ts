/** Installs every engine replacement (idempotent). Call it once the wasm backend is active. */
import { installBatchNormGrad } from './batch-norm';
import { installFastConvGradients } from './fast-conv';
import { installFastMatMul } from './fast-matmul';
import { installFastPool } from './fast-pool';
import { installFastReductions } from './fast-reductions';
import { installSharedIdentity } from './shared-identity';
import { installWinogradConv } from './winograd';

export function installFastKernels(): void {
  installFastMatMul();
  installFastPool();
  installFastReductions();
  installFastConvGradients();
  installBatchNormGrad();
  installSharedIdentity();
  installWinogradConv();
}
