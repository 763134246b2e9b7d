"""Streamlit helpers shared by the pages: widgets, cached calls into `resnext`, figures.

The library knows nothing of Streamlit; this package is the only glue. Modules that the
comparison page imports (`tables`, `charts`, `feedback`) do not import torch.
"""
