# Oracle for crates/equality: reads cases as JSON on stdin, answers with scipy/statsmodels on stdout.
import json, sys
import numpy as np
from scipy import stats
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint
from statsmodels.stats.rates import test_poisson_2indep

def num(x):
    """JSON has no infinity: an infinite odds ratio is written as null."""
    x = float(x)
    return x if np.isfinite(x) else None

cases = json.load(sys.stdin)
out = {"fisher": [], "chi2": [], "bh": [], "wilson": [], "rr": [], "newcombe": [], "garwood": [], "irr": [], "binom": []}
for a, b, c, d in cases["fisher"]:
    r = stats.fisher_exact([[a, b], [c, d]])
    out["fisher"].append([num(r.statistic), num(r.pvalue)])
for t in cases["chi2"]:
    r = stats.chi2_contingency(np.array(t), correction=False)
    out["chi2"].append([float(r.statistic), int(r.dof), float(r.pvalue)])
for ps in cases["bh"]:
    out["bh"].append([float(x) for x in multipletests(ps, method="fdr_bh")[1]])
for x, n in cases["wilson"]:
    lo, hi = proportion_confint(x, n, method="wilson")
    out["wilson"].append([float(lo), float(hi)])
for a, n1, c, n2 in cases["rr"]:
    r = stats.contingency.relative_risk(a, n1, c, n2)
    ci = r.confidence_interval(0.95)
    out["rr"].append([float(r.relative_risk), float(ci.low), float(ci.high)])
for a, n1, c, n2 in cases["newcombe"]:
    lo, hi = confint_proportions_2indep(a, n1, c, n2, method="newcomb", compare="diff")
    out["newcombe"].append([a / n1 - c / n2, float(lo), float(hi)])
for y, t in cases["garwood"]:
    lo = stats.chi2.ppf(0.025, 2 * y) / 2 if y > 0 else 0.0
    hi = stats.chi2.ppf(0.975, 2 * y + 2) / 2
    out["garwood"].append([y / t, float(lo) / t, float(hi) / t])
for y1, t1, y2, t2 in cases["irr"]:
    # The exact conditional interval: Clopper-Pearson on y1 of y1 + y2, turned into a ratio.
    ci = stats.binomtest(y1, y1 + y2).proportion_ci(confidence_level=0.95, method="exact")
    ratio = lambda pi: pi / (1 - pi) * t2 / t1
    p = test_poisson_2indep(y1, t1, y2, t2, method="exact-cond").pvalue
    out["irr"].append([(y1 / t1) / (y2 / t2), ratio(ci.low), ratio(ci.high), float(p)])
for k, n, p in cases["binom"]:
    out["binom"].append(float(stats.binomtest(k, n, p).pvalue))
json.dump(out, sys.stdout)
