"""Every environment variable the project reads, in one table: the code takes each name from here, and
the documentation's table is generated from it (``docs/hooks.py``), so neither can drift.

Each module reads its own variable where it needs it (``os.environ`` at the time of use); this module
only names them, says what they mean and what holds when they are unset.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["VARIABLES", "Variable"]


@dataclass(frozen=True)
class Variable:
    """One environment variable: its name, what it sets, what holds when unset, and who reads it."""

    name: str
    meaning: str
    default: str
    reader: str = "library"  # "library", "app" (the Streamlit app) or "start" (scripts/start.sh)


CACHE_DIR = Variable(
    "RESNEXT_CACHE_DIR", "the library's cache folder: weights downloaded from a model-index URL or a URL mirror, "
    "OpenVINO's conversions (`openvino/`), the default lock file and the feature cache (`features/`); weights from "
    "the Hub go to the Hugging Face cache (`HF_HUB_CACHE`) instead",
    "torch hub's `checkpoints` folder (`~/.cache/torch/hub/checkpoints`)")
WEIGHTS_MIRROR = Variable(
    "RESNEXT_WEIGHTS_MIRROR", "a base URL, or a local folder, that replaces the official download URLs (mirrors, "
    "air-gapped sites); the file name is kept, a folder's files are used in place", "unset")
MODEL_INDEX = Variable(
    "RESNEXT_MODEL_INDEX", "extra model-index YAML files or folders (separated by `:`) that add variants or replace "
    "built-in ones: bring your own fine-tuned ResNeXt", "unset")
WEIGHTS_SOURCE = Variable(
    "RESNEXT_WEIGHTS_SOURCE", "where weights come from: `hub` (timm's `model.safetensors` on the Hugging Face Hub), "
    "`url` (the model-index URL, or the mirror), `auto` (what is on the machine first, then the Hub, then the URL); "
    "`--source` on the command line", "`auto`")
LOCK_FILE = Variable("RESNEXT_LOCK_FILE", "the lock file `resnext lock` writes and every load is checked against "
                     "while it exists", "`weights.lock` in the cache folder")
MAX_PIXELS = Variable("RESNEXT_MAX_PIXELS", "the largest image accepted, in pixels (checked before decoding)",
                      "50 000 000")
ENGINE = Variable("RESNEXT_ENGINE", "`openvino` (OpenVINO's CPU runtime) or `torch` (eager PyTorch)",
                  "`openvino` when installed")
MAX_MODEL_GB = Variable("RESNEXT_MAX_MODEL_GB", "the memory budget for loaded models (least recently used are "
                        "released)", "the memory limit less 2.5 GB")
MEMORY_LIMIT_GB = Variable("RESNEXT_MEMORY_LIMIT_GB", "the memory the process may use, instead of the container's "
                           "limit (cgroup `memory.max`) or the machine's RAM", "detected")
FEATURE_CACHE_MB = Variable("RESNEXT_FEATURE_CACHE_MB", "the bound of the feature cache of `resnext probe` and the "
                            "Your classes page (least recently used out)", "2048")
MAX_UPLOAD_GB = Variable("RESNEXT_MAX_UPLOAD_GB", "what visitors' uploads may make the server hold at once: photos, "
                         "zips, heads and the shared results", "1.5", "app")
ANSWERS_FIRST = Variable("RESNEXT_ANSWERS_FIRST", "`0` turns off the stepping aside of slow work while another "
                         "visitor waits for an answer (the load benchmark measures the app without it)", "`1`", "app")
NO_INSTALL = Variable("RESNEXT_NO_INSTALL", "`1`: `scripts/start.sh` reports a failed import instead of installing "
                      "(set in the Docker image)", "unset", "start")
PORT = Variable("PORT", "the port the app listens on (set in the Docker image)", "8501", "start")

VARIABLES = (CACHE_DIR, WEIGHTS_MIRROR, MODEL_INDEX, WEIGHTS_SOURCE, LOCK_FILE, MAX_PIXELS, ENGINE, MAX_MODEL_GB,
             MEMORY_LIMIT_GB, FEATURE_CACHE_MB, MAX_UPLOAD_GB, ANSWERS_FIRST, NO_INSTALL, PORT)
"""Every variable, in the order the documentation lists them."""
