#!/usr/bin/env python3
"""Reference for ASHA's promotion rule, run one job at a time.

Implements get_job of Algorithm 2 ("Asynchronous Successive Halving") in Li et al.,
"A System for Massively Parallel Hyperparameter Tuning", MLSys 2020 (arXiv:1810.05934):
for k from the second-highest rung down to 0, the candidates are the top
floor(|rung k| / eta) trials of rung k; the first (best) candidate not yet promoted goes
to rung k + 1; with none, a new configuration starts at rung 0. Rung k trains
r0 * eta**k epochs below max_epochs, the top rung max_epochs. The resource is epochs with
fractions allowed: r0 is min_epochs, or, with after_warmup, the end of the latest warm-up
of any configuration (largest warm-up ratio x largest epochs) plus after_warmup epochs, so
that no trial is judged before its learning rate has peaked. A trial with S optimizer
updates per epoch stops for rung r after floor(r * S + 1e-9) updates (at least 1). Ties in
the metric go to the earlier trial. Trials stop being added after `trials` have started,
and the study ends when nothing is promotable.

Writes Tests/Fixtures/tune/asha_reference.json: per scenario the settings, the metric every
trial reaches at every rung (seeded random numbers, some rounded to force ties) and the
sequence of jobs the rule produces. Run: python3 tools/asha_reference.py
"""
import json
import os
import random


def rungs(min_epochs, max_epochs, eta):
    out, e = [], min_epochs
    while e < max_epochs:
        out.append(e)
        e *= eta
    return out + [max_epochs]


def first_rung(min_epochs, after_warmup, warmup_ratio, max_epochs):
    """Rung 0's resource: min_epochs, or the latest warm-up's end plus after_warmup."""
    if after_warmup is None:
        return min_epochs
    return warmup_ratio * max_epochs + after_warmup


def rung_steps(resource, steps_per_epoch):
    return max(1, int(resource * steps_per_epoch + 1e-9))


def simulate(eta, n_rungs, trials, metric):
    results = {k: [] for k in range(n_rungs)}  # rung -> [(trial, value)]
    promoted = {k: set() for k in range(n_rungs)}
    started, jobs = 0, []
    while True:
        job = None
        for k in range(n_rungs - 2, -1, -1):
            ranked = sorted(results[k], key=lambda tv: (-tv[1], tv[0]))
            candidates = ranked[: len(ranked) // eta]
            promotable = [t for t, _ in candidates if t not in promoted[k]]
            if promotable:
                job = (promotable[0], k + 1)
                promoted[k].add(promotable[0])
                break
        if job is None:
            if started >= trials:
                return jobs
            job = (started, 0)
            started += 1
        trial, rung = job
        results[rung].append((trial, metric[trial][rung]))
        jobs.append([trial, rung])


def main():
    rng = random.Random(13)
    scenarios = []
    for eta, lo, hi, trials, decimals in [(3, 1, 9, 27, None), (3, 1, 9, 10, 1), (2, 1, 8, 20, None),
                                          (3, 1, 27, 40, 2), (4, 2, 32, 17, None), (3, 1, 10, 12, 1)]:
        r = rungs(lo, hi, eta)
        metric = []
        for _ in range(trials):
            row, level = [], rng.random() * 0.5
            for _ in r:
                level += rng.random() * 0.2 - 0.05  # noisy, mostly rising curves
                row.append(round(level, decimals) if decimals is not None else level)
            metric.append(row)
        scenarios.append({"reduction_factor": eta, "min_epochs": lo, "max_epochs": hi, "trials": trials, "rungs": r,
                          "metrics": metric, "jobs": simulate(eta, len(r), trials, metric)})
    # Fractional rungs: rung 0 after the warm-up (ratio x max_epochs) plus some epochs, or a
    # fractional min_epochs; with the updates each rung stops at for a few epoch sizes.
    for eta, lo, after, ratio, hi, trials, decimals in [(3, None, 0.6, 0.1, 9, 9, 2), (3, None, 0.5, 0.06, 9, 14, None),
                                                        (2, 0.75, None, None, 6, 11, 1), (3, None, 0.25, 0.2, 10, 20, None)]:
        r = rungs(first_rung(lo, after, ratio, hi), hi, eta)
        metric = []
        for _ in range(trials):
            row, level = [], rng.random() * 0.5
            for _ in r:
                level += rng.random() * 0.2 - 0.05
                row.append(round(level, decimals) if decimals is not None else level)
            metric.append(row)
        steps = {str(n): [rung_steps(x, n) for x in r] for n in (1, 7, 13, 25, 50)}
        scenarios.append({"reduction_factor": eta, "min_epochs": lo if lo is not None else 1, "after_warmup": after, "warmup_ratio": ratio,
                          "max_epochs": hi, "trials": trials, "rungs": r, "rung_steps": steps,
                          "metrics": metric, "jobs": simulate(eta, len(r), trials, metric)})
    path = os.path.join(os.path.dirname(__file__), "..", "Tests", "Fixtures", "tune", "asha_reference.json")
    with open(path, "w") as f:
        json.dump({"source": "tools/asha_reference.py (Li et al. 2020, Algorithm 2, sequential)", "scenarios": scenarios}, f, indent=1)
        f.write("\n")
    print(path, sum(len(s["jobs"]) for s in scenarios), "jobs")


if __name__ == "__main__":
    main()
