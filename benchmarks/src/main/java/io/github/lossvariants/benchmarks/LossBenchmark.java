package io.github.lossvariants.benchmarks;

import io.github.lossvariants.api.LossRegistry;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.memory.enums.AllocationPolicy;
import org.nd4j.linalg.api.memory.enums.LearningPolicy;
import org.nd4j.linalg.api.memory.enums.ResetPolicy;
import org.nd4j.linalg.api.memory.enums.SpillPolicy;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Score + gradient in one {@code computeGradientAndScore} call, float32, 1M elements, standalone
 * ({@code workspace=false}) and inside an active workspace as DL4J calls a loss during training
 * ({@code workspace=true}). The unit of cost, one in-place {@code exp} pass, is
 * {@link ExpUnitBenchmark}.
 */
@State(Scope.Thread)
public class LossBenchmark {
    /** DL4J's training workspace settings (as in its layer workspace configuration). */
    static final WorkspaceConfiguration TRAINING_WORKSPACE = WorkspaceConfiguration.builder()
            .initialSize(0).overallocationLimit(0.05).policyAllocation(AllocationPolicy.OVERALLOCATE)
            .policyLearning(LearningPolicy.OVER_TIME).policyReset(ResetPolicy.BLOCK_LEFT)
            .policySpill(SpillPolicy.REALLOCATE).build();

    @Param({"multilabel/focal"})
    public String lossCase;

    @Param({"false"})
    public boolean workspace;

    private BenchmarkCase c;

    @Setup(Level.Trial)
    public void setUp() {
        c = new BenchmarkCase(lossCase, LossRegistry.discover(), 42);
    }

    @Benchmark
    public double scoreAndGradient() {
        if (!workspace) {
            Pair<Double, INDArray> p = c.loss.computeGradientAndScore(c.labels, c.preOutput, c.activation, null, false);
            return p.getFirst() + p.getSecond().getDouble(0);
        }
        try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().getAndActivateWorkspace(TRAINING_WORKSPACE, "LOSS_BENCH")) {
            Pair<Double, INDArray> p = c.loss.computeGradientAndScore(c.labels, c.preOutput, c.activation, null, false);
            return p.getFirst() + p.getSecond().getDouble(0);
        }
    }
}
