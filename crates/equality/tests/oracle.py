# Oracle for crates/equality: reads cases as JSON on stdin, answers with scipy/statsmodels on stdout.
import json, sys
import numpy as np
from scipy import stats
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint

def num(x):
    """JSON has no infinity: an infinite odds ratio is written as null."""
    x = float(x)
    return x if np.isfinite(x) else None

cases = json.load(sys.stdin)
out = {"fisher": [], "chi2": [], "bh": [], "wilson": [], "rr": [], "newcombe": []}
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
json.dump(out, sys.stdout)
