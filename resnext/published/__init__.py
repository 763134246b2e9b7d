"""What others measured: timm's evaluations and the papers' claims, with their provenance.

- ``references``: the reference-result tables under ``assets/reference-results``, read once.

May import: ``resnext.catalog`` and the base only; it needs no weights and no torch.
"""

from __future__ import annotations

from . import references
from .references import Claim, Dataset, Measurement, claims, datasets, measurements

__all__ = ["Claim", "Dataset", "Measurement", "claims", "datasets", "measurements", "references"]
