#!/usr/bin/env bash
# Throughput of `hush spark-denoise` (Spark local[1] and local[2]) against plain `hush denoise` on the same machine,
# images and model. Usage (from anywhere):
#
#   bench/spark.sh            # 100 gray 160x160 crops of CBSD432 (noise sigma 25 added), model gray-blind
#   N=40 SIDE=128 bench/spark.sh
#   bench/spark.sh cluster    # also Spark's local-cluster[2,1,1024]: two executor JVMs (a standalone master and
#                             # workers in the driver, executors launched as on a cluster, hush-spark.jar shipped to
#                             # them); prints each executor's model-load log line
#
# Prints, for each way, the wall time of the whole command and images/s; the time spent on the images alone (Spark:
# the job, from its summary line; hush denoise: the sum of its per-image times) and the rest, start-up and set-up (JVM,
# Spark session, listing, model load). Then Spark's overhead per image against hush denoise, both on all cores
# (hush denoise: 2 threads on one image; local[2]: two images at once, one thread each), with and without start-up.
# Read the figures as ratios from one run: on a shared, loaded machine absolute times move between runs. Work files
# go to a temporary folder, removed at the end (KEEP=1 keeps it).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
N=${N:-100}
SIDE=${SIDE:-160}
MODEL=${MODEL:-gray-blind}
DATA=${HUSH_DATA:-$root/../shared/data}
hush="$root/hush"

work=$(mktemp -d "${TMPDIR:-/tmp}/hush-spark-bench.XXXXXX")
[[ "${KEEP:-0}" == 1 ]] || trap 'rm -rf "$work"' EXIT

echo "building (hush.jar, hush-spark.jar)..." >&2
"$hush" --version >/dev/null
"$hush" spark-denoise --version >/dev/null

# N crops SIDE x SIDE (gray: the mean of R, G, B) from the CBSD432 photos, then Gaussian noise of sigma 25.
cat > "$work/Crops.java" <<'JAVA'
import io.hush.data.Images;
import io.hush.image.FloatImage;
import java.nio.file.*;
import java.util.*;

public class Crops {
    public static void main(String[] a) throws Exception {
        Path src = Path.of(a[0]), dst = Path.of(a[1]);
        int n = Integer.parseInt(a[2]), side = Integer.parseInt(a[3]);
        List<Path> files;
        try (var s = Files.list(src)) { files = s.filter(p -> p.toString().endsWith(".jpg")).sorted().toList(); }
        SplittableRandom rng = new SplittableRandom(25);
        for (int i = 0; i < n; i++) {
            FloatImage im = Images.read(files.get(i % files.size()));
            int x0 = (i / files.size()) * 7 % Math.max(1, im.width() - side), y0 = (i * 13) % Math.max(1, im.height() - side);
            float[] g = new float[side * side];
            for (int y = 0; y < side; y++)
                for (int x = 0; x < side; x++) {
                    int q = (y0 + y) * im.width() + x0 + x;
                    float v = 0;
                    for (int c = 0; c < im.channels(); c++) v += im.plane(c)[q];
                    g[y * side + x] = (float) Math.min(1, Math.max(0, v / im.channels() + 25 / 255.0 * rng.nextGaussian()));
                }
            Images.write(dst.resolve(String.format("crop%03d.png", i)), FloatImage.gray(side, side, g), Images.Format.PNG);
        }
    }
}
JAVA
mkdir -p "$work/in"
JAVA_BIN=$(ls -d /usr/lib/jvm/temurin-25*/bin/java 2>/dev/null | head -1 || true)
[[ -n "$JAVA_BIN" ]] || JAVA_BIN=java
"$JAVA_BIN" --add-modules jdk.incubator.vector -cp "$root/cli/target/hush.jar" "$work/Crops.java" "$DATA/cbsd432" \
    "$work/in" "$N" "$SIDE" 2>/dev/null

# How many cores this run really gets: two CPU-bound threads at once against one after the other (2.0 on an idle
# 2-core machine; about 1 when other work holds a core).
cat > "$work/Cores.java" <<'JAVA'
public class Cores {
    static volatile double sink;
    static void spin() { double x = 0; for (long i = 0; i < 300_000_000L; i++) x += Math.sqrt(i); sink = x; }
    public static void main(String[] a) throws Exception {
        spin();
        long t0 = System.nanoTime(); spin(); spin(); double seq = (System.nanoTime() - t0) / 1e9;
        Thread t1 = new Thread(Cores::spin), t2 = new Thread(Cores::spin);
        t0 = System.nanoTime(); t1.start(); t2.start(); t1.join(); t2.join(); double par = (System.nanoTime() - t0) / 1e9;
        System.out.printf("parallelism available to one process now: %.2f (two spinning threads %.1f s together, %.1f s one after the other)%n", seq / par, par, seq);
    }
}
JAVA
"$JAVA_BIN" "$work/Cores.java"

