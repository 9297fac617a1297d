package io.hush.engine.kernels;

import io.hush.engine.Tensor;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

/** Elementwise loops over whole tensors. */
public final class Elementwise {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final ByteOrder LE = ByteOrder.nativeOrder();

    private Elementwise() {}

    /** a += b, over a.size() elements. */
    public static void addInPlace(Tensor a, Tensor b) {
        addInPlace(a.data(), b.data(), a.size());
    }

    public static void addInPlace(MemorySegment a, MemorySegment b, long n) {
        long i = 0;
        long bound = S.loopBound(n);
        for (; i < bound; i += S.length()) {
            FloatVector va = FloatVector.fromMemorySegment(S, a, i * 4, LE);
            FloatVector vb = FloatVector.fromMemorySegment(S, b, i * 4, LE);
            va.add(vb).intoMemorySegment(a, i * 4, LE);
        }
        for (; i < n; i++) {
            a.setAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED, i,
                    a.getAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED, i)
                            + b.getAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED, i));
        }
    }
}
