#!/usr/bin/env bash
# Builds the benchmarks (with the native peers) and runs the whole-model suite side by side with ONNX Runtime and
# PyTorch, then writes bench/RESULTS.md (full) or bench/RESULTS-quick.md (quick). Usage (from anywhere):
#
#   bench/run.sh quick   # ~7 min: 2 threads, seed b1/b128 (float and int8), seed training step, DnCNN 256x256,
#                        # RGB DnCNN-20 481x321, color-blind 512x512 against ORT's CDnCNN-B shape
#   bench/run.sh full    # ~33 min on 2 cores: the whole-model suite on 1 and 2 threads, DnCNN 256x256 and 512x512,
#                        # longer warm-up/measurement (~16 min), then the per-layer benches (ConvBench, DenseBench,
#                        # PoolBench, BatchNormBench) forward and backward: SIMD on 1 and 2 threads (56 forks, ~11 min),
#                        # scalar reference on 1 thread (26 forks, ~5 min), then the end-to-end section
#   bench/run.sh e2e     # ~10 min: end to end as whole processes, `hush denoise` vs a one-shot ONNX Runtime program
#                        # (PeerOrtDenoise) on the same ONNX files: one 512x512 gray image (DnCNN-17), ten 481x321
#                        # photos (20-layer RGB DnCNN); 2 threads; writes bench/RESULTS-e2e.md
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
  quick) model_opts=(-p net=seed-b1,seed-b128,dncnn-256,cdncnn20-481x321 -p threads=2 -wi 5 -w 2s -i 3 -r 2s -f 1)
         int8_opts=(-p net=seed-b1-int8 -p threads=2 -wi 5 -w 2s -i 3 -r 2s -f 1)
         color_opts=(-p threads=2 -wi 3 -w 2s -i 3 -r 2s -f 1); layers=0; models=1; e2e=0 ;;
  full)  model_opts=(-p net=seed-b1,seed-b128,dncnn-256,dncnn-512,cdncnn20-481x321 -p threads=1,2 -wi 8 -w 2s -i 5 -r 2s -f 1)
         int8_opts=(-p net=seed-b1-int8,seed-b128-int8 -p threads=1,2 -wi 8 -w 2s -i 5 -r 2s -f 1)
         color_opts=(-p threads=1,2 -wi 5 -w 2s -i 5 -r 2s -f 1); layers=1; models=1; e2e=1 ;;
  e2e)   layers=0; models=0; e2e=1 ;;
  *) echo "usage: bench/run.sh quick|full|e2e" >&2; exit 2 ;;
esac
if [[ "$e2e" == 1 && "$peers" != 1 ]]; then
  [[ "$models" == 1 ]] || { echo "bench/run.sh e2e needs the ONNX Runtime peer (PEERS=1)" >&2; exit 2; }
  e2e=0
fi

out="$root/bench/target/run-$mode"
mkdir -p "$out"
cd "$root"
profile=()
[[ "$peers" == 1 ]] && profile=(-Ppeers)
modules=bench
[[ "$e2e" == 1 ]] && modules=bench,cli # the end-to-end section runs `hush denoise` (cli/target/hush.jar)
echo "building (mvn -pl $modules -am package ${profile[*]})..." >&2
# Tests are not compiled: the suite only needs the main code (and other modules' tests may be mid-edit).
# With the peers, the same reactor run lists their class path: they are 'provided' (not shaded), their jars (native
# libraries inside) come from the local Maven repository; resolving it needs the hush modules built in this run.
classpath_goal=()
[[ "$peers" == 1 ]] && classpath_goal=(dependency:build-classpath -Dmdep.includeScope=provided
    -DexcludeGroupIds=io.hush,org.openjdk.jmh -Dmdep.outputFile="$out/peers.classpath")
mvn -q -B -pl "$modules" -am package "${classpath_goal[@]}" -Dmaven.test.skip=true "${profile[@]}"
cp bench/target/benchmarks.jar "$out/benchmarks.jar" # private copy: a rebuild during the run does not change it
cp="$out/benchmarks.jar"
if [[ "$peers" == 1 ]]; then
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
  echo "vector=$("$JAVA" --add-modules jdk.incubator.vector -cp "$out/benchmarks.jar" io.hush.bench.VectorInfo 2>/dev/null || echo '?')"
  echo "load_start=$(cut -d' ' -f1-3 /proc/loadavg)"
} > "$out/meta.env"
# The same FMA loop as FmaPeakBench in C (if a C compiler is here), at the Vector API's width: is Java's peak the machine's?
lanes=$(sed -n 's/^vector=\([0-9]*\) float lanes.*/\1/p' "$out/meta.env")
if [[ -n "$lanes" ]] && command -v cc >/dev/null 2>&1 \
    && cc -O2 -march=native -ffp-contract=fast -DW="$lanes" -o "$out/fma_peak" "$here/tools/fma_peak.c" 2>/dev/null; then
  echo "c_fma_peak1=$("$out/fma_peak" | cut -d' ' -f1)" >> "$out/meta.env"
