#!/usr/bin/env python3
"""
Reference robust accuracies from the ORIGINAL AutoAttack code (github.com/fra31/auto-attack), on a
Robustness Lab zoo model converted to PyTorch by tfjs_to_torch.py, on the first N test images.

  /usr/bin/python3 harness/autoattack/run_reference.py --autoattack /work/ref/auto-attack \
      --model mnist-cnn-robust --dataset mnist --n 200 --norm linf --eps 0.3 > ref.json

Runs (--parts, default all of them):
  standard   AutoAttack(version='standard', seed=0): APGD-CE, APGD-T, FAB-T, Square in sequence, each on
             the images still robust; the robust accuracy after each stage as AutoAttack logs it.
  apgd-ce, apgd-dlr, apgd-t, fab-t, square
             each attack alone on every clean-correct image, with the standard version's settings
             (AutoAttack(version='custom', attacks_to_run=[name]) with set_version('standard')'s
             parameters copied in: APGD 100 iterations, 1 restart, rho 0.75; APGD-T 9 target classes,
             1 restart; FAB-T 9 target classes, 1 restart, 100 iterations; Square 5000 queries,
             p_init 0.8). APGD-DLR (not in the standard version) uses APGD-CE's settings (1 restart).

AutoAttack's conventions: robust accuracy = fraction of the N images classified correctly after the
attack; misclassified clean images count as non-robust and are never attacked; the seed (0) is reset
before every batch of every attack (torch.manual_seed(seed) inside each attack's perturb).

Prints ONE JSON object on stdout (AutoAttack's own log goes to stderr).
"""
import argparse
import contextlib
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from tfjs_to_torch import load_test_split, load_tfjs_model  # noqa: E402

INDIVIDUAL = ['apgd-ce', 'apgd-dlr', 'apgd-t', 'fab-t', 'square']
NORMS = {'linf': 'Linf', 'l2': 'L2', 'l1': 'L1'}


class CaptureLogger:
    """Stands in for autoattack.other_utils.Logger: keeps the lines and echoes them to stderr."""

    def __init__(self):
        self.lines = []

    def log(self, s):
        self.lines.append(str(s))
        print(s, file=sys.stderr, flush=True)


def standard_settings(adv):
    """set_version('standard')'s parameters for Linf/L2 (autoattack.py), applied to a custom run."""
    adv.apgd.n_restarts = 1
    adv.apgd.n_iter = 100
    adv.apgd_targeted.n_restarts = 1
    adv.apgd_targeted.n_target_classes = 9
    adv.fab.n_restarts = 1
    adv.fab.n_target_classes = 9
    adv.square.n_queries = 5000


@torch.no_grad()
def correct_mask(model, x, y, bs=500):
    return torch.cat([model(x[i:i + bs]).argmax(1) == y[i:i + bs] for i in range(0, x.shape[0], bs)])