now() { date +%s.%N; }
declare -A wall job
run() { # name, command...
    local name=$1; shift
    local t0 t1 log="$work/$name.log"
    t0=$(now)
    "$@" >"$log" 2>&1 || { cat "$log" >&2; echo "bench: $name failed" >&2; exit 1; }
    t1=$(now)
    wall[$name]=$(echo "$t1 - $t0" | bc -l)
    job[$name]=$(sed -n 's/.*task(s), \([0-9.]*\) s,.*/\1/p' "$log" | tail -1)
    if [[ -z "${job[$name]}" ]]; then # hush denoise: the sum of its per-image times "(..., 0.4 s)"
        job[$name]=$(sed -n 's/.*, \([0-9.]*\) s)$/\1/p' "$log" | paste -sd+ | bc -l)
    fi
    printf '%-16s %6.1f s wall %6.2f images/s | images alone %6.1f s %6.2f images/s | start-up and set-up %5.1f s\n' \
        "$name" "${wall[$name]}" "$(echo "$N / ${wall[$name]}" | bc -l)" "${job[$name]}" \
        "$(echo "$N / ${job[$name]}" | bc -l)" "$(echo "${wall[$name]} - ${job[$name]}" | bc -l)"
}

echo "$N gray ${SIDE}x$SIDE PNG crops, model $MODEL, $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
run "hush denoise" "$hush" denoise "$work/in" -o "$(mkdir -p "$work/single" && echo "$work/single")" --model "$MODEL"
run "spark local[1]" "$hush" spark-denoise "$work/in" -o "$work/spark1" --master 'local[1]' --model "$MODEL"
run "spark local[2]" "$hush" spark-denoise "$work/in" -o "$work/spark2" --master 'local[2]' --model "$MODEL"
if [[ "${1:-}" == cluster ]]; then
    # Workers launch executors from $SPARK_HOME/jars: a Spark home made of the Maven class path.
    home="$work/spark-home"
    mkdir -p "$home/jars"
    tr ':' '\n' < "$root/spark/target/classpath.txt" | while read -r j; do ln -s "$j" "$home/jars/"; done
    JAVA_HOME=$(dirname "$(dirname "$JAVA_BIN")") SPARK_HOME="$home" SPARK_SCALA_VERSION=2.13 \
        run "local-cluster" "$hush" spark-denoise "$work/in" -o "$work/cluster" --master 'local-cluster[2,1,1024]'
    workers="$home/work" # the standalone workers' folder under SPARK_HOME: one folder per app and executor
    for f in "$workers"/*/*/stderr; do
        echo "executor $(basename "$(dirname "$f")"): $(grep -c 'Running task' "$f") task(s);" \
            "$(grep -o 'loaded model.*' "$f" || echo 'no model load')"
    done
fi
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
"$JAVA_BIN" "$work/Cores.java"
printf 'local[2] / local[1] speed-up: %.2fx; local[2] / hush denoise: %.2f of its throughput\n' \
    "$(echo "${wall[spark local[1]]} / ${wall[spark local[2]]}" | bc -l)" \
    "$(echo "${wall[hush denoise]} / ${wall[spark local[2]]}" | bc -l)"
printf "Spark's overhead per image, local[2] vs hush denoise: %.0f ms with start-up (wall), %.0f ms without (images alone)\n" \
    "$(echo "(${wall[spark local[2]]} - ${wall[hush denoise]}) * 1000 / $N" | bc -l)" \
    "$(echo "(${job[spark local[2]]} - ${job[hush denoise]}) * 1000 / $N" | bc -l)"

# The results agree: the same files, and pixel values equal to within one 8-bit level.
cat > "$work/Same.java" <<'JAVA'
import io.hush.data.Images;
import io.hush.image.FloatImage;
import java.nio.file.*;

public class Same {
    public static void main(String[] a) throws Exception {
        double worst = 0;
        int n = 0;
        try (var s = Files.list(Path.of(a[0]))) {
            for (Path p : s.sorted().toList()) {
                FloatImage x = Images.read(p), y = Images.read(Path.of(a[1]).resolve(p.getFileName()));
                for (int i = 0; i < x.plane(0).length; i++) worst = Math.max(worst, Math.abs(x.plane(0)[i] - y.plane(0)[i]) * 255);
                n++;
            }
        }
        System.out.printf("%d results compared with hush denoise: largest difference %.0f 8-bit level(s)%n", n, worst);
    }
}
JAVA
"$JAVA_BIN" --add-modules jdk.incubator.vector -cp "$root/cli/target/hush.jar" "$work/Same.java" "$work/single" \
    "$work/spark2" 2>/dev/null