fi

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
rm -f "$out"/{results,models,models-int8,models-color,models-color-ort,layers-simd,layers-scalar}.json
: > "$out/log.txt"
parts=()
if [[ "$models" == 1 ]]; then
  jmh models "$include" "${model_opts[@]}"
  # int8 weights (Hush only: the peers' figures for these rows are their float32 runs above)
  jmh models-int8 '^io\.hush\.bench\.ModelBench\.' "${int8_opts[@]}"
  parts+=("$out/models.json" "$out/models-int8.json")
  # The shipped colour model at 512x512 RGB, against ORT running CDnCNN-B's shape (20 layers of 64 channels) there
  jmh models-color '^io\.hush\.bench\.ModelBench\.' -p net=color-blind-512 "${color_opts[@]}"
  parts+=("$out/models-color.json")
  if [[ "$peers" == 1 ]]; then
    jmh models-color-ort '^io\.hush\.bench\.PeerOrtBench\.' -p net=cdncnn20-512 "${color_opts[@]}"
    parts+=("$out/models-color-ort.json")
  fi
fi
if [[ "$layers" == 1 ]]; then
  # Per layer, forward and backward (BatchNorm: training mode). Shorter than the model suite but with a 6 s warm-up:
  # C2 must have compiled the Vector API kernels before measuring. Each (benchmark, parameters) is its own fork.
  layer_include='^io\.hush\.bench\.(ConvBench|DenseBench|PoolBench|BatchNormBench)\.(forward|backward|trainForward|trainBackward)$'
  jmh layers-simd "$layer_include" -p impl=simd -p threads=1,2 -wi 3 -w 2s -i 3 -r 1s -f 1
  # The scalar references are single-threaded (Conv) or slow (~1 GFLOP/s: up to 12 s per call), so 1 thread and few
  # iterations; Dense has no scalar backward.
  jmh layers-scalar "$layer_include" -e 'DenseBench\.backward$' -p impl=scalar -p threads=1 \
      -wi 1 -w 1s -i 2 -r 1s -f 1
  parts+=("$out/layers-simd.json" "$out/layers-scalar.json")
fi
if [[ "$e2e" == 1 ]]; then
  # End to end: whole processes, start to PNG written, Hush's launcher (as a user runs it) vs the one-shot ONNX
  # Runtime program, in turn (A B A B ...), on the same ONNX files (E2eFixtures: seeded weights, Set12 and CBSD432).
  fx="$root/bench/target/e2e"
  "$JAVA" --add-modules jdk.incubator.vector -cp "$cp" io.hush.bench.E2eFixtures "$fx" "${HUSH_DATA:-$root/../shared/data}" \
      2>> "$out/log.txt"
  mkdir -p "$fx/out-hush" "$fx/out-ort"
  runs=${E2E_RUNS:-5}
  rm -f "$out/e2e.json"
  ort=("$JAVA" --enable-native-access=ALL-UNNAMED -cp "$cp" io.hush.bench.PeerOrtDenoise --threads 2)
  echo "running end to end ($runs runs per case), log in $out/log.txt ..." >&2
  python3 "$root/bench/tools/wholeproc.py" --name "one 512x512 gray image" --runs "$runs" --json "$out/e2e.json" -- \
      "$root/hush" denoise "$fx/gray512/08.png" -o "$fx/out-hush/08.png" --overwrite --model "$fx/dncnn17-gray.onnx" --threads 2 \
      --vs "${ort[@]}" "$fx/dncnn17-gray.onnx" "$fx/out-ort" "$fx/gray512/08.png" >> "$out/log.txt" 2>&1
  python3 "$root/bench/tools/wholeproc.py" --name "ten 481x321 photos" --runs "$runs" --json "$out/e2e.json" -- \
      "$root/hush" denoise "$fx/photos" -o "$fx/out-hush" --overwrite --model "$fx/cdncnn20-rgb.onnx" --threads 2 \
      --vs "${ort[@]}" "$fx/cdncnn20-rgb.onnx" "$fx/out-ort" "$fx/photos" >> "$out/log.txt" 2>&1
fi

echo "load_end=$(cut -d' ' -f1-3 /proc/loadavg)" >> "$out/meta.env"
if [[ "$e2e" == 1 ]]; then
  python3 "$root/bench/tools/results.py" --e2e "$out/e2e.json" "$out/meta.env" > "$root/bench/RESULTS-e2e.md"
  echo "wrote bench/RESULTS-e2e.md" >&2
fi
if [[ ${#parts[@]} -gt 0 ]]; then
  python3 -c 'import json, sys; json.dump([r for f in sys.argv[2:] for r in json.load(open(f))], open(sys.argv[1], "w"), indent=1)' \
      "$out/results.json" "${parts[@]}"
  results=RESULTS.md
  [[ "$mode" == quick ]] && results=RESULTS-quick.md # a quick run does not replace the full run's file
  python3 "$root/bench/tools/results.py" "$out/results.json" "$out/meta.env" > "$root/bench/$results"
  echo "wrote bench/$results" >&2
fi
