package io.github.lossvariants.longtail;

import io.github.lossvariants.api.LossConfigurationException;
import io.github.lossvariants.api.ParameterSchema;
import io.github.lossvariants.api.ParameterSpec;
import io.github.lossvariants.longtail.internal.LongTailParameters;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.scalar.Pow;
import org.nd4j.linalg.api.ops.impl.scalar.RectifiedLinear;
import org.nd4j.linalg.api.ops.impl.scalar.ScalarMultiplication;
import org.nd4j.linalg.api.ops.impl.scalar.ScalarReverseSubtraction;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.api.ops.impl.transforms.same.Abs;
import org.nd4j.linalg.api.ops.impl.transforms.same.Square;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Exp;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Expm1;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Log1p;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Sigmoid;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.nd4j.shade.jackson.annotation.JsonCreator;

import java.util.Map;

/**
 * Distribution-balanced loss for multi-label classification (registry name
 * {@code distribution-balanced}) from Wu, Huang, Wang, Lin and Lin, "Distribution-Balanced Loss
 * for Multi-Label Classification in Long-Tailed Datasets", ECCV 2020 (arXiv 2007.09654): a sigmoid
 * focal loss with re-balanced weighting (against the over-sampling of labels that co-occur with
 * rare ones) and negative-tolerant regularisation (against the suppression of rare labels by their
 * many negatives).
 *
 * <p>With n_j the positive training examples of label j and N = {@code trainNum}, for an example
 * with logits x and labels y:
 * <pre>
 *   b_j  = -log(N / n_j - 1) * initBias / negScale             (prior-based logit bias)
 *   k_j  = y_j + negScale (1 - y_j),     z_j = k_j (x_j + b_j)   (negatives' logits scaled)
 *   r_j  = sigmoid(mapBeta ((1/n_j) / sum_k y_k / n_k - mapGamma)) + mapAlpha   (re-balancing weight)
 *   w_j  = r_j (y_j + (1 - y_j) / negScale)
 *   B_j  = BCE(z_j, y_j),   q_j = 1 - exp(-B_j)
 *   L_j  = balanceParam * q_j^gamma * w_j * B_j
 *   dL_j/dx_j = balanceParam * w_j * k_j * (sigmoid(z_j) - y_j) * q_j^gamma * (1 + gamma exp(-B_j) B_j / q_j)
 * </pre>
 * The row's loss is the sum over labels. r and w depend only on the labels (constants in the
 * gradient); p_t = exp(-B) stays in the gradient, as in the reference
 * (wutong16/DistributionBalancedLoss {@code ResampleLoss} with {@code reweight_func='rebalance'},
 * focal, {@code logit_reg}), which returns these terms unreduced. An example without positive
 * labels has sum_k y_k / n_k = 0 and gets r_j = 1 + mapAlpha, the reference's limit (mapBeta &gt; 0;
 * with mapBeta = 0 every r_j is 0.5 + mapAlpha). Labels in [0, 1]; for soft labels the formulas
 * above are used as written. A per-output mask marks unknown labels: the repeat rate
 * sum_k y_k / n_k counts only the unmasked ones, and masked outputs contribute nothing.
 *
 * <p>Parameters (defaults: the paper's COCO-MLT setting; its VOC-MLT setting is negScale 5,
 * mapGamma 0.3):
 * <ul>
 *   <li>{@code classCounts} (required): positive training examples of each label, each &gt; 0, one per
 *       output; {@code trainNum} (required): training examples, larger than every count
 *       ({@link ClassCounts#multiLabel} gives both);</li>
 *   <li>{@code gamma} &gt;= 0, default 2; {@code balanceParam} &gt; 0, default 2;</li>
 *   <li>{@code negScale} &gt; 0, default 2 (lambda); {@code initBias} &gt;= 0, default 0.05 (kappa);</li>
 *   <li>{@code mapAlpha} &gt;= 0, default 0.1; {@code mapBeta} &gt;= 0, default 10; {@code mapGamma}
 *       &gt;= 0, default 0.2 (mu): the smoothing function of the re-balanced weights.</li>
 * </ul>
 * Use with a {@code SIGMOID} output activation. Finite at logits of +-100 (BCE in log space,
 * q = -expm1(-B)). Instances are immutable and thread-safe.
 *
 * @since 0.2.0
 */
public final class DistributionBalancedLoss extends RowLabelSigmoidLoss {
    private static final long serialVersionUID = 1L;

    /** The registry name. */
    public static final String NAME = "distribution-balanced";

