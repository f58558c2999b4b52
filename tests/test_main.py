"""The command line runs end to end."""

import re

from sklearn_mlpreg.__main__ import main


def test_demo_prints_both_libraries_with_a_sensible_score(capsys):
    assert main(["demo", "--seed", "0"]) == 0
    out = capsys.readouterr().out
    scores = [float(s) for s in re.findall(r"R\^2 = (-?[\d.]+)", out)]
    assert len(scores) == 2 and "sklearn_mlpreg" in out and "scikit-learn" in out
    assert scores[0] > 0.4  # a linear model reaches about 0.48 here
