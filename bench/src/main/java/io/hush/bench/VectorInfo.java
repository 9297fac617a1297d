package io.hush.bench;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Prints the Vector API's preferred float species on this machine, e.g. {@code 8 float lanes (256-bit, AVX2 class)}:
 * the vector width every kernel and {@link FmaPeakBench} runs at. {@code bench/run.sh} records it with the results.
 */
public final class VectorInfo {
    private VectorInfo() {}

    public static void main(String[] args) {
        VectorSpecies<Float> s = FloatVector.SPECIES_PREFERRED;
        int bits = s.vectorBitSize();
        String isa = bits >= 512 ? "AVX-512 class" : bits == 256 ? "AVX2 class" : bits == 128 ? "SSE/NEON class" : "?";
        System.out.println(s.length() + " float lanes (" + bits + "-bit, " + isa + ")");
    }
}
