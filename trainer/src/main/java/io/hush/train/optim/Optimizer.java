package io.hush.train.optim;

import io.hush.engine.Tensor;
import io.hush.engine.ThreadPool;
import io.hush.engine.layers.Param;
import io.hush.train.state.State;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

/**
 * An optimiser over a model's trainable parameters. {@link #attach} allocates its state (off-heap, next to the
 * parameters' own memory); {@link #step} applies one update from the gradients the last backward pass wrote.
 *
 * <p>Work is cut into fixed blocks of {@link #BLOCK} elements over all parameters and the blocks are split across
 * the pool's threads; the updates are elementwise, so the result is the same for any thread count, and the
 * gradient norm is summed per block and reduced in block order, so it is too.
 */
public abstract class Optimizer implements AutoCloseable {
    static final int BLOCK = 1 << 14;

    protected double lr;
    /** Updates applied so far (Adam's t). */
    protected long iterations;
    protected List<Param> params = List.of();
    protected MemorySegment[][] slots = new MemorySegment[0][]; // [param][slot]
    private long[] blocks = new long[0]; // packed (param << 40 | start), length in blockLen
    private int[] blockLen = new int[0];
    private double[] blockSums = new double[0];
    private Arena arena;
    protected ThreadPool pool;

    protected Optimizer(double lr) {
        if (!(lr > 0)) throw new IllegalArgumentException("learning rate must be > 0, got " + lr);
        this.lr = lr;
    }

    /** Name and hyper-parameters, for logs and model metadata. */
    public abstract String describe();

    /** State buffers per parameter (Adam 2, SGD with momentum 1, plain SGD 0). */
    protected abstract int slotCount();

    /** Updates elements {@code [from,to)} of parameter {@code p}. */
    protected abstract void update(int p, Param param, long from, long to);

    /** Called once per step before the blocks run (bias corrections and the like). */
    protected void prepare() {}

    public double lr() { return lr; }

    public void lr(double lr) { this.lr = lr; }

    public long iterations() { return iterations; }

    /** Binds to the trainable parameters among {@code all} and allocates zeroed state. */
    public void attach(List<Param> all, ThreadPool pool) {
        close();
        this.pool = pool;
        List<Param> ps = new ArrayList<>();
        for (Param p : all) if (p.trainable) ps.add(p);
        params = List.copyOf(ps);
        arena = Arena.ofShared();
        slots = new MemorySegment[ps.size()][slotCount()];
        List<long[]> bl = new ArrayList<>();
        for (int i = 0; i < ps.size(); i++) {
            long n = ps.get(i).value.size();
            for (int s = 0; s < slotCount(); s++) slots[i][s] = arena.allocate(n * 4, Tensor.ALIGN);
            for (long start = 0; start < n; start += BLOCK) bl.add(new long[] {i, start, Math.min(BLOCK, n - start)});
        }
        blocks = new long[bl.size()];
        blockLen = new int[bl.size()];
        for (int b = 0; b < bl.size(); b++) {
            blocks[b] = bl.get(b)[0] << 40 | bl.get(b)[1];
            blockLen[b] = (int) bl.get(b)[2];
        }
        blockSums = new double[bl.size()];
        iterations = 0;
    }

    public List<Param> params() { return params; }

    /** Runs later steps on this pool (after the model switched pools, e.g. {@code Model.threads(n)}). */
    public void pool(ThreadPool p) { this.pool = p; }

    /** One update from the current gradients. */
    public void step() {
        if (pool == null) throw new IllegalStateException(describe() + ": attach(params, pool) before step()");
        iterations++;
        prepare();
        pool.parallelFor(blocks.length, (lo, hi, t) -> {
            for (int b = lo; b < hi; b++) {
                int p = (int) (blocks[b] >>> 40);
                long start = blocks[b] & ((1L << 40) - 1);
                update(p, params.get(p), start, start + blockLen[b]);
            }
        });
    }

    /** L2 norm of all trainable gradients (deterministic for any thread count). */
    public double gradNorm() {
        pool.parallelFor(blocks.length, (lo, hi, t) -> {
            for (int b = lo; b < hi; b++) {
                int p = (int) (blocks[b] >>> 40);
                long start = blocks[b] & ((1L << 40) - 1);
                blockSums[b] = UpdateKernels.sumSquares(params.get(p).grad.data(), start, start + blockLen[b]);
            }
        });
        double s = 0;
        for (double v : blockSums) s += v;
        return Math.sqrt(s);
    }

    /**
     * Gradient-norm clipping (PyTorch's clip_grad_norm_): if the global norm exceeds {@code maxNorm}, scales every
     * gradient by maxNorm / (norm + 1e-6). Returns the norm before clipping.
     */
    public double clipGradNorm(double maxNorm) {
        double norm = gradNorm();
        if (norm > maxNorm) {
            float s = (float) (maxNorm / (norm + 1e-6));
            pool.parallelFor(blocks.length, (lo, hi, t) -> {
                for (int b = lo; b < hi; b++) {
                    int p = (int) (blocks[b] >>> 40);
                    long start = blocks[b] & ((1L << 40) - 1);
                    UpdateKernels.scale(params.get(p).grad.data(), start, start + blockLen[b], s);
                }
            });
        }
        return norm;
    }

    /** Saves learning rate, iteration count and every state buffer under {@code prefix}. */
    public void save(State st, String prefix) {
        st.putString(prefix + "type", getClass().getSimpleName());
        st.putDouble(prefix + "lr", lr);
        st.putLong(prefix + "iterations", iterations);
        for (int i = 0; i < slots.length; i++) {
            for (int s = 0; s < slots[i].length; s++) {
                MemorySegment seg = slots[i][s];
                float[] a = new float[(int) (seg.byteSize() / 4)];
                MemorySegment.copy(seg, ValueLayout.JAVA_FLOAT_UNALIGNED, 0, a, 0, a.length);
                st.putFloats(prefix + "slot/" + i + "/" + s, a);
            }
        }
    }

    /** Restores what {@link #save} wrote; the optimiser must be attached to the same parameters. */
    public void load(State st, String prefix) {
        String type = st.getString(prefix + "type");
        if (!type.equals(getClass().getSimpleName())) {
            throw new IllegalArgumentException("checkpoint holds " + type + " state, this run uses " + getClass().getSimpleName());
        }
        lr = st.getDouble(prefix + "lr");
        iterations = st.getLong(prefix + "iterations");
        for (int i = 0; i < slots.length; i++) {
            for (int s = 0; s < slots[i].length; s++) {
                float[] a = st.getFloats(prefix + "slot/" + i + "/" + s);
                MemorySegment seg = slots[i][s];
                if (a.length * 4L != seg.byteSize()) {
                    throw new IllegalArgumentException("optimiser state " + i + "/" + s + " has " + a.length + " values, parameter "
                            + params.get(i) + " needs " + seg.byteSize() / 4);
                }
                MemorySegment.copy(a, 0, seg, ValueLayout.JAVA_FLOAT_UNALIGNED, 0, a.length);
            }
        }
    }

    @Override
    public void close() {
        if (arena != null) arena.close();
        arena = null;
    }
}
