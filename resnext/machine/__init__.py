"""What this machine can afford: the memory the models may take, and what its CPU computes natively.

- ``memory``: the memory limit (the container's, else the machine's), and what each variant takes to
  load and to keep;
- ``hardware``: what this CPU does natively, and therefore what "fast mode" runs on it.

May import: ``resnext.catalog`` (a variant's measured footprint) and the base. Imports no torch.
"""

__all__ = ["hardware", "memory"]
