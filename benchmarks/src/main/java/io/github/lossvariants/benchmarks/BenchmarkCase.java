package io.github.lossvariants.benchmarks;

import io.github.lossvariants.api.LossRegistry;
import io.github.lossvariants.api.LossSpecs;
import io.github.lossvariants.api.ParameterSpec;
import io.github.lossvariants.api.dl4j.RowGroupedLoss;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.linalg.lossfunctions.impl.LossBinaryXENT;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The inputs users have, each 1M float32 elements, as the rows DL4J hands a loss:
 * {@code multilabel} [65536, 16] sigmoid; {@code multiclass} [8192, 128] softmax;
 * {@code seg-sigmoid} [16, 1, 256, 256] behind a CnnLossLayer = [1048576, 1] rows, 65536 per image
 * (the Lovász hinge reads the logits; behind SIGMOID as the other sigmoid losses);
 * {@code seg-softmax} [16, 4, 128, 128] = [262144, 4] rows, 16384 per image (the issue's
 * [4, 4, 128, 128] has only 262144 elements; batch 16 makes it 1M like the others, so that ratios
 * and exp units compare like with like).
 * A case is {@code input/loss}, where loss is a registry spec or a DL4J baseline
 * ({@code dl4j-xent} = LossBinaryXENT with sigmoid, {@code dl4j-mcxent} = LossMCXENT with softmax).
 */
final class BenchmarkCase {
    /** Input name to {rows, columns, rowsPerExample, softmax ? 1 : 0}. */
    static final Map<String, long[]> INPUTS = new LinkedHashMap<>();

    static {
        INPUTS.put("multilabel", new long[]{65536, 16, 1, 0});
        INPUTS.put("multiclass", new long[]{8192, 128, 1, 1});
        INPUTS.put("seg-sigmoid", new long[]{16 * 256 * 256, 1, 256 * 256, 0});
        INPUTS.put("seg-softmax", new long[]{16 * 128 * 128, 4, 128 * 128, 1});
    }

    /** Every case, baselines first within each input. */
    static List<String> all() {
        List<String> out = new ArrayList<>();
        for (String s : new String[]{"dl4j-xent", "bce", "focal", "focal(gamma=2, alpha=0.25)", "focal(gamma=0.5)",
                "asymmetric", "asymmetric(detachFocusingWeight=true)", "class-balanced", "poly-focal",
                "distribution-balanced", "two-way"}) {
            out.add("multilabel/" + s);
        }
        for (String s : new String[]{"dl4j-mcxent", "ce", "softmax-focal", "focal-adaptive", "dual-focal(gamma=5)",
                "label-smoothing", "focal-label-smoothing", "adafocal", "ce + mdca", "ce + mbls",
                "class-balanced(baseLoss=softmax)", "ldam", "balanced-softmax", "poly"}) {
            out.add("multiclass/" + s);
        }
        for (String s : new String[]{"dl4j-xent", "tversky", "focal-tversky", "dice", "tversky(batch=true)",
                "generalized-dice", "jaccard", "mcc", "mcc(batch=true)", "lovasz(mode=binary)",
                "lovasz(mode=binary, perImage=false)"}) {
            out.add("seg-sigmoid/" + s);
        }
        for (String s : new String[]{"dl4j-xent", "tversky", "focal-tversky", "dice", "ce + dice", "generalized-dice",
                "jaccard", "mcc", "lovasz"}) {
            out.add("seg-softmax/" + s);
        }
        return out;
    }

    final String id;
    final String input;
    final String lossSpec;
    final ILossFunction loss;
    final IActivation activation;
    final INDArray labels;
    final INDArray preOutput;

    BenchmarkCase(String id, LossRegistry registry, long seed) {
        this.id = id;
        int slash = id.indexOf('/');
        this.input = id.substring(0, slash);
        this.lossSpec = id.substring(slash + 1);
        long[] in = INPUTS.get(input);
        if (in == null) {
            throw new IllegalArgumentException("unknown input '" + input + "', known: " + INPUTS.keySet());
        }
        boolean softmax = in[3] == 1;
        Nd4j.getRandom().setSeed(seed);
        preOutput = Nd4j.randn(DataType.FLOAT, in[0], in[1]).muli(2);
        if (lossSpec.equals("dl4j-xent")) {
            // The baseline of every input: sigmoid binary cross-entropy on the same element count.
            loss = new LossBinaryXENT();
            activation = new ActivationSigmoid();
            labels = Nd4j.rand(DataType.FLOAT, in[0], in[1]).lt(0.1).castTo(DataType.FLOAT);
            return;
        }
        if (lossSpec.equals("dl4j-mcxent")) {
            loss = new LossMCXENT();
        } else {
            ILossFunction created = registry.create(withClassCounts(registry, lossSpec, (int) in[1]));
            loss = created instanceof RowGroupedLoss ? ((RowGroupedLoss) created).withRowsPerExample(in[2]) : created;
        }
        activation = softmax ? new ActivationSoftmax() : new ActivationSigmoid();
        labels = softmax ? oneHot(in[0], (int) in[1]) : Nd4j.rand(DataType.FLOAT, in[0], in[1]).lt(0.1)
                .castTo(DataType.FLOAT);
    }

    /**
     * The spec with the data-dependent parameters the long-tail losses require, for {@code classes}
     * outputs: {@code classCounts} in CIFAR-LT's exponential profile with imbalance 100,
     * n_c = floor(5000 * 100^(-c/(C-1))), and {@code trainNum} = 5000 * C (examples; multi-label).
     */
    static String withClassCounts(LossRegistry registry, String spec, int classes) {
        StringBuilder extra = new StringBuilder();
        for (String name : LossSpecs.lossNames(spec)) {
            for (ParameterSpec p : registry.provider(name).orElseThrow().parameters().specs()) {
                if (p.isRequired() && p.name().equals("classCounts") && !spec.contains("classCounts")) {
                    double[] counts = new double[classes];
                    for (int c = 0; c < classes; c++) {
                        counts[c] = Math.floor(5000 * Math.pow(100, -c / (double) Math.max(1, classes - 1)));
                    }
                    extra.append(extra.length() == 0 ? "" : ", ").append("classCounts=").append(Arrays.toString(counts));
                } else if (p.isRequired() && p.name().equals("trainNum") && !spec.contains("trainNum")) {
                    extra.append(extra.length() == 0 ? "" : ", ").append("trainNum=").append(5000 * classes);
                } else if (p.isRequired()) {
                    throw new IllegalArgumentException(spec + ": the benchmark cannot fill required parameter " + p.name());
                }
            }
        }
        if (extra.length() == 0) {
            return spec;
        }
        int open = spec.indexOf('(');
        return open < 0 ? spec + "(" + extra + ")" : spec.substring(0, open + 1) + extra + ", " + spec.substring(open + 1);
    }

    private static INDArray oneHot(long rows, int classes) {
        INDArray idx = Nd4j.rand(DataType.FLOAT, rows, 1).muli(classes).castTo(DataType.INT);
        INDArray out = Nd4j.zeros(DataType.FLOAT, rows, classes);
        int[] cls = idx.toIntVector();
        for (int r = 0; r < rows; r++) {
            out.putScalar(r, cls[r], 1f);
        }
        return out;
    }

    /** @return the baseline case id of this case's input */
    String baselineId() {
        return input + "/" + (input.equals("multiclass") ? "dl4j-mcxent" : "dl4j-xent");
    }
}
