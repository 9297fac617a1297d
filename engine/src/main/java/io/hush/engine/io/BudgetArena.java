package io.hush.engine.io;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * An arena that refuses to hand out more than a byte budget, for a dry run of {@code Layer.createParams} while
 * loading: a layer's parameter shapes follow from its settings, which a hostile file chooses, so the reader lets
 * the layer ask for its parameters here first, with a budget derived from what the file actually holds, and only
 * builds the real model once every layer's request has fit. Confined, closed with everything it allocated.
 */
final class BudgetArena implements Arena {
    /** Thrown (unchecked, caught by the reader) when a request would exceed the budget. */
    static final class OverBudget extends RuntimeException {
        final long requested;

        OverBudget(long requested) {
            super(null, null, false, false);
            this.requested = requested;
        }
    }

    private final Arena inner = Arena.ofConfined();
    private final long budget;
    private long used;

    BudgetArena(long budgetBytes) {
        this.budget = budgetBytes;
    }

    @Override
    public MemorySegment allocate(long byteSize, long byteAlignment) {
        if (byteSize < 0 || byteSize > budget - used) throw new OverBudget(byteSize < 0 ? byteSize : used + byteSize);
        used += byteSize;
        return inner.allocate(byteSize, byteAlignment);
    }

    long used() { return used; }

    @Override
    public MemorySegment.Scope scope() { return inner.scope(); }

    @Override
    public void close() { inner.close(); }
}
