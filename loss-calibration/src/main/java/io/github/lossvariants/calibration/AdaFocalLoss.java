package io.github.lossvariants.calibration;

import io.github.lossvariants.api.LossConfigurationException;
import io.github.lossvariants.api.dl4j.OneHotSoftmaxLoss;
import io.github.lossvariants.calibration.internal.AdaFocalProvider;
import io.github.lossvariants.calibration.internal.FocalTerms;
import io.github.lossvariants.calibration.internal.Params;
import io.github.lossvariants.calibration.metrics.ReliabilityDiagram;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
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
 * @since 0.1.0
 */
public final class AdaFocalLoss extends OneHotSoftmaxLoss {
    private static final long serialVersionUID = 1L;
    /** Registry name. */
    public static final String NAME = "adafocal";
    /** Added to the base as in the reference code. */
    static final double EPS = 1e-20;

    @JsonProperty("numBins")
    private final int numBins;
    @JsonProperty("lambda")
    private final double lambda;
    @JsonProperty("gammaInitial")
    private final double gammaInitial;
    @JsonProperty("gammaMax")
    private final double gammaMax;
    @JsonProperty("gammaMin")
    private final double gammaMin;
    @JsonProperty("switchPoint")
    private final double switchPoint;
    @JsonProperty("gammas")
    private final double[] gammas;
    @JsonProperty("binEdges")
    private final double[] binEdges;

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
    @JsonCreator
    public AdaFocalLoss(@JsonProperty("numBins") int numBins, @JsonProperty("lambda") double lambda,
                        @JsonProperty("gammaInitial") double gammaInitial, @JsonProperty("gammaMax") double gammaMax,
                        @JsonProperty("gammaMin") double gammaMin, @JsonProperty("switchPoint") double switchPoint,
                        @JsonProperty("gammas") double[] gammas, @JsonProperty("binEdges") double[] binEdges) {
        Params.check(AdaFocalProvider.SCHEMA, NAME, "numBins", numBins);
        Params.check(AdaFocalProvider.SCHEMA, NAME, "lambda", lambda);
        Params.check(AdaFocalProvider.SCHEMA, NAME, "gammaInitial", gammaInitial);
        Params.check(AdaFocalProvider.SCHEMA, NAME, "gammaMax", gammaMax);
        Params.check(AdaFocalProvider.SCHEMA, NAME, "gammaMin", gammaMin);
        Params.check(AdaFocalProvider.SCHEMA, NAME, "switchPoint", switchPoint);
        if (gammaMin > gammaMax) {
            throw new LossConfigurationException("Invalid adafocal parameters gammaMin=" + gammaMin + " > gammaMax="
                    + gammaMax + ". Must have gammaMin <= gammaMax.");
        }
        if (gammaInitial < gammaMin || gammaInitial > gammaMax) {
            throw new LossConfigurationException("Invalid value for adafocal parameter gammaInitial=" + gammaInitial
                    + ". Must lie in [gammaMin, gammaMax] = [" + gammaMin + ", " + gammaMax + "].");
        }
        this.numBins = numBins;
        this.lambda = lambda;
        this.gammaInitial = gammaInitial;
        this.gammaMax = gammaMax;
        this.gammaMin = gammaMin;
        this.switchPoint = switchPoint;
        if (gammas == null) {
            this.gammas = new double[numBins];
            Arrays.fill(this.gammas, gammaInitial);
        } else {
            Params.check(AdaFocalProvider.SCHEMA, NAME, "gammas", gammas);
            if (gammas.length != numBins) {
                throw new LossConfigurationException("Invalid adafocal parameter gammas: " + gammas.length
                        + " values for numBins=" + numBins + ". Must have one gamma per bin.");
            }
            for (double g : gammas) {
                if (!(g >= gammaMin && g <= gammaMax)) {
                    throw new LossConfigurationException("Invalid adafocal parameter gammas=" + Arrays.toString(gammas)
                            + ": " + g + " is outside [gammaMin, gammaMax] = [" + gammaMin + ", " + gammaMax + "].");
                }
            }
            this.gammas = gammas.clone();
        }
        if (binEdges == null) {
            this.binEdges = new double[numBins + 1];
            for (int b = 0; b <= numBins; b++) {
                this.binEdges[b] = (double) b / numBins;
            }
        } else {
            Params.check(AdaFocalProvider.SCHEMA, NAME, "binEdges", binEdges);
            if (binEdges.length != numBins + 1) {
                throw new LossConfigurationException("Invalid adafocal parameter binEdges: " + binEdges.length
                        + " values for numBins=" + numBins + ". Must have numBins + 1 edges.");
            }
            for (int b = 1; b < binEdges.length; b++) {
                if (binEdges[b] < binEdges[b - 1]) {
                    throw new LossConfigurationException("Invalid adafocal parameter binEdges="
                            + Arrays.toString(binEdges) + ". Must be non-decreasing.");
                }
            }
            this.binEdges = binEdges.clone();
        }
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
        return equals(new AdaFocalLoss(numBins, lambda, gammaInitial, gammaMax, gammaMin, switchPoint, null, null));
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
        FocalTerms.write(rows.logPt(), pt, null, org.nd4j.linalg.ops.transforms.Transforms.abs(g, false), 0, inverse, EPS,
                rowLoss, dLogPt);
    }

    @Override
    public String registryName() {
        return NAME;
    }

    /** @return all parameters; {@code gammas} and {@code binEdges} only once the state left its initial value */
    @Override
    public Map<String, Object> parameters() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("numBins", numBins);
        m.put("lambda", lambda);
        m.put("gammaInitial", gammaInitial);
        m.put("gammaMax", gammaMax);
        m.put("gammaMin", gammaMin);
        m.put("switchPoint", switchPoint);
        if (!isInitialState()) {
            m.put("gammas", list(gammas));
            m.put("binEdges", list(binEdges));
        }
        return Collections.unmodifiableMap(m);
    }

    private static List<Double> list(double[] a) {
        List<Double> l = new ArrayList<>(a.length);
        for (double d : a) {
            l.add(d);
        }
        return Collections.unmodifiableList(l);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof AdaFocalLoss)) {
            return false;
        }
        AdaFocalLoss a = (AdaFocalLoss) o;
        return a.numBins == numBins && Double.compare(a.lambda, lambda) == 0
                && Double.compare(a.gammaInitial, gammaInitial) == 0 && Double.compare(a.gammaMax, gammaMax) == 0
                && Double.compare(a.gammaMin, gammaMin) == 0 && Double.compare(a.switchPoint, switchPoint) == 0
                && Arrays.equals(a.gammas, gammas) && Arrays.equals(a.binEdges, binEdges);
    }

    @Override
    public int hashCode() {
        int h = NAME.hashCode();
        h = 31 * h + numBins;
        h = 31 * h + Double.hashCode(lambda);
        h = 31 * h + Double.hashCode(gammaInitial);
        h = 31 * h + Double.hashCode(gammaMax);
        h = 31 * h + Double.hashCode(gammaMin);
        h = 31 * h + Double.hashCode(switchPoint);
        h = 31 * h + Arrays.hashCode(gammas);
        return 31 * h + Arrays.hashCode(binEdges);
    }
}
