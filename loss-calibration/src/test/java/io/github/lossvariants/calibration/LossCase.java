package io.github.lossvariants.calibration;

import io.github.lossvariants.api.LossFunction;
import org.nd4j.linalg.activations.Activation;

import java.util.List;
import java.util.function.BiFunction;

/** A loss under test with its activation, label kind and independent reference. */
final class LossCase {
    final String id;
    final LossFunction loss;
    final Activation activation;
    final boolean oneHot;
    /** per-row reference values (null when only a batch total exists) */
    final BiFunction<double[], double[], Double> rowReference;
    /** whether per-output masks are supported */
    final boolean perOutputMask;
    /** whether rows are independent (per-row score is that row's loss) */
    final boolean rowwise;

    LossCase(String id, LossFunction loss, Activation activation, boolean oneHot,
             BiFunction<double[], double[], Double> rowReference, boolean perOutputMask, boolean rowwise) {
        this.id = id;
        this.loss = loss;
        this.activation = activation;
        this.oneHot = oneHot;
        this.rowReference = rowReference;
        this.perOutputMask = perOutputMask;
        this.rowwise = rowwise;
    }

    @Override
    public String toString() {
        return id;
    }

    static AdaFocalLoss updatedAdaFocal() {
        // a state with negative (inverse-focal) and positive gammas and uneven edges
        double[] gammas = {-1.5, -0.2, 0.2, 2.0, 4.0};
        double[] edges = {0.0, 0.15, 0.3, 0.5, 0.7, 1.0};
        return new AdaFocalLoss(5, 1.0, 1.0, 20.0, -2.0, 0.2, gammas, edges);
    }

    static List<LossCase> all() {
        AdaFocalLoss ada = updatedAdaFocal();
        AdaFocalLoss ada0 = new AdaFocalLoss();
        return List.of(
                new LossCase("focal-adaptive", new AdaptiveFocalLoss(3.0), Activation.SOFTMAX, true,
                        (z, y) -> Reference.flsd(z, y, 3.0), true, true),
                new LossCase("focal-adaptive-g0.5", new AdaptiveFocalLoss(0.5), Activation.SOFTMAX, true,
                        (z, y) -> Reference.flsd(z, y, 0.5), true, true),
                new LossCase("focal-adaptive-sigmoid", new SigmoidAdaptiveFocalLoss(3.0), Activation.SIGMOID, false,
                        (z, y) -> Reference.flsdSigmoid(z, y, 3.0), true, true),
                new LossCase("focal-adaptive-sigmoid-g0.5", new SigmoidAdaptiveFocalLoss(0.5), Activation.SIGMOID,
                        false, (z, y) -> Reference.flsdSigmoid(z, y, 0.5), true, true),
                new LossCase("dual-focal", new DualFocalLoss(5.0), Activation.SOFTMAX, true,
                        (z, y) -> Reference.dual(z, y, 5.0), true, true),
                new LossCase("dual-focal-g0.5", new DualFocalLoss(0.5), Activation.SOFTMAX, true,
                        (z, y) -> Reference.dual(z, y, 0.5), true, true),
                new LossCase("adafocal-initial", ada0, Activation.SOFTMAX, true,
                        (z, y) -> Reference.adafocal(z, y, ada0.getGammas(), ada0.getBinEdges()), true, true),
                new LossCase("adafocal-updated", ada, Activation.SOFTMAX, true,
                        (z, y) -> Reference.adafocal(z, y, ada.getGammas(), ada.getBinEdges()), true, true),
                new LossCase("label-smoothing", new LabelSmoothingLoss(0.1), Activation.SOFTMAX, true,
                        (z, y) -> Reference.labelSmoothing(z, y, 0.1), true, true),
                new LossCase("focal-label-smoothing", new FocalLabelSmoothingLoss(3.0, 0.1), Activation.SOFTMAX, true,
                        (z, y) -> Reference.focalLabelSmoothing(z, y, 3.0, 0.1), true, true),
                new LossCase("focal-label-smoothing-g0.5", new FocalLabelSmoothingLoss(0.5, 0.2), Activation.SOFTMAX,
                        true, (z, y) -> Reference.focalLabelSmoothing(z, y, 0.5, 0.2), true, true),
                new LossCase("mbls", new MarginPenaltyLoss(1.0, 0.3), Activation.SOFTMAX, true,
                        (z, y) -> Reference.mbls(z, 1.0, 0.3), true, true),
                new LossCase("mdca-softmax", new MdcaLoss(1.5), Activation.SOFTMAX, true, null, true, false),
                new LossCase("mdca-sigmoid", new MdcaLoss(1.0), Activation.SIGMOID, false, null, false, false));
    }
}
