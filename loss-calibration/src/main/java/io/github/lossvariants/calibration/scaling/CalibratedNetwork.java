package io.github.lossvariants.calibration.scaling;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A trained {@link MultiLayerNetwork} with a post-hoc calibration map applied to its output
 * probabilities: {@code output(x) = calibrator.calibrateProbabilities(net.output(x))}. The network
 * is not modified (its saved form stays the uncalibrated model; keep the calibrator's parameters,
 * e.g. T, alongside it).
 *
 * <pre>{@code
 * TemperatureScaling ts = TemperatureScaling.fitOnProbabilities(net.output(valX), valY);
 * CalibratedNetwork calibrated = new CalibratedNetwork(net, ts);
 * INDArray p = calibrated.output(testX);
 * }</pre>
 *
 * @since 0.1.0
 */
public final class CalibratedNetwork {
    private final MultiLayerNetwork network;
    private final ProbabilityCalibrator calibrator;

    /**
     * @param network    a trained network with a softmax (temperature scaling) or sigmoid (Platt) output; not null
     * @param calibrator the fitted map; not null
     */
    public CalibratedNetwork(MultiLayerNetwork network, ProbabilityCalibrator calibrator) {
        if (network == null || calibrator == null) {
            throw new IllegalArgumentException("network and calibrator must not be null");
        }
        this.network = network;
        this.calibrator = calibrator;
    }

    /** @return calibrated probabilities for the features (inference mode) */
    public INDArray output(INDArray features) {
        return calibrator.calibrateProbabilities(network.output(features, false));
    }

    /** @return the wrapped network */
    public MultiLayerNetwork network() {
        return network;
    }

    /** @return the calibration map */
    public ProbabilityCalibrator calibrator() {
        return calibrator;
    }
}
