package io.github.lossvariants.benchmarks;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The unit of cost of the loss table: one in-place {@code exp} over 1M floats, a hardware-neutral
 * yardstick. A class of its own, without parameters: declared in the parameterised
 * {@link LossBenchmark}, JMH ran it once per loss case and workspace setting (54 times in a full run).
 */
public class ExpUnitBenchmark {

    /** 1M floats, small enough that repeated exp stays finite. */
    @State(Scope.Thread)
    public static class ExpState {
        INDArray x;

        @Setup(Level.Trial)
        public void setUp() {
            Nd4j.getRandom().setSeed(1);
            x = Nd4j.randn(DataType.FLOAT, 65536, 16).muli(0.01);
        }
    }

    @Benchmark
    public double inPlaceExp(ExpState s) {
        Transforms.exp(s.x, false);
        s.x.muli(0.0); // keeps values bounded at no allocation; cost of one scalar pass (~0.1 ms)
        return s.x.getDouble(0);
    }
}
