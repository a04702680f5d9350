"""The per-prompt estimators study (TF-IDF / encoder features, kNN, logistic and cell estimators, the
λ-sweep policy): moved out of the package in issue 16's last pass. The production router has no
per-prompt outcomes of its catalog's models to learn from, so it routes on fitted per-route evidence
(benchmarks/evaluate/README.md). Run the study scripts from benchmarks/evaluate/."""
