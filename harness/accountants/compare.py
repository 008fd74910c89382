"""Compares `rlab privacy-budget --json` with Opacus's accountants re-implemented in numpy/scipy
(opacus_reference.py) on a grid of (q, sigma, steps), for rdp, rdp-classic and prv, then the inverse
(noise multiplier for a target epsilon) at a few points, then prints epsilon for Opacus's three MNIST
settings beside the published figures. Prints the largest relative difference per accountant.

    python3 harness/accountants/compare.py [--quick] [--json]

Run from the repository root (it calls `npm run --silent rlab -- privacy-budget ...`). Exit code 1
when a relative difference exceeds 1e-6 (epsilon) or 1e-6 (noise multiplier).
"""

import itertools
import json
import subprocess
import sys
import time

import opacus_reference as ref

DELTA = 1e-5
TOL = 1e-6


def rlab(args):
    out = subprocess.run(
        ["npm", "run", "--silent", "rlab", "--", "privacy-budget", *args, "--json"],
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        raise RuntimeError(f"rlab privacy-budget {' '.join(args)}: {out.stderr.strip()}")
    return json.loads(out.stdout)


def rel(a, b):
    return abs(a - b) / max(abs(b), 1e-300)


def main():
    quick = "--quick" in sys.argv
    as_json = "--json" in sys.argv
    qs = [0.001, 0.01, 0.05] if not quick else [0.01]
    sigmas = [0.8, 2.0] if not quick else [1.0]
    steps_list = [100, 3000] if not quick else [1000]
    rows = []
    worst = {}
    for acc in ["rdp", "rdp-classic", "prv"]:
        worst[acc] = 0.0
        for q, sigma, steps in itertools.product(qs, sigmas, steps_list):
            t0 = time.time()
            ours = rlab(
                ["--sample-rate", str(q), "--noise-multiplier", str(sigma), "--steps", str(steps),
                 "--delta", str(DELTA), "--accountant", acc]
            )
            t1 = time.time()
            theirs, order = ref.epsilon(acc, q, sigma, steps, DELTA)
            t2 = time.time()
            d = rel(ours["epsilon"], theirs)
            worst[acc] = max(worst[acc], d)
            same_order = order is None or ours.get("order") == order
            rows.append(dict(accountant=acc, q=q, sigma=sigma, steps=steps, rlab=ours["epsilon"], reference=theirs,
                             rel_diff=d, order=ours.get("order"), ref_order=order, same_order=same_order,
                             rlab_s=round(t1 - t0, 2), ref_s=round(t2 - t1, 2)))
            if not as_json:
                print(f"{acc:12s} q={q:<6} sigma={sigma:<4} steps={steps:<5} rlab {ours['epsilon']:.10g}  "
                      f"reference {theirs:.10g}  rel diff {d:.2e}"
                      + ("" if order is None else f"  order {ours.get('order')} / {order}"), flush=True)

    inverse = []
    inv_points = [(0.01, 1000, 3.0), (0.04, 2000, 8.0)] if not quick else [(0.01, 1000, 3.0)]
    worst["inverse"] = 0.0
    for acc in ["rdp", "rdp-classic", "prv"]:
        for q, steps, target in inv_points:
            ours = rlab(["--sample-rate", str(q), "--target-epsilon", str(target), "--steps", str(steps),
                         "--delta", str(DELTA), "--accountant", acc])
            theirs = ref.get_noise_multiplier(target, DELTA, q, steps, acc)
            d = rel(ours["noise_multiplier"], theirs)
            worst["inverse"] = max(worst["inverse"], d)
            inverse.append(dict(accountant=acc, q=q, steps=steps, target=target, rlab=ours["noise_multiplier"],
                                reference=theirs, rel_diff=d))
            if not as_json:
                print(f"inverse {acc:12s} q={q} steps={steps} target {target}: sigma rlab {ours['noise_multiplier']!r} "
                      f"reference {theirs!r}  rel diff {d:.2e}", flush=True)

    mnist = []
    published = {(1.3, 15): 1.16, (1.1, 60): 2.91, (0.7, 45): 6.86}
    for (sigma, epochs), pub in published.items():
        row = dict(sigma=sigma, epochs=epochs, published=pub)
        for acc in ["rdp", "rdp-classic", "prv"]:
            ours = rlab(["--sample-rate", "0.004", "--noise-multiplier", str(sigma), "--epochs", str(epochs),
                         "--delta", str(DELTA), "--accountant", acc])
            row[acc] = ours["epsilon"]
            row["steps"] = ours["steps"]
        row["prv_reference"] = ref.prv_epsilon(0.004, sigma, row["steps"], DELTA)
        mnist.append(row)

    if as_json:
        print(json.dumps(dict(grid=rows, inverse=inverse, mnist=mnist, worst=worst)))
    else:
        print("\nOpacus MNIST example, q = 0.004 (batch 240 of 60,000), delta 1e-5:")
        print(f"{'sigma':>5} {'epochs':>6} {'steps':>6} {'rdp':>8} {'rdp-classic':>11} {'prv':>8} {'published':>9}")
        for r in mnist:
            print(f"{r['sigma']:>5} {r['epochs']:>6} {r['steps']:>6} {r['rdp']:>8.4f} {r['rdp-classic']:>11.4f} "
                  f"{r['prv']:>8.4f} {r['published']:>9}")
        print("\nlargest relative difference: " + ", ".join(f"{k} {v:.2e}" for k, v in worst.items()))
        print("RDP orders agree: " + str(all(r["same_order"] for r in rows)))
    bad = any(v > TOL for v in worst.values()) or not all(r["same_order"] for r in rows)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
