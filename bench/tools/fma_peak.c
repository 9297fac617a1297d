/* The same measurement as FmaPeakBench, in C: FMA throughput of one core at the machine's own vector width (W float
 * lanes, given by bench/run.sh from the Vector API's preferred species), 12 independent accumulators (more than FMA
 * latency x FMA ports), GCC vector extensions so -march=native emits 256- or 512-bit FMAs. Best of 5 runs of ~0.2 s.
 * bench/run.sh prints its figure beside FmaPeakBench's: the ceiling Java's kernels are measured against should be
 * the machine's, not the JIT's.
 *
 *   cc -O2 -march=native -ffp-contract=fast -DW=8 -o fma_peak bench/tools/fma_peak.c && ./fma_peak */
#include <stdio.h>
#include <time.h>
#ifndef W
#define W 16
#endif
typedef float v __attribute__((vector_size(W * 4)));
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }
int main(void) {
    v x, y;
    for (int i = 0; i < W; i++) { x[i] = 0.999999f; y[i] = 1e-7f; }
    v a0 = x * 0.f, a1 = x * 1.f, a2 = x * 2.f, a3 = x * 3.f, a4 = x * 4.f, a5 = x * 5.f, a6 = x * 6.f, a7 = x * 7.f,
      a8 = x * 8.f, a9 = x * 9.f, a10 = x * 10.f, a11 = x * 11.f;
    double best = 0;
    for (int rep = 0; rep < 5; rep++) {
        long n = 100000000L / W * 8;
        double t0 = now();
        for (long i = 0; i < n; i++) {
            a0 = a0 * x + y; a1 = a1 * x + y; a2 = a2 * x + y; a3 = a3 * x + y; a4 = a4 * x + y; a5 = a5 * x + y;
            a6 = a6 * x + y; a7 = a7 * x + y; a8 = a8 * x + y; a9 = a9 * x + y; a10 = a10 * x + y; a11 = a11 * x + y;
        }
        double s = now() - t0, gf = 2.0 * 12 * W * n / s / 1e9;
        if (gf > best) best = gf;
    }
    float sum = 0;
    v t = a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11;
    for (int i = 0; i < W; i++) sum += t[i];
    printf("%.1f GFLOP/s (%d float lanes, checksum %g)\n", best, W, sum);
    return 0;
}