    /** The parameters, with the COCO-MLT defaults of the paper's configuration. */
    public static final ParameterSchema SCHEMA = ParameterSchema.of(
            ParameterSpec.ofDoubleArray("classCounts", null, "positive training examples of each label, one per"
                    + " output, each > 0 and < trainNum; ClassCounts.multiLabel(trainingIterator) gives them")
                    .greaterThan(0).required(),
            ParameterSpec.ofDouble("trainNum", null, "number of training examples (the counts' denominator)")
                    .greaterThan(0).required(),
            LongTailParameters.GAMMA,
            ParameterSpec.ofDouble("balanceParam", 2.0, "factor on the whole loss").greaterThan(0),
            ParameterSpec.ofDouble("negScale", 2.0, "lambda: negatives' logits are multiplied by it and their weight"
                    + " divided by it").greaterThan(0),
            ParameterSpec.ofDouble("initBias", 0.05, "kappa: logit bias -kappa log(trainNum/n - 1) / negScale")
                    .atLeast(0),
            ParameterSpec.ofDouble("mapAlpha", 0.1, "offset of the re-balancing weight").atLeast(0),
            ParameterSpec.ofDouble("mapBeta", 10.0, "slope of the re-balancing weight's sigmoid").atLeast(0),
            ParameterSpec.ofDouble("mapGamma", 0.2, "threshold of the re-balancing weight's sigmoid").atLeast(0));

    /** Where the sigmoid of the re-balancing weight is 1 in double: larger arguments are clamped to it. */
    private static final double SATURATED = 800.0;

    private final double[] classCounts;
    private final double trainNum;
    private final double gamma;
    private final double balanceParam;
    private final double negScale;
    private final double initBias;
    private final double mapAlpha;
    private final double mapBeta;
    private final double mapGamma;
    private final double[] bias;
    private final double[] inverseCounts;

    /**
     * @param parameters values by name (see the class description)
     * @throws LossConfigurationException for a missing {@code classCounts} or {@code trainNum}, an unknown
     *                                    name, an invalid value, or a count not below {@code trainNum}
     */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public DistributionBalancedLoss(Map<String, ?> parameters) {
        super(NAME, SCHEMA, parameters);
        this.classCounts = parameterValues().getDoubleArray("classCounts");
        this.trainNum = parameterValues().getDouble("trainNum");
        this.gamma = parameterValues().getDouble("gamma");
        this.balanceParam = parameterValues().getDouble("balanceParam");
        this.negScale = parameterValues().getDouble("negScale");
        this.initBias = parameterValues().getDouble("initBias");
        this.mapAlpha = parameterValues().getDouble("mapAlpha");
        this.mapBeta = parameterValues().getDouble("mapBeta");
        this.mapGamma = parameterValues().getDouble("mapGamma");
        this.bias = new double[classCounts.length];
        this.inverseCounts = new double[classCounts.length];
        for (int j = 0; j < classCounts.length; j++) {
            if (!(classCounts[j] < trainNum)) {
                throw new LossConfigurationException("loss '" + NAME + "': classCounts[" + j + "] = " + classCounts[j]
                        + " is not below trainNum = " + trainNum + "; every label must have fewer positive examples"
                        + " than there are training examples (the logit bias uses log(trainNum/n - 1))");
            }
            bias[j] = -Math.log(trainNum / classCounts[j] - 1.0) * initBias / negScale;
            inverseCounts[j] = 1.0 / classCounts[j];
        }
    }

    /**
     * The COCO-MLT setting of the paper.
     *
     * @param classCounts positive training examples of each label, each &gt; 0 and &lt; trainNum (copied)
     * @param trainNum    training examples
     */
    public DistributionBalancedLoss(double[] classCounts, double trainNum) {
        this(ParameterSchema.valuesOf("classCounts", classCounts, "trainNum", trainNum));
    }

    /**
     * @param counts what {@link ClassCounts#multiLabel} returns for the training data
     * @return the loss with the COCO-MLT setting for these counts
     */
    public static DistributionBalancedLoss of(ClassCounts.MultiLabel counts) {
        return new DistributionBalancedLoss(counts.positives(), counts.examples());
    }

    /** @return a copy of the positive counts per label */
    public double[] getClassCounts() {
        return classCounts.clone();
    }

    /** @return the number of training examples */
    public double getTrainNum() {
        return trainNum;
    }

    /** @return gamma */
    public double getGamma() {
        return gamma;
    }

    /** @return balanceParam */
    public double getBalanceParam() {
        return balanceParam;
    }

