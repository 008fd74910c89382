"""Opacus's privacy accountants re-implemented with numpy/scipy only, as they read in Opacus's source
(pytorch/opacus, main branch of September 2025), for harness/accountants/compare.py. No lab code is
imported; nothing here is derived from the lab's TypeScript.

Sources, file and function:
- opacus/accountants/analysis/rdp.py: _log_add, _log_sub, _compute_log_a_for_int_alpha,
  _compute_log_a_for_frac_alpha, _log_erfc, _compute_rdp, compute_rdp, get_privacy_spent
- opacus/accountants/rdp.py: RDPAccountant.DEFAULT_ALPHAS, RDPAccountant.get_privacy_spent
- opacus/accountants/prv.py: PRVAccountant.get_epsilon, _get_dprv, _get_domain
- opacus/accountants/analysis/prv/domain.py: Domain.create_aligned, compute_safe_domain_size
- opacus/accountants/analysis/prv/prvs.py: PoissonSubsampledGaussianPRV.cdf,
  TruncatedPrivacyRandomVariable (cdf, mean), DiscretePRV.compute_epsilon, discretize
- opacus/accountants/analysis/prv/compose.py: _compose_fourier (one history entry only here)
- opacus/accountants/utils.py: get_noise_multiplier
The classic conversion (eps = min_a rdp(a) - log(delta) / (a - 1)) is TF Privacy's pre-2020
rdp_accountant._compute_eps, which Opacus's get_privacy_spent replaced.
"""

import math

import numpy as np
from scipy import integrate, special
from scipy.fft import irfft, rfft

DEFAULT_ALPHAS = [1 + x / 10.0 for x in range(1, 100)] + list(range(12, 64))


# ---- analysis/rdp.py ----
def _log_add(logx, logy):
    a, b = min(logx, logy), max(logx, logy)
    if a == -np.inf:
        return b
    return math.log1p(math.exp(a - b)) + b


def _log_sub(logx, logy):
    if logx < logy:
        raise ValueError("The result of subtraction must be non-negative.")
    if logy == -np.inf:
        return logx
    if logx == logy:
        return -np.inf
    try:
        return math.log(math.expm1(logx - logy)) + logy
    except OverflowError:
        return logx


def _log_a_int(q, sigma, alpha):
    log_a = -np.inf
    for i in range(alpha + 1):
        log_coef_i = math.log(special.binom(alpha, i)) + i * math.log(q) + (alpha - i) * math.log(1 - q)
        log_a = _log_add(log_a, log_coef_i + (i * i - i) / (2 * sigma**2))
    return float(log_a)


def _log_erfc(x):
    return math.log(2) + special.log_ndtr(-x * 2**0.5)


def _log_a_frac(q, sigma, alpha):
    log_a0, log_a1 = -np.inf, -np.inf
    i = 0
    z0 = sigma**2 * math.log(1 / q - 1) + 0.5
    while True:
        coef = special.binom(alpha, i)
        log_coef = math.log(abs(coef))
        j = alpha - i
        log_t0 = log_coef + i * math.log(q) + j * math.log(1 - q)
        log_t1 = log_coef + j * math.log(q) + i * math.log(1 - q)
        log_e0 = math.log(0.5) + _log_erfc((i - z0) / (math.sqrt(2) * sigma))
        log_e1 = math.log(0.5) + _log_erfc((z0 - j) / (math.sqrt(2) * sigma))
        log_s0 = log_t0 + (i * i - i) / (2 * (sigma**2)) + log_e0
        log_s1 = log_t1 + (j * j - j) / (2 * (sigma**2)) + log_e1
        if coef > 0:
            log_a0 = _log_add(log_a0, log_s0)
            log_a1 = _log_add(log_a1, log_s1)
        else:
            log_a0 = _log_sub(log_a0, log_s0)
            log_a1 = _log_sub(log_a1, log_s1)
        i += 1
        if max(log_s0, log_s1) < -30:
            break
    return _log_add(log_a0, log_a1)


def compute_rdp_one(q, sigma, alpha):
    if q == 0:
        return 0
    if sigma == 0:
        return np.inf
    if q == 1.0:
        return alpha / (2 * sigma**2)
    if np.isinf(alpha):
        return np.inf
    if float(alpha).is_integer():
        return _log_a_int(q, sigma, int(alpha)) / (alpha - 1)
    return _log_a_frac(q, sigma, alpha) / (alpha - 1)


def compute_rdp(q, sigma, steps, orders=DEFAULT_ALPHAS):
    return np.array([compute_rdp_one(q, sigma, a) for a in orders]) * steps


def privacy_spent(orders, rdp, delta, conversion="balle"):
    orders = np.atleast_1d(np.asarray(orders, dtype=float))
    rdp = np.atleast_1d(rdp)
    if conversion == "balle":
        eps = rdp - (np.log(delta) + np.log(orders)) / (orders - 1) + np.log((orders - 1) / orders)
    else:
        eps = rdp - np.log(delta) / (orders - 1)
    if np.isnan(eps).all():
        return np.inf, np.nan
    i = np.nanargmin(eps)
    return float(eps[i]), float(orders[i])


def rdp_epsilon(q, sigma, steps, delta, conversion="balle"):
    return privacy_spent(DEFAULT_ALPHAS, compute_rdp(q, sigma, steps), delta, conversion)