def git_commit(path):
    """The checkout's commit: a COMMIT file (written when extracting with git archive), else git."""
    f = os.path.join(path, 'COMMIT')
    if os.path.exists(f):
        return open(f).read().strip()
    try:
        return subprocess.run(['git', '-C', path, 'rev-parse', 'HEAD'], capture_output=True, text=True, check=True).stdout.strip()
    except Exception:
        return None


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--autoattack', required=True, help='checkout of github.com/fra31/auto-attack (the folder holding autoattack/)')
    ap.add_argument('--autoattack-commit', default=None, help='the checkout\'s commit, recorded in the output (read with git if it is a repository)')
    ap.add_argument('--model', required=True)
    ap.add_argument('--dataset', required=True)
    ap.add_argument('--n', type=int, default=100)
    ap.add_argument('--norm', default='linf', choices=sorted(NORMS))
    ap.add_argument('--eps', type=float, required=True)
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--bs', type=int, default=250, help='AutoAttack batch size (250, as the lab)')
    ap.add_argument('--parts', default=','.join(['standard'] + INDIVIDUAL),
                    help='comma-separated: standard and/or ' + ', '.join(INDIVIDUAL))
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--state', default=None,
                    help='AutoAttack state file for the standard run (state_path): saved after every stage; rerunning '
                         'with the same file resumes after the last finished stage (stages finished before the resume '
                         'are then missing from "stages"; their numbers are in the first run\'s log)')
    ap.add_argument('--data-dir', default=None)
    a = ap.parse_args(argv)
    parts = [p for p in a.parts.split(',') if p]
    for p in parts:
        if p != 'standard' and p not in INDIVIDUAL:
            ap.error(f'unknown part {p!r}')
    torch.set_num_threads(a.threads)

    aa_root = os.path.abspath(a.autoattack)
    if not os.path.exists(os.path.join(aa_root, 'autoattack', 'autoattack.py')):
        ap.error(f'{aa_root}/autoattack/autoattack.py not found')
    sys.path.insert(0, aa_root)
    import autoattack  # noqa: E402
    from autoattack import AutoAttack  # noqa: E402
    if not os.path.abspath(autoattack.__file__).startswith(aa_root):
        ap.error(f'imported autoattack from {autoattack.__file__}, not from {aa_root}')

    model, _ = load_tfjs_model(a.model)
    x, y, src = load_test_split(a.dataset, a.n, a.data_dir)
    norm = NORMS[a.norm]
    t_all = time.time()
    clean = correct_mask(model, x, y)
    out = {
        'reference': 'fra31/auto-attack',
        'autoattack_path': aa_root,
        'autoattack_commit': a.autoattack_commit or git_commit(aa_root),
        'torch': torch.__version__,
        'threads': a.threads,
        'model': a.model,
        'architecture': model.description,
        'dataset': a.dataset,
        'data': src,
        'n': a.n,
        'norm': a.norm,
        'eps': a.eps,
        'seed': a.seed,
        'clean_accuracy': clean.float().mean().item(),
        'clean_correct': int(clean.sum()),
    }

    with contextlib.redirect_stdout(sys.stderr):
        if 'standard' in parts:
            log = CaptureLogger()
            adv = AutoAttack(model, norm=norm, eps=a.eps, version='standard', seed=a.seed, device='cpu')
            adv.logger = log
            state = Path(a.state) if a.state else None
            resumed = state is not None and state.exists()
            t0 = time.time()
            x_adv = adv.run_standard_evaluation(x, y, bs=a.bs, state_path=state)
            secs = time.time() - t0
            stages = {}
            for line in log.lines:
                m = re.match(r'robust accuracy after (\S+): ([\d.]+)% \(total time ([\d.]+) s\)', line)
                if m:
                    stages[m.group(1).lower()] = {
                        'robust_accuracy': round(float(m.group(2)) / 100, 6),
                        'robust': round(float(m.group(2)) * a.n / 100),
                        'cumulative_seconds': float(m.group(3)),
                    }
            final = correct_mask(model, x_adv, y)
            if resumed:  # x_adv holds only this run's adversarials; the state has every stage's flags
                final = torch.tensor(json.load(open(state))['_robust_flags'], dtype=torch.bool)
            out['standard'] = {
                'attacks': list(adv.attacks_to_run),
                'stages': stages,
                'robust_accuracy': final.float().mean().item(),
                'robust': int(final.sum()),
                'max_linf_perturbation': float((x_adv - x).abs().max()),
                'seconds': round(secs, 1),
                'resumed_from_state': resumed,
                'log': log.lines,
            }
        indiv = {}
        for name in [p for p in parts if p != 'standard']:
            log = CaptureLogger()
            adv = AutoAttack(model, norm=norm, eps=a.eps, version='custom', attacks_to_run=[name], seed=a.seed, device='cpu')
            adv.logger = log
            standard_settings(adv)
            t0 = time.time()
            x_adv = adv.run_standard_evaluation(x, y, bs=a.bs)
            secs = time.time() - t0
            ok = correct_mask(model, x_adv, y)
            indiv[name] = {
                'robust_accuracy': ok.float().mean().item(),
                'robust': int(ok.sum()),
                'fooled': int((clean & ~ok).sum()),
                'seconds': round(secs, 1),
            }
            print(f'{name}: robust accuracy {ok.float().mean().item():.2%} ({secs:.1f} s)', file=sys.stderr, flush=True)
        if indiv:
            out['individual'] = indiv
    out['seconds'] = round(time.time() - t_all, 1)
    print(json.dumps(out))
    return 0


if __name__ == '__main__':
    sys.exit(main())