    /** @return negScale */
    public double getNegScale() {
        return negScale;
    }

    /** @return initBias */
    public double getInitBias() {
        return initBias;
    }

    /** @return mapAlpha */
    public double getMapAlpha() {
        return mapAlpha;
    }

    /** @return mapBeta */
    public double getMapBeta() {
        return mapBeta;
    }

    /** @return mapGamma */
    public double getMapGamma() {
        return mapGamma;
    }

    @Override
    void computeTerms(INDArray x, INDArray y, INDArray known, INDArray loss, INDArray grad) {
        LongTailParameters.requireOnePerClass(NAME, "classCounts", classCounts, x.size(1));
        DataType type = x.dataType();
        long[] shape = x.shape();
        INDArray w = rebalancingWeights(known);
        // k = y + negScale (1 - y) into a; w <- w (y + (1 - y)/negScale)
        INDArray a = Nd4j.createUninitialized(type, shape);
        INDArray b = Nd4j.createUninitialized(type, shape);
        Nd4j.exec(new ScalarMultiplication(y, null, a, 1.0 - negScale));
        a.addi(negScale);
        Nd4j.exec(new ScalarMultiplication(y, null, b, 1.0 - 1.0 / negScale));
        w.muli(b.addi(1.0 / negScale));
        // z = k (x + bias) into b
        b.assign(x).addiRowVector(LongTailParameters.row(bias, type)).muli(a);
        // B = BCE(z, y) = max(z, 0) - y z + log1p(exp(-|z|)) into loss (c scratch)
        INDArray c = Nd4j.createUninitialized(type, shape);
        Nd4j.exec(new Abs(b, c));
        c.negi();
        Nd4j.exec(new Exp(c, c));
        Nd4j.exec(new Log1p(c, loss));
        Nd4j.exec(new MulOp(y, b, c));
        loss.subi(c);
        Nd4j.exec(new RectifiedLinear(b, c));
        loss.addi(c);
        if (grad != null) {
            // dB/dx = k (sigmoid(z) - y), times the weight, into grad
            Nd4j.exec(new Sigmoid(b, grad));
            grad.subi(y).muli(a).muli(w).muli(balanceParam);
        }
        if (gamma != 0.0) {
            // q = 1 - exp(-B) = -expm1(-B) into a, F = q^gamma into c
            Nd4j.exec(new ScalarMultiplication(loss, null, a, -1.0));
            Nd4j.exec(new Expm1(a, a));
            a.negi();
            INDArray f = gamma == 1.0 ? c.assign(a) : gamma == 2.0 ? Nd4j.exec(new Square(a, c))
                    : Nd4j.exec(new Pow(a, c, gamma));
            if (grad != null) {
                // factor F (1 + gamma exp(-B) B / q), exp(-B) = 1 - q; B / q is in [1, ...) and -> 1 as B -> 0
                Nd4j.exec(new ScalarReverseSubtraction(a, null, b, 1.0));
                b.muli(loss).muli(gamma);
                b.divi(Transforms.max(a, LongTailParameters.tiny(type), false));
                grad.muli(b.addi(1.0).muli(f));
            }
            loss.muli(f);
        }
        loss.muli(w).muli(balanceParam);
    }

    /**
     * r_j = sigmoid(mapBeta ((1/n_j) / sum_k y_k / n_k - mapGamma)) + mapAlpha per element, a new
     * array; the argument is clamped at {@value #SATURATED} (where the sigmoid is 1), which also
     * covers rows without positives (sum 0: the reference's infinite ratio).
     */
    private INDArray rebalancingWeights(INDArray y) {
        DataType type = y.dataType();
        long[] shape = y.shape();
        if (mapBeta == 0.0) {
            return Nd4j.valueArrayOf(shape, 0.5 + mapAlpha, type);
        }
        INDArray inv = LongTailParameters.row(inverseCounts, type);
        INDArray repeat = y.mmul(inv.reshape(inverseCounts.length, 1));
        Transforms.max(repeat, LongTailParameters.tiny(type), false);
        INDArray t = Nd4j.zeros(type, shape).addiRowVector(inv).diviColumnVector(repeat);
        t.subi(mapGamma).muli(mapBeta);
        Transforms.min(t, SATURATED, false);
        return Nd4j.exec(new Sigmoid(t, t)).addi(mapAlpha);
    }

    @Override
    String activationHint() {
        return "distribution-balanced is a multi-label sigmoid loss; for exclusive classes with a softmax use"
                + " balanced-softmax or ldam.";
    }
}