# ---- analysis/prv ----
class PoissonSubsampledGaussianPRV:
    def __init__(self, q, sigma):
        self.q, self.sigma = q, sigma

    def cdf(self, t):
        q, sigma = self.q, self.sigma
        z = np.log(np.where(t > np.log(1 - q), (np.exp(t) + q - 1) / q, 1))
        return np.where(
            t > np.log(1 - q),
            -q * special.erfc((2 * z * sigma**2 - 1) / (2 * np.sqrt(2) * sigma)) / 2
            - (1 - q) * special.erfc((2 * z * sigma**2 + 1) / (2 * np.sqrt(2) * sigma)) / 2
            + 1.0,
            0.0,
        )


class Truncated:
    def __init__(self, prv, t_min, t_max):
        self.prv, self.t_min, self.t_max = prv, t_min, t_max
        self.mass = prv.cdf(t_max) - prv.cdf(t_min)

    def cdf(self, t):
        return np.where(
            t < self.t_min,
            0.0,
            np.where(t < self.t_max, (self.prv.cdf(t) - self.prv.cdf(self.t_min)) / self.mass, 1.0),
        )

    def mean(self):
        lo = int(np.log10(np.abs(self.t_min)))
        hi = int(np.log10(self.t_max))
        points = np.concatenate(
            [[self.t_min], -np.logspace(lo, -5, num=10), [0], np.logspace(-5, hi, num=10), [self.t_max]]
        )
        mean = 0.0
        for left, right in zip(points[:-1], points[1:]):
            integral, _ = integrate.quad(self.cdf, left, right, limit=500)
            mean += right * self.cdf(right) - left * self.cdf(left) - integral
        return mean


def create_aligned(t_min, t_max, dt):
    t_min = np.floor(t_min / dt) * dt
    t_max = np.ceil(t_max / dt) * dt
    size = int(np.round((t_max - t_min) / dt)) + 1
    if size % 2 == 1:
        size += 1
        t_max += dt
    return t_min, t_max, size


def prv_epsilon(q, sigma, steps, delta, eps_error=0.01, delta_error=None):
    """PRVAccountant.get_epsilon for a history of one entry (q, sigma, steps): the upper bound."""
    if delta_error is None:
        delta_error = delta / 1000
    # compute_safe_domain_size
    L = max(
        rdp_epsilon(q, sigma, steps, delta_error / 4)[0],
        rdp_epsilon(q, sigma, 1, delta_error / (8 * steps))[0],
    )
    L = max(L, eps_error) + 3
    mesh = eps_error / np.sqrt(steps * np.log(12 / delta_error) / 2)
    t_min, t_max, size = create_aligned(-L, L, mesh)
    dt = (t_max - t_min) / (size - 1)
    prv = Truncated(PoissonSubsampledGaussianPRV(q, sigma), t_min, t_max)
    # discretize
    ts = np.linspace(t_min, t_max, size)
    pmf = prv.cdf(ts + dt / 2) - prv.cdf(ts - dt / 2)
    shift = prv.mean() - np.dot(ts, pmf)
    if np.abs(shift) >= dt / 2:
        raise RuntimeError("Discrete mean differs significantly from continuous mean.")
    # _compose_fourier
    composed = irfft(rfft(pmf) ** steps)
    m = steps - 1
    if steps % 2 == 0:
        m += len(composed) // 2
    composed = np.roll(composed, m)
    shifts = shift * steps  # the discretised domain's shift, shifted right by shift * (steps - 1)
    t = np.linspace(t_min + shifts, t_max + shifts, size)
    # DiscretePRV.compute_epsilon
    p = composed
    d1 = np.flip(np.flip(p).cumsum())
    d2 = np.flip(np.flip(p * np.exp(-t)).cumsum())
    ndelta = np.exp(t) * d2 - d1

    def find(delta_target):
        i = np.searchsorted(ndelta, -delta_target, side="left")
        if i <= 0:
            raise RuntimeError("Cannot compute epsilon")
        return np.log((d1[i] - delta_target) / d2[i])

    return float(find(delta - delta_error) + eps_error)


def epsilon(accountant, q, sigma, steps, delta):
    if accountant == "rdp":
        return rdp_epsilon(q, sigma, steps, delta)
    if accountant == "rdp-classic":
        return rdp_epsilon(q, sigma, steps, delta, "classic")
    return prv_epsilon(q, sigma, steps, delta), None


# ---- utils.py ----
def get_noise_multiplier(target_epsilon, delta, q, steps, accountant, epsilon_tolerance=0.01):
    eps_high = float("inf")
    sigma_low, sigma_high = 0, 10
    while eps_high > target_epsilon:
        sigma_high = 2 * sigma_high
        eps_high = epsilon(accountant, q, sigma_high, steps, delta)[0]
        if sigma_high > 1e6:
            raise ValueError("The privacy budget is too low.")
    while target_epsilon - eps_high > epsilon_tolerance:
        sigma = (sigma_low + sigma_high) / 2
        eps = epsilon(accountant, q, sigma, steps, delta)[0]
        if eps < target_epsilon:
            sigma_high, eps_high = sigma, eps
        else:
            sigma_low = sigma
    return sigma_high
