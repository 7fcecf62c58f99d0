package io.github.lossvariants.focal;

import io.github.lossvariants.api.LossConfigurationException;
import io.github.lossvariants.api.LossRegistry;
import io.github.lossvariants.api.baseline.BinaryCrossEntropyLoss;
import io.github.lossvariants.api.baseline.CrossEntropyLoss;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Every path (constructor, builder, registry spec string, registry map) rejects bad values with the same text. */
class ParameterValidationTest {
    private static final LossRegistry REGISTRY = LossRegistry.discover();

    private static void assertMessage(String expected, Executable call) {
        LossConfigurationException e = assertThrows(LossConfigurationException.class, call);
        assertEquals(expected, e.getMessage());
    }

    @Test
    void negativeGammaIsRejectedOnEveryPath() {
        String focal = "loss 'focal': invalid value for parameter gamma=-1. Must be finite and >= 0.";
        assertMessage(focal, () -> new FocalLoss(-1.0, null));
        assertMessage(focal, () -> FocalLoss.builder().gamma(-1).build());
        assertMessage(focal, () -> REGISTRY.create("focal(gamma=-1)"));
        assertMessage(focal, () -> REGISTRY.create("focal", Map.of("gamma", -1.0)));
        String softmax = "loss 'softmax-focal': invalid value for parameter gamma=-1. Must be finite and >= 0.";
        assertMessage(softmax, () -> new SoftmaxFocalLoss(-1.0, null));
        assertMessage(softmax, () -> SoftmaxFocalLoss.builder().gamma(-1).build());
        assertMessage(softmax, () -> REGISTRY.create("softmax-focal(gamma=-1)"));
    }

    @Test
    void nonFiniteGammaIsRejected() {
        assertMessage("loss 'focal': invalid value for parameter gamma=NaN. Must be finite and >= 0.",
                () -> new FocalLoss(Double.NaN, null));
        assertMessage("loss 'focal': invalid value for parameter gamma=Infinity. Must be finite and >= 0.",
                () -> new FocalLoss(Double.POSITIVE_INFINITY, null));
        assertMessage("loss 'softmax-focal': invalid value for parameter gamma=Infinity. Must be finite and >= 0.",
                () -> REGISTRY.create("softmax-focal", Map.of("gamma", Double.POSITIVE_INFINITY)));
    }

    @Test
    void alphaOutsideUnitIntervalIsRejected() {
        String msg = "loss 'focal': invalid value for parameter alpha=1.5. Must be finite and [0, 1].";
        assertMessage(msg, () -> new FocalLoss(2.0, 1.5));
        assertMessage(msg, () -> FocalLoss.builder().alpha(1.5).build());
        assertMessage(msg, () -> REGISTRY.create("focal(gamma=2, alpha=1.5)"));
        assertMessage("loss 'focal': invalid value for parameter alpha=-0.25. Must be finite and [0, 1].",
                () -> REGISTRY.create("focal", Map.of("alpha", -0.25)));
    }

    @Test
    void classWeightsMustBePositiveAndFinite() {
        String msg = "loss 'softmax-focal': invalid value for parameter classWeights=[1, -1]: element 1 is -1,"
                + " every element must be finite and > 0";
        assertMessage(msg, () -> new SoftmaxFocalLoss(2.0, new double[]{1, -1}));
        assertMessage(msg, () -> SoftmaxFocalLoss.builder().classWeights(1, -1).build());
        assertMessage(msg, () -> REGISTRY.create("softmax-focal(classWeights=[1, -1])"));
        assertMessage(msg, () -> REGISTRY.create("softmax-focal", Map.of("classWeights", List.of(1, -1))));
        assertMessage("loss 'softmax-focal': invalid value for parameter classWeights=[1, Infinity]: element 1 is"
                        + " Infinity, every element must be finite and > 0",
                () -> new SoftmaxFocalLoss(2.0, new double[]{1, Double.POSITIVE_INFINITY}));
    }

    @Test
    void classWeightsLengthIsCheckedAtUseNamingBothLengths() {
        SoftmaxFocalLoss loss = new SoftmaxFocalLoss(2.0, new double[]{1, 2, 3, 4});
        var labels = Nd4j.zeros(DataType.DOUBLE, 2, 5);
        var logits = Nd4j.zeros(DataType.DOUBLE, 2, 5);
        assertMessage("softmax-focal: classWeights has 4 entries but the output has 5 classes (nOut = 5);"
                        + " give exactly one weight per class",
                () -> loss.computeScore(labels, logits, new ActivationSoftmax(), null, false));
    }

    @Test
    void baselineParametersAreValidated() {
        assertMessage("loss 'bce': invalid value for parameter clipEps=0.5. Must be finite and [0, 0.5).",
                () -> new BinaryCrossEntropyLoss(null, 0.5));
        assertMessage("loss 'bce': invalid value for parameter clipEps=0.5. Must be finite and [0, 0.5).",
                () -> REGISTRY.create("bce(clipEps=0.5)"));
        assertMessage("loss 'ce': invalid value for parameter weights=[1, -2]: element 1 is -2, every element must be finite and >= 0",
                () -> CrossEntropyLoss.weighted(1, -2));
        assertMessage("loss 'ce': invalid value for parameter weights=[1, -2]: element 1 is -2, every element must be finite and >= 0",
                () -> REGISTRY.create("ce(weights=[1, -2])"));
        BinaryCrossEntropyLoss bce = BinaryCrossEntropyLoss.weighted(1, 2);
        assertMessage("bce: weights has 2 entries but the output has 3 columns (nOut = 3); give exactly one weight per output",
                () -> bce.computeScoreArray(Nd4j.zeros(DataType.FLOAT, 4, 3), Nd4j.zeros(DataType.FLOAT, 4, 3),
                        new org.nd4j.linalg.activations.impl.ActivationSigmoid(), null));
    }

    @Test
    void unknownParameterNamesTheLikelyTypo() {
        assertMessage("Unknown parameter 'gama' for loss 'focal'. Did you mean 'gamma'? Allowed: gamma, alpha.",
                () -> REGISTRY.create("focal(gama=2)"));
    }

    @Test
    void boundaryValuesAreAccepted() {
        assertEquals(0.0, new FocalLoss(0.0, 0.0).getGamma());
        assertEquals(1.0, new FocalLoss(0.0, 1.0).getAlpha());
        assertEquals(0.0, new BinaryCrossEntropyLoss(null, 0.0).getClipEps());
        assertEquals(0.0, new SoftmaxFocalLoss(0.0, null).getGamma());
    }
}
