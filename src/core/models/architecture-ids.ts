/**
 * The zoo's architectures by id, with a one-line description each: free of TensorFlow.js, so that the
 * page's main thread (field tables, pickers) can list them; architectures.ts builds them.
 */
export type ArchitectureId =
  | 'cnn-small'
  | 'cnn-wide'
  | 'cnn-madry'
  | 'vgg-cifar'
  | 'vgg-cifar-bn'
  | 'vgg-cifar-bn-wide'
  | 'lenet-sigmoid'
  | 'cnn-opacus';

export const ARCHITECTURES: Record<ArchitectureId, string> = {
  'cnn-small': 'conv32 3x3 relu, maxpool 2, conv64 3x3 relu, maxpool 2, dense128 relu, dense10 (the reference MNIST CNN)',
  'cnn-wide': 'conv32 3x3 relu, conv32 3x3 relu, maxpool 2, conv64 3x3 relu, conv64 3x3 relu, maxpool 2, dense256 relu, dense10',
  'cnn-madry':
    'conv32 5x5 relu, maxpool 2, conv64 5x5 relu, maxpool 2, dense1024 relu, dense10, same padding (the MNIST network of Madry et al. 2018 and Wong et al. 2020)',
  'vgg-cifar':
    'VGG-style, same padding: (conv32 3x3 relu) x2, maxpool 2, (conv64 3x3 relu) x2, maxpool 2, (conv128 3x3 relu) x2, maxpool 2, dense256 relu, dense10',
  'vgg-cifar-bn':
    'vgg-cifar with batch normalisation: each conv (no bias) is followed by batch norm, then relu',
  'cnn-opacus':
    "Opacus's MNIST SampleConvNet: normalise ((x - 0.1307) / 0.3081), conv16 8x8 stride 2 pad 3 relu, maxpool 2 stride 1, conv32 4x4 stride 2 relu, maxpool 2 stride 1, dense32 relu, dense10; PyTorch's default initialisation",
  'vgg-cifar-bn-wide': 'vgg-cifar-bn at twice the width: (conv64) x2, maxpool 2, (conv128) x2, maxpool 2, (conv256) x2, maxpool 2, dense256 relu, dense10',
  'lenet-sigmoid':
    'conv12 5x5 stride 2, conv12 5x5 stride 2, conv12 5x5 stride 1, each zero-padded by 2 and followed by sigmoid, dense10; weights and biases uniform(-0.5, 0.5) (the network of Zhu et al. 2019, Deep Leakage from Gradients)',
};
