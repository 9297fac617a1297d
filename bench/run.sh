#!/usr/bin/env bash
# Builds the benchmarks (with the native peers) and runs the whole-model suite side by side with ONNX Runtime and
# PyTorch, then writes bench/RESULTS.md. Usage (from anywhere):
#
#   bench/run.sh quick   # ~5 min: 2 threads, seed b1/b128, seed training step, DnCNN 256x256
#   bench/run.sh full    # ~33 min on 2 cores: the whole-model suite on 1 and 2 threads, DnCNN 256x256 and 512x512,
#                        # longer warm-up/measurement (~16 min), then the per-layer benches (ConvBench, DenseBench,
#                        # PoolBench, BatchNormBench) forward and backward: SIMD on 1 and 2 threads (56 forks, ~11 min),
#                        # scalar reference on 1 thread (23 forks, ~5 min)
#
# Environment: JAVA=/path/to/java (JDK 25+; default: a temurin-25 under /usr/lib/jvm, else java on PATH),
# PEERS=0 to run Hush alone (no -Ppeers build: no native libraries at all), JMH_EXTRA="..." appended to JMH's
# arguments (e.g. JMH_EXTRA="-p threads=1" to override). Raw JMH output: bench/target/run-<mode>/results.json + log.txt.
set -euo pipefail
mode=${1:-quick}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
peers=${PEERS:-1}

if [[ -z "${JAVA:-}" ]]; then
  JAVA=$(ls -d /usr/lib/jvm/temurin-25*/bin/java 2>/dev/null | head -1 || true)
  [[ -n "$JAVA" ]] || JAVA=java
fi

case "$mode" in
  quick) model_opts=(-p net=seed-b1,seed-b128,dncnn-256 -p threads=2 -wi 5 -w 2s -i 3 -r 2s -f 1); layers=0 ;;
  full)  model_opts=(-p net=seed-b1,seed-b128,dncnn-256,dncnn-512 -p threads=1,2 -wi 8 -w 2s -i 5 -r 2s -f 1); layers=1 ;;
  *) echo "usage: bench/run.sh quick|full" >&2; exit 2 ;;
esac

out="$root/bench/target/run-$mode"
mkdir -p "$out"
cd "$root"
profile=()
[[ "$peers" == 1 ]] && profile=(-Ppeers)
echo "building (mvn -pl bench -am package ${profile[*]})..." >&2
# Tests are not compiled: the suite only needs the main code (and other modules' tests may be mid-edit).
mvn -q -B -pl bench -am package -Dmaven.test.skip=true "${profile[@]}"
cp bench/target/benchmarks.jar "$out/benchmarks.jar" # private copy: a rebuild during the run does not change it
cp="$out/benchmarks.jar"
if [[ "$peers" == 1 ]]; then
  # the peers are 'provided' (not shaded): their jars, native libraries inside, come from the local Maven repository
  mvn -q -B -pl bench dependency:build-classpath -Ppeers -Dmdep.includeScope=provided \
      -DexcludeGroupIds=io.hush,org.openjdk.jmh -Dmdep.outputFile="$out/peers.classpath"
  cp="$cp:$(cat "$out/peers.classpath")"
  include='^io\.hush\.bench\.(FmaPeakBench|ModelBench|SeedTrainBench|PeerOrtBench|PeerTorchBench|PeerTorchTrainBench)\.'
else
  include='^io\.hush\.bench\.(FmaPeakBench|ModelBench|SeedTrainBench)\.'
fi

{
  echo "mode=$mode"
  echo "date=$(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
  echo "cores=$(nproc)"
  echo "mem=$(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)"
  echo "os=$(uname -sr)"
  echo "java=$("$JAVA" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.runtime.version/ {print $2}')"
  echo "load_start=$(cut -d' ' -f1-3 /proc/loadavg)"
} > "$out/meta.env"

# One JMH invocation: jmh <json name> <include regex> <JMH options...>; output appended to log.txt.
# -Djmh.ignoreLock: other JMH runs on a shared machine hold /tmp/jmh.lock; this run does not need it.
jmh() {
  local name=$1 inc=$2
  shift 2
  echo "running JMH $name ($mode), log in $out/log.txt ..." >&2
  "$JAVA" -Djmh.ignoreLock=true --add-modules jdk.incubator.vector -cp "$cp" org.openjdk.jmh.Main "$inc" \
      "$@" -prof gc -rf json -rff "$out/$name.json" ${JMH_EXTRA:-} >> "$out/log.txt" 2>&1 \
    || { tail -50 "$out/log.txt" >&2; exit 1; }
}
rm -f "$out"/{results,models,layers-simd,layers-scalar}.json
: > "$out/log.txt"
jmh models "$include" "${model_opts[@]}"
parts=("$out/models.json")
if [[ "$layers" == 1 ]]; then
  # Per layer, forward and backward (BatchNorm: training mode). Shorter than the model suite but with a 6 s warm-up:
  # C2 must have compiled the Vector API kernels before measuring. Each (benchmark, parameters) is its own fork.
  layer_include='^io\.hush\.bench\.(ConvBench|DenseBench|PoolBench|BatchNormBench)\.(forward|backward|trainForward|trainBackward)$'
  jmh layers-simd "$layer_include" -p impl=simd -p threads=1,2 -wi 3 -w 2s -i 3 -r 1s -f 1
  # The scalar references are single-threaded (Conv) or slow (~1 GFLOP/s: up to 12 s per call), so 1 thread and few
  # iterations; Dense and MaxPool have no scalar backward.
  jmh layers-scalar "$layer_include" -e '(DenseBench|PoolBench)\.backward$' -p impl=scalar -p threads=1 \
      -wi 1 -w 1s -i 2 -r 1s -f 1
  parts+=("$out/layers-simd.json" "$out/layers-scalar.json")
fi
echo "load_end=$(cut -d' ' -f1-3 /proc/loadavg)" >> "$out/meta.env"
python3 -c 'import json, sys; json.dump([r for f in sys.argv[2:] for r in json.load(open(f))], open(sys.argv[1], "w"), indent=1)' \
    "$out/results.json" "${parts[@]}"

python3 "$root/bench/tools/results.py" "$out/results.json" "$out/meta.env" > "$root/bench/RESULTS.md"
echo "wrote bench/RESULTS.md" >&2
