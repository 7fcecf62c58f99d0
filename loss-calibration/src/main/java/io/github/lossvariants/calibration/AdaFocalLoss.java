package io.github.lossvariants.calibration;

import io.github.lossvariants.api.LossConfigurationException;
import io.github.lossvariants.api.LossParameters;
import io.github.lossvariants.api.ParameterSchema;
import io.github.lossvariants.api.ParameterSpec;
import io.github.lossvariants.api.dl4j.OneHotSoftmaxLoss;
import io.github.lossvariants.calibration.internal.FocalTerms;
import io.github.lossvariants.calibration.metrics.ReliabilityDiagram;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.nd4j.shade.jackson.annotation.JsonCreator;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * AdaFocal (Ghosh, Schaaf &amp; Gormley, "AdaFocal: Calibration-aware Adaptive Focal Loss", NeurIPS
 * 2022), registry name {@code adafocal}. Each confidence bin b carries its own gamma_b; a training
 * sample uses the gamma of the bin its <b>p_t</b> (true-class probability) falls in:
 * <pre>
 *   s = sign(gamma_b),  L = -sum_i (1 - s p_t + 1e-20)^|gamma_b| log p_t      (summed)
 * </pre>
 * gamma_b &lt; 0 is inverse focal, -(1 + p_t)^|gamma| log p_t. gamma_b and s are constants in the
 * gradient. Bin lookup: bin b holds p_t in [edge_b, edge_b+1), the first bin is open below and the
 * last open above (as in the reference code).
 *
 * <p><b>State and its update.</b> This object is immutable: its state (one gamma per bin and the
 * bin edges) is part of its parameters and of its JSON, so {@code ModelSerializer} keeps it. After
 * every epoch {@link #updated(ReliabilityDiagram)} returns a <i>new</i> loss from the validation
 * set's equal-mass bins on top-label confidence (each with signed gap = confidence - accuracy):
 * <pre>
 *   gamma_b = gamma_b,prev * exp(+lambda * gap_b)  if gamma_b,prev &gt; 0,  else  gamma_b,prev * exp(-lambda * gap_b)
 *   if |gamma_b| &lt; switchPoint: gamma_b = -switchPoint if it was &gt; 0, else +switchPoint
 *   gamma_b = clip(gamma_b, gammaMin, gammaMax);  edges = the validation bins' edges
 * </pre>
 * {@link AdaFocalCalibrator} does this at each epoch end and swaps the new instance into the output
 * layer's configuration.
 *
 * <p>Defaults (the paper's): numBins 15, lambda 1, gammaInitial 1, gammaMax 20, gammaMin -2,
 * switchPoint 0.2; initial bins equal width [b/15, (b+1)/15). Needs a SOFTMAX output layer and
 * one-hot labels.
 *
 * <p><b>Parameters and JSON.</b> The parameters are those of {@link #SCHEMA}; {@code gammas} and
 * {@code binEdges} are present only once the state has left its initial value (given values equal
 * to the initial state are dropped, so a loss equals the registry's default however its initial
 * state was written). The JSON of release 0.1.0 also holds a field {@code "initialState"}, which
 * 0.1.0 derived from the state (it was never a parameter): the JSON constructor accepts it and
 * ignores it, whatever its value.
 *
 * @since 0.1.0
 */
public final class AdaFocalLoss extends OneHotSoftmaxLoss {
    private static final long serialVersionUID = 1L;
    /** Registry name. */
    public static final String NAME = "adafocal";
    /** Added to the base as in the reference code. */
    static final double EPS = 1e-20;

    /** The 0.1.0 JSON field derived from the state, accepted and ignored (see the class comment). */
    static final String LEGACY_INITIAL_STATE = "initialState";

    /**
     * The parameters: {@code numBins} (15; [1, 1000]), {@code lambda} (1; &gt;= 0),
     * {@code gammaInitial} (1), {@code gammaMax} (20), {@code gammaMin} (-2), {@code switchPoint}
     * (0.2; &gt;= 0), and the state {@code gammas} and {@code binEdges} (absent: the initial state;
     * edges in [0, 1]).
     */
    public static final ParameterSchema SCHEMA = ParameterSchema.of(
            ParameterSpec.ofInt("numBins", 15, "number of confidence bins, each with its own gamma").between(1, 1000),
            ParameterSpec.ofDouble("lambda", 1.0, "update rate: gamma *= exp(+-lambda * gap)").atLeast(0),
            ParameterSpec.ofDouble("gammaInitial", 1.0, "gamma of every bin before the first update"),
            ParameterSpec.ofDouble("gammaMax", 20.0, "upper clip of gamma"),
            ParameterSpec.ofDouble("gammaMin", -2.0, "lower clip of gamma (negative: inverse focal)"),
            ParameterSpec.ofDouble("switchPoint", 0.2, "|gamma| below this flips to -+switchPoint").atLeast(0),
            ParameterSpec.ofDoubleArray("gammas", null, "state: the current gamma of each bin (absent: gammaInitial)"),
            ParameterSpec.ofDoubleArray("binEdges", null,
                    "state: numBins+1 non-decreasing bin edges on p_t (absent: equal width on [0, 1])")
                    .between(0, 1));

    private final int numBins;
    private final double lambda;
    private final double gammaInitial;
    private final double gammaMax;
    private final double gammaMin;
    private final double switchPoint;
    private final double[] gammas;
    private final double[] binEdges;

    /**
     * @param parameters values by name ({@link #SCHEMA}); missing ones take their defaults; a
     *                   {@code "initialState"} entry (0.1.0 JSON) is ignored
     * @throws LossConfigurationException for an unknown name, an invalid value or an inconsistent state
     */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public AdaFocalLoss(Map<String, ?> parameters) {
        super(NAME, SCHEMA, withoutInitialState(parameters));
        LossParameters p = parameterValues();
        this.numBins = p.getInt("numBins");
        this.lambda = p.getDouble("lambda");
        this.gammaInitial = p.getDouble("gammaInitial");
        this.gammaMax = p.getDouble("gammaMax");
        this.gammaMin = p.getDouble("gammaMin");
        this.switchPoint = p.getDouble("switchPoint");
        if (gammaMin > gammaMax) {
            throw new LossConfigurationException("Invalid adafocal parameters gammaMin=" + gammaMin + " > gammaMax="
                    + gammaMax + ". Must have gammaMin <= gammaMax.");
        }
        if (gammaInitial < gammaMin || gammaInitial > gammaMax) {
            throw new LossConfigurationException("Invalid value for adafocal parameter gammaInitial=" + gammaInitial
                    + ". Must lie in [gammaMin, gammaMax] = [" + gammaMin + ", " + gammaMax + "].");
        }
        double[] givenGammas = p.getDoubleArray("gammas");
        if (givenGammas == null) {
            this.gammas = initialGammas(numBins, gammaInitial);
        } else {
            if (givenGammas.length != numBins) {
                throw new LossConfigurationException("Invalid adafocal parameter gammas: " + givenGammas.length
                        + " values for numBins=" + numBins + ". Must have one gamma per bin.");
            }
            for (double g : givenGammas) {
                if (!(g >= gammaMin && g <= gammaMax)) {
                    throw new LossConfigurationException("Invalid adafocal parameter gammas=" + Arrays.toString(givenGammas)
                            + ": " + g + " is outside [gammaMin, gammaMax] = [" + gammaMin + ", " + gammaMax + "].");
                }
            }
            this.gammas = givenGammas;
        }
        double[] givenEdges = p.getDoubleArray("binEdges");
        if (givenEdges == null) {
            this.binEdges = initialEdges(numBins);
        } else {
            if (givenEdges.length != numBins + 1) {
                throw new LossConfigurationException("Invalid adafocal parameter binEdges: " + givenEdges.length
                        + " values for numBins=" + numBins + ". Must have numBins + 1 edges.");
            }
            for (int b = 1; b < givenEdges.length; b++) {
                if (givenEdges[b] < givenEdges[b - 1]) {
                    throw new LossConfigurationException("Invalid adafocal parameter binEdges="
                            + Arrays.toString(givenEdges) + ". Must be non-decreasing.");
                }
            }
            this.binEdges = givenEdges;
        }
    }

    /** The paper's defaults, initial state. */
    public AdaFocalLoss() {
        this(15, 1.0, 1.0, 20.0, -2.0, 0.2, null, null);
    }

    /**
     * @param numBins      bins, in [1, 1000]
     * @param lambda       update rate, &gt;= 0
     * @param gammaInitial initial gamma of every bin, in [gammaMin, gammaMax]
     * @param gammaMax     upper clip
     * @param gammaMin     lower clip, &lt;= gammaMax
     * @param switchPoint  &gt;= 0
     * @param gammas       state: numBins gammas in [gammaMin, gammaMax]; null for the initial state
     * @param binEdges     state: numBins + 1 non-decreasing edges in [0, 1]; null for equal width
     * @throws LossConfigurationException naming the invalid value
     */
    public AdaFocalLoss(int numBins, double lambda, double gammaInitial, double gammaMax, double gammaMin,
                        double switchPoint, double[] gammas, double[] binEdges) {
        this(ParameterSchema.valuesOf("numBins", numBins, "lambda", lambda, "gammaInitial", gammaInitial,
                "gammaMax", gammaMax, "gammaMin", gammaMin, "switchPoint", switchPoint, "gammas", gammas,
                "binEdges", binEdges));
    }

    /**
     * @return the values without the 0.1.0 field {@code initialState} and without {@code gammas} and
     * {@code binEdges} when together they are the initial state (so that the parameters, and with
     * them equality and the spec, do not depend on how the initial state was written)
     */
    private static Map<String, ?> withoutInitialState(Map<String, ?> given) {
        if (given == null) {
            return null;
        }
        Map<String, Object> values = new LinkedHashMap<>(given);
        values.remove(LEGACY_INITIAL_STATE);
        if (values.get("gammas") != null || values.get("binEdges") != null) {
            LossParameters p = SCHEMA.resolve(NAME, values);
            double[] gammas = p.getDoubleArray("gammas");
            double[] edges = p.getDoubleArray("binEdges");
            int bins = p.getInt("numBins");
            if ((gammas == null || Arrays.equals(gammas, initialGammas(bins, p.getDouble("gammaInitial"))))
                    && (edges == null || Arrays.equals(edges, initialEdges(bins)))) {
                values.remove("gammas");
                values.remove("binEdges");
            }
        }
        return values;
    }

    private static double[] initialGammas(int numBins, double gammaInitial) {
        double[] g = new double[numBins];
        Arrays.fill(g, gammaInitial);
        return g;
    }

    private static double[] initialEdges(int numBins) {
        double[] e = new double[numBins + 1];
        for (int b = 0; b <= numBins; b++) {
            e[b] = (double) b / numBins;
        }
        return e;
    }

    /** @return the number of bins */
    public int getNumBins() {
        return numBins;
    }

    /** @return the update rate */
    public double getLambda() {
        return lambda;
    }

    /** @return the initial gamma */
    public double getGammaInitial() {
        return gammaInitial;
    }

    /** @return the upper clip */
    public double getGammaMax() {
        return gammaMax;
    }

    /** @return the lower clip */
    public double getGammaMin() {
        return gammaMin;
    }

    /** @return the switch point */
    public double getSwitchPoint() {
        return switchPoint;
    }

    /** @return a copy of the per-bin gammas */
    public double[] getGammas() {
        return gammas.clone();
    }

    /** @return a copy of the numBins + 1 bin edges */
    public double[] getBinEdges() {
        return binEdges.clone();
    }

    /** @return the bin whose gamma applies to a sample with true-class probability {@code pt} */
    public int binOf(double pt) {
        int b = 0;
        for (int k = 1; k < numBins; k++) {
            if (pt >= binEdges[k]) {
                b = k;
            }
        }
        return b;
    }

    /** @return true while the state is the initial one (no update applied yet) */
    public boolean isInitialState() {
        return !parameterValues().has("gammas") && !parameterValues().has("binEdges");
    }

    /**
     * Applies one AdaFocal update (see the class comment).
     *
     * @param validationBins the validation set's equal-mass bins on top-label confidence, with
     *                       {@link #getNumBins()} bins (see
     *                       {@link io.github.lossvariants.calibration.metrics.Binning#equalMass})
     * @return a new loss with the updated gammas and the validation bins' edges
     * @throws IllegalArgumentException when the number of bins differs
     */
    public AdaFocalLoss updated(ReliabilityDiagram validationBins) {
        if (validationBins.bins() != numBins) {
            throw new IllegalArgumentException("AdaFocal has " + numBins + " bins, the validation diagram "
                    + validationBins.bins());
        }
        double[] next = new double[numBins];
        for (int b = 0; b < numBins; b++) {
            double prev = gammas[b];
            double gap = validationBins.gap(b);
            double g = prev > 0 ? prev * Math.exp(lambda * gap) : prev * Math.exp(-lambda * gap);
            if (Math.abs(g) < switchPoint) {
                g = g > 0 ? -switchPoint : switchPoint;
            }
            next[b] = Math.max(gammaMin, Math.min(gammaMax, g));
        }
        double[] edges = validationBins.edges();
        for (int b = 0; b < edges.length; b++) {
            edges[b] = Math.max(0, Math.min(1, edges[b]));
        }
        return new AdaFocalLoss(numBins, lambda, gammaInitial, gammaMax, gammaMin, switchPoint, next, edges);
    }

    @Override
    protected void computeTargetTerms(TargetRows rows, INDArray rowLoss, INDArray dLogPt) {
        INDArray pt = rows.pt();
        DataType t = pt.dataType();
        // signed gamma per row: gamma_0 + sum_b [p_t >= edge_b] (gamma_b - gamma_b-1)
        INDArray g = Nd4j.valueArrayOf(pt.shape(), gammas[0], t);
        for (int b = 1; b < numBins; b++) {
            double step = gammas[b] - gammas[b - 1];
            if (step != 0) {
                g.addi(pt.gte(binEdges[b]).castTo(t).muli(step));
            }
        }
        INDArray inverse = g.lt(0).castTo(t);
        FocalTerms.write(rows.logPt(), pt, null, Transforms.abs(g, false), 0, inverse, EPS,
                rowLoss, dLogPt);
    }
}
