#!/usr/bin/env bash
# Install the project and its Python dependencies into the current Python environment.
# Usage: scripts/setup.sh [extra]   e.g. scripts/setup.sh test
# torch comes as PyTorch's CPU build where there is no NVIDIA GPU and its index answers within a few
# seconds (PyPI's Linux torch is the CUDA build: several GB of nvidia-* wheels the app never uses);
# otherwise from the default index. The script says which it used.
set -euo pipefail
cd "$(dirname "$0")/.."
extra=${1:-}
# torch and torchvision must come as a matching pair from the package index: a locally
# cached CPU-only torch wheel cannot load the index's torchvision, so local wheel folders
# (PIP_FIND_LINKS) are ignored here.
export PIP_FIND_LINKS=
pip=(python3 -m pip install --quiet --disable-pip-version-check)
cpu_index=${TORCH_CPU_INDEX:-https://download.pytorch.org/whl/cpu}
probe_seconds=${TORCH_INDEX_TIMEOUT:-4}

# Only Linux needs it: PyPI's macOS and Windows wheels of torch are CPU builds already.
if python3 -c "import torch, torchvision" 2>/dev/null; then
  echo "setup: torch is installed already ($(python3 -c 'import torch; print(torch.__version__)')); kept."
elif [ "$(uname -s)" != Linux ]; then
  echo "setup: torch from the default index (on $(uname -s) it is a CPU build)."
elif command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L >/dev/null 2>&1; then
  echo "setup: an NVIDIA GPU is here: torch from the default index (its CUDA build)."
elif timeout "$probe_seconds" python3 -c "import sys, urllib.request; urllib.request.urlopen(sys.argv[1] + '/torch/', timeout=$probe_seconds)" \
     "$cpu_index" >/dev/null 2>&1; then
  echo "setup: torch from PyTorch's CPU index ($cpu_index): no GPU here, and the CPU build is a fraction of the CUDA one's size."
  "${pip[@]}" torch torchvision --index-url "$cpu_index" --extra-index-url https://pypi.org/simple
else
  echo "setup: PyTorch's CPU index ($cpu_index) did not answer within ${probe_seconds} s: torch from the default index" \
       "(on Linux its CUDA build, several GB)."
fi
"${pip[@]}" -e ".${extra:+[$extra]}"
