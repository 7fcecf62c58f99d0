package io.github.lossvariants.api.internal;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.memory.enums.AllocationPolicy;
import org.nd4j.linalg.api.memory.enums.LearningPolicy;
import org.nd4j.linalg.api.memory.enums.ResetPolicy;
import org.nd4j.linalg.api.memory.enums.SpillPolicy;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The per-thread ND4J workspace in which {@link BaseLoss} computes: every temporary of one loss
 * call is allocated in it and freed at once when the call returns, and the arrays the call returns
 * (gradient, row scores) are copied out to the caller's workspace, or detached when the caller has
 * none. Without it each temporary is a fresh off-heap allocation, which costs about ten times an
 * in-place {@code exp} over the same array.
 *
 * <p>Memory: a workspace learns the size of one call on the first call and keeps that buffer per
 * thread (ND4J workspaces are thread-local) until the thread ends, typically a few times the
 * input size; a larger input later grows it. Turn it off with
 * {@code -Dlossvariants.workspace=false} (then temporaries are ordinary allocations).
 *
 * @since 0.1.0
 */
public final class ScratchWorkspace implements AutoCloseable {
    /** The workspace id, one workspace per thread. */
    public static final String ID = "LOSSVARIANTS_SCRATCH";
    /** System property that disables the scratch workspace: {@code -Dlossvariants.workspace=false}. */
    public static final String PROPERTY = "lossvariants.workspace";

    private static final boolean ENABLED = !"false".equalsIgnoreCase(System.getProperty(PROPERTY));

    /** Learns the size on the first call, resets on close, grows when an input is larger. */
    private static final WorkspaceConfiguration CONF = WorkspaceConfiguration.builder()
            .initialSize(0).overallocationLimit(0.05).policyAllocation(AllocationPolicy.OVERALLOCATE)
            .policyLearning(LearningPolicy.FIRST_LOOP).policyReset(ResetPolicy.BLOCK_LEFT)
            .policySpill(SpillPolicy.REALLOCATE).build();

    /** The largest finite HALF value. */
    private static final double HALF_MAX = 65504.0;

    /** The innermost open scope of each thread. */
    private static final ThreadLocal<ScratchWorkspace> ACTIVE = new ThreadLocal<>();

    private final MemoryWorkspace caller;
    private final MemoryWorkspace scratch;
    private final ScratchWorkspace enclosing;
    /** The data type the call's results must have when it computes in another one; null otherwise. */
    private DataType resultType;

    private ScratchWorkspace(MemoryWorkspace caller, MemoryWorkspace scratch) {
        this.caller = caller;
        this.scratch = scratch;
        this.enclosing = ACTIVE.get();
        ACTIVE.set(this);
    }

    /**
     * Opens the scratch workspace of the current thread. When it is already open (a loss called
     * from inside another loss's computation) nothing new is opened: the results then stay in the
     * enclosing loss's scratch, which outlives them.
     *
     * @return the scope; close it (try-with-resources) after copying the results out
     */
    public static ScratchWorkspace open() {
        MemoryWorkspace caller = Nd4j.getMemoryManager().getCurrentWorkspace();
        if (!ENABLED || (caller != null && ID.equals(caller.getId()))) {
            return new ScratchWorkspace(caller, null);
        }
        return new ScratchWorkspace(caller, Nd4j.getWorkspaceManager().getAndActivateWorkspace(CONF, ID));
    }

    /**
     * The data type a loss computes in for inputs of a type: FLOAT for HALF, whose range (at most
     * 65504, smallest normal 6.1e-5) and 11-bit precision cannot hold the intermediates of a loss
     * (exp of logits, logs of small probabilities, sums of counts, p^gamma); the type itself otherwise.
     *
     * @param type the inputs' data type
     * @return the type to compute in
     */
    public static DataType computeType(DataType type) {
        return type == DataType.HALF ? DataType.FLOAT : type;
    }

    /**
     * Takes the pre-activations of a loss call: returns them in the {@link #computeType} (a copy in
     * this scope for HALF), and records their type as the type of the results, to which
     * {@link #export} converts what the call returns.
     *
     * @param preOutput the caller's pre-activations; read only
     * @return the pre-activations to compute with
     */
    public INDArray preOutput(INDArray preOutput) {
        DataType compute = computeType(preOutput.dataType());
        if (compute == preOutput.dataType()) {
            return preOutput;
        }
        resultType = preOutput.dataType();
        return preOutput.castTo(compute);
    }

    /**
     * @param a labels or a mask of the call, or null
     * @return {@code a} in the {@link #computeType} of its type (a copy in this scope for HALF), or null
     */
    public INDArray input(INDArray a) {
        return a == null || computeType(a.dataType()) == a.dataType() ? a : a.castTo(computeType(a.dataType()));
    }

    /**
     * Allocates an array that a loss call returns (its gradient): in the caller's workspace (or
     * detached when the caller has none) when the current thread is directly inside the outermost
     * scratch scope, so that {@link #export} returns it without a copy; in the current workspace
     * otherwise (no scratch scope, a nested loss call, or the scratch workspace turned off).
     *
     * @param type  the data type
     * @param shape the shape
     * @return an uninitialised array
     */
    public static INDArray resultArray(DataType type, long... shape) {
        ScratchWorkspace active = ACTIVE.get();
        if (active == null || active.scratch == null || active.resultType != null
                || Nd4j.getMemoryManager().getCurrentWorkspace() != active.scratch) {
            return Nd4j.createUninitialized(type, shape);
        }
        if (active.caller == null) {
            try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                return Nd4j.createUninitialized(type, shape);
            }
        }
        try (MemoryWorkspace ignored = active.caller.notifyScopeBorrowed()) {
            return Nd4j.createUninitialized(type, shape);
        }
    }

    /**
     * @param a an array computed in this scope, or null
     * @return {@code a} itself when it does not live in the scratch workspace and has the results'
     *         type; otherwise a copy in the caller's workspace (detached when the caller has none),
     *         converted to the results' type when the call computed in another one
     *         ({@link #preOutput})
     */
    public INDArray export(INDArray a) {
        if (a == null) {
            return null;
        }
        boolean convert = resultType != null && a.dataType() != resultType;
        if (convert && resultType == DataType.HALF) {
            a = saturatedToHalfRange(a);
        }
        boolean inScratch = scratch != null && a.isAttached() && a.data().getParentWorkspace() == scratch;
        if (!convert && !inScratch) {
            return a;
        }
        if (scratch == null) {
            return a.castTo(resultType);
        }
        if (caller == null) {
            try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                return copy(a, convert);
            }
        }
        try (MemoryWorkspace ignored = caller.notifyScopeBorrowed()) {
            return copy(a, convert);
        }
    }

    /**
     * A value beyond HALF's range (|v| &gt; 65504), which the conversion would make infinite, is
     * clamped to +-65504: e.g. the row score of a weighted loss at logits of 1e4 saturates instead of
     * becoming Infinity (the exact total is in {@code computeScore}, a double computed in FLOAT).
     * NaN stays NaN. A new array in the current scope.
     */
    private static INDArray saturatedToHalfRange(INDArray a) {
        return Transforms.min(Transforms.max(a, -HALF_MAX, true), HALF_MAX, false);
    }

    private INDArray copy(INDArray a, boolean convert) {
        return convert ? a.castTo(resultType) : a.dup(a.ordering());
    }

    @Override
    public void close() {
        if (enclosing == null) {
            ACTIVE.remove();
        } else {
            ACTIVE.set(enclosing);
        }
        if (scratch != null) {
            scratch.close();
        }
    }
}
