"""Where a variant's weights come from, and the proof that they are the right bytes.

- ``sources``: [`ensure_weights`][resnext.weights.sources.ensure_weights], the one call: a local
  file used where it is, the Hub's copy, or the model-index URL (or its mirror) downloaded into the
  cache folder; and [`lock`][resnext.weights.sources.lock], which pins what is here;
- ``hub``: the Hugging Face Hub's copy (timm's safetensors), checked against its ETag;
- ``fetch``: an HTTP download into a temporary file with progress, under a lock a killed process
  cannot leave held;
- ``integrity``: SHA-256 once per process, and quarantine for a file that fails;
- ``lock``: the lock file, which pins the bytes of every weights file this machine may load;
- ``checkpoint``: a checkpoint's tensors read without running its code, and attached without a copy.

May import: ``resnext.catalog`` (a variant names its weights) and the base. Knows nothing of
inference: a checkpoint is bytes and tensors here, not yet a classifier.
"""

__all__ = ["checkpoint", "fetch", "hub", "integrity", "lock", "sources"]
