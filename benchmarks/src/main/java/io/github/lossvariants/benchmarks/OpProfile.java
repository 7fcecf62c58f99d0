package io.github.lossvariants.benchmarks;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.reduce.longer.MatchCondition;
import org.nd4j.linalg.api.ops.impl.transforms.custom.LogSoftMax;
import org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.conditions.Conditions;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.Arrays;
import java.util.Locale;

/**
 * Times single ND4J operations on 1M float32 elements (median and minimum of repeated calls), to
 * see which ops dominate a loss. Usage: {@code java -cp benchmarks/target/benchmarks.jar
 * io.github.lossvariants.benchmarks.OpProfile}. Not a JMH benchmark; a profiling aid.
 */
public final class OpProfile {
    private OpProfile() {
    }

    interface Op {
        void run();
    }

    static void time(String name, Op op) {
        int n = 40;
        for (int i = 0; i < 5; i++) {
            op.run();
        }
        double[] t = new double[n];
        for (int i = 0; i < n; i++) {
            long s = System.nanoTime();
            op.run();
            t[i] = (System.nanoTime() - s) / 1e6;
        }
        Arrays.sort(t);
        System.out.printf(Locale.ROOT, "%-50s median %7.3f ms  min %7.3f ms%n", name, t[n / 2], t[0]);
    }

    public static void main(String[] args) {
        Nd4j.getRandom().setSeed(1);
        INDArray x = Nd4j.randn(DataType.FLOAT, 65536, 16).muli(0.01);
        INDArray y = Nd4j.randn(DataType.FLOAT, 65536, 16);
        INDArray big = Nd4j.randn(DataType.FLOAT, 8192, 128);
        INDArray big2 = Nd4j.randn(DataType.FLOAT, 8192, 128);
        INDArray col = Nd4j.rand(DataType.FLOAT, 8192, 1);
        time("exp in place", () -> { Transforms.exp(x, false); x.muli(0.0); });
        time("muli scalar", () -> x.muli(0.5));
        time("addi array", () -> x.addi(y));
        time("muli array", () -> x.muli(y));
        time("assign array", () -> x.assign(y));
        time("log in place (abs first)", () -> { Transforms.abs(x, false); x.addi(1.0); Transforms.log(x, false); });
        time("abs in place", () -> Transforms.abs(x, false));
        time("log1p in place", () -> { Transforms.abs(x, false); Transforms.log1p(x, false); });
        time("sigmoid in place", () -> { Transforms.sigmoid(x, false); x.muli(0.0); });
        time("softplus in place", () -> { Transforms.softPlus(x, false); x.muli(0.0); });
        time("pow 2 in place", () -> { Transforms.pow(x, 2.0, false); x.muli(0.0); });
        time("pow 2.5 in place", () -> { Transforms.abs(x, false); Transforms.pow(x, 2.5, false); x.muli(0.0); });
        time("sign in place", () -> Transforms.sign(x, false));
        time("relu in place", () -> Transforms.relu(x, false));
        time("max scalar in place", () -> Transforms.max(x, 0.0, false));
        time("rdivi scalar", () -> x.addi(1.0).rdivi(1.0));
        time("sum(true,1) [65536,16]", () -> y.sum(true, 1));
        time("sum all", () -> y.sumNumber());
        time("sum(true,1) [8192,128]", () -> big.sum(true, 1));
        time("max(true,1) [8192,128]", () -> big.max(true, 1));
        time("subiColumnVector [8192,128]", () -> big2.subiColumnVector(col));
        time("muliColumnVector [8192,128]", () -> big2.muliColumnVector(col));
        time("LogSoftMax op into z", () -> Nd4j.exec(new LogSoftMax(big, big2)));
        time("SoftMax op into z", () -> Nd4j.exec(new SoftMax(big, big2)));
        time("createUninitialized 4MB", () -> Nd4j.createUninitialized(DataType.FLOAT, 65536, 16));
        time("dup", () -> y.dup());
        time("checkValues-like (matchcondition+min+max)", () -> {
            Nd4j.getExecutioner().exec(new MatchCondition(y, Conditions.notFinite())).getLong(0);
            y.minNumber(); y.maxNumber();
        });
        time("reshape [16,65536,1].sum(1)", () -> y.reshape(16, 65536, 1).sum(1));
        time("reshape [4,16384,4].sum(1)", () -> y.reshape('c', 4, 65536, 4).sum(1));
        MemoryWorkspace ws0 = null;
        time("createUninitialized 4MB in ws", () -> {
            try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().getAndActivateWorkspace(LossBenchmark.TRAINING_WORKSPACE, "P")) {
                Nd4j.createUninitialized(DataType.FLOAT, 65536, 16);
            }
        });
    }
}
