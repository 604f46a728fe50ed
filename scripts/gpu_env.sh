# Sourced by the device scripts (gpu_check.sh, gpu_methods.sh) from the repository root: where the
# image's python3 has CUDA torch and the carried wheels are here ($WHEELS, default .gpu_wheels),
# install them into /tmp/foundry-pp, put that and the checkout on PYTHONPATH and set py=python3;
# otherwise leave py unset (the caller falls back on a .venv).
wheels=${WHEELS:-.gpu_wheels}
py=
if [ -d "$wheels" ] && python3 -c "import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)" 2>/dev/null; then
  python3 -m pip install -q --no-index --no-deps --upgrade --target /tmp/foundry-pp "$wheels"/*.whl
  export PYTHONPATH="/tmp/foundry-pp:$PWD${PYTHONPATH:+:$PYTHONPATH}"
  py=python3
fi
