package io.github.lossvariants.calibration.scaling;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A fitted post-hoc calibration map applied to a network's outputs. Implementations are immutable
 * and never write into their arguments.
 *
 * @since 0.1.0
 */
public interface ProbabilityCalibrator {

    /**
     * @param logits {@code [N, K]} pre-activations of the output layer
     * @return calibrated probabilities, a new {@code [N, K]} array of the same data type
     */
    INDArray calibrateLogits(INDArray logits);

    /**
     * @param probabilities {@code [N, K]} outputs of the network (softmax or sigmoid)
     * @return calibrated probabilities, a new array of the same data type
     */
    INDArray calibrateProbabilities(INDArray probabilities);
}
