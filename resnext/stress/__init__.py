"""Stress test: how models hold up on the user's own images under common corruptions (ImageNet-C's
blur, noise, weather and digital corruptions at five severities), and whether their confidence can
be trusted (calibration).

- ``corruptions``: the corruptions, faithful to Hendrycks' reference constants;
- ``sweep``: one image through several models under every corruption and severity;
- ``robustness``: a labelled folder under corruption: accuracy per corruption and severity, the
  corruption error relative to a baseline model, and calibration per severity;
- ``calibration``: ECE, NLL, Brier, reliability bins, temperature scaling on held-out folds.

May import: ``resnext.catalog``, ``resnext.inference`` and ``resnext.bulk``, and the base; never
Streamlit.
"""

__all__ = ["calibration", "corruptions", "report", "robustness", "sweep"]
