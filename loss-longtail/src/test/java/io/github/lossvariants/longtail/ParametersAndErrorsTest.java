package io.github.lossvariants.longtail;

import io.github.lossvariants.api.LossConfigurationException;
import io.github.lossvariants.api.LossFunction;
import io.github.lossvariants.api.LossRegistry;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.ILossFunction;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Registry names, spec strings, defaults and the messages of configuration mistakes. */
class ParametersAndErrorsTest {
    private static final LossRegistry REGISTRY = LossRegistry.discover();

    @Test
    void everyLossIsRegisteredAndItsSpecRoundTrips() {
        List<LossFunction> losses = List.of(new ClassBalancedLoss(new double[]{5, 3}),
                new ClassBalancedLoss(new double[]{5, 3}, ClassBalancedLoss.Base.SOFTMAX, 0.9, null),
                new LdamLoss(new double[]{5, 3}, 0.4, 16, new double[]{0.5, 1.5}),
                new BalancedSoftmaxLoss(new double[]{5, 3}, 0.75), PolyLoss.defaults(), new PolyFocalLoss(-1, 1, 0.25),
                new DistributionBalancedLoss(new double[]{5, 3}, 10), TwoWayLoss.defaults());
        for (LossFunction l : losses) {
            assertTrue(REGISTRY.names().contains(l.registryName()), l.registryName());
            assertEquals(l, REGISTRY.create(l.spec()), l.spec());
        }
        assertEquals("class-balanced(classCounts=[5, 3], beta=0.9999, baseLoss=focal)",
                new ClassBalancedLoss(new double[]{5, 3}).spec());
        assertEquals(new ClassBalancedLoss(new double[]{10, 2}, ClassBalancedLoss.Base.SIGMOID, 0.99, null),
                REGISTRY.create("class-balanced(classCounts=[10, 2], baseLoss=sigmoid, beta=0.99)"));
        assertEquals(2.0, new ClassBalancedLoss(new double[]{5, 3}).getGamma(), 0.0);
        assertEquals("ldam(classCounts=[5, 3], maxMargin=0.5, scale=30)", new LdamLoss(new double[]{5, 3}).spec());
        assertEquals("two-way(tp=4, tn=1)", TwoWayLoss.defaults().spec());
    }

    @Test
    void classCountsAreRequiredAndPositive() {
        for (String name : new String[]{"class-balanced", "ldam", "balanced-softmax", "distribution-balanced"}) {
            LossConfigurationException e = assertThrows(LossConfigurationException.class, () -> REGISTRY.create(name));
            assertTrue(e.getMessage().contains("'classCounts' is required"), e.getMessage());
        }
        LossConfigurationException e = assertThrows(LossConfigurationException.class,
                () -> REGISTRY.create("ldam(classCounts=[10, 0, 3])"));
        assertTrue(e.getMessage().contains("classCounts") && e.getMessage().contains("element 1 is 0"), e.getMessage());
        e = assertThrows(LossConfigurationException.class,
                () -> REGISTRY.create("distribution-balanced(classCounts=[10, 3])"));
        assertTrue(e.getMessage().contains("'trainNum' is required"), e.getMessage());
    }

    @Test
    void aCountPerClassMismatchNamesBothLengths() {
        IActivation softmax = new ActivationSoftmax();
        IActivation sigmoid = new ActivationSigmoid();
        double[] three = {30, 20, 10};
        List<ILossFunction> softmaxLosses = List.of(new LdamLoss(three),
                new BalancedSoftmaxLoss(three), new ClassBalancedLoss(three, ClassBalancedLoss.Base.SOFTMAX, 0.9, null));
        for (ILossFunction l : softmaxLosses) {
            assertMismatch(l, softmax);
        }
        assertMismatch(new ClassBalancedLoss(three), sigmoid);
        LossConfigurationException e = assertThrows(LossConfigurationException.class,
                () -> new LdamLoss(new double[]{30, 20, 10, 5}, 0.5, 30, new double[]{1, 1, 1}).computeScore(
                        Nd4j.zeros(DataType.FLOAT, 2, 4), Nd4j.zeros(DataType.FLOAT, 2, 4), softmax, null, false));
        assertTrue(e.getMessage().startsWith("ldam: classWeights has 3 entries"), e.getMessage());
    }

    private static void assertMismatch(ILossFunction loss, IActivation act) {
        LossConfigurationException e = assertThrows(LossConfigurationException.class, () -> loss.computeGradient(
                Nd4j.zeros(DataType.FLOAT, 2, 5), Nd4j.zeros(DataType.FLOAT, 2, 5), act, null));
        String name = ((LossFunction) loss).registryName();
        assertTrue(e.getMessage().startsWith(name + ": classCounts has 3 entries [30.0, 20.0, 10.0] but the output has 5"
                + " classes (nOut = 5)"), e.getMessage());
    }

    @Test
    void classBalancedChoicesAndGamma() {
        LossConfigurationException e = assertThrows(LossConfigurationException.class,
                () -> REGISTRY.create("class-balanced(classCounts=[3, 1], baseLoss=sigmoid, gamma=2)"));
        assertTrue(e.getMessage().contains("gamma=2.0 applies only to baseLoss=focal, but baseLoss=sigmoid"),
                e.getMessage());
        e = assertThrows(LossConfigurationException.class,
                () -> REGISTRY.create("class-balanced(classCounts=[3, 1], baseLoss=hinge)"));
        assertTrue(e.getMessage().contains("{sigmoid, focal, softmax}"), e.getMessage());
        e = assertThrows(LossConfigurationException.class,
                () -> REGISTRY.create("class-balanced(classCounts=[3, 1], beta=1.5)"));
        assertTrue(e.getMessage().contains("beta") && e.getMessage().contains("[0, 1]"), e.getMessage());
    }

    @Test
    void activationMistakesNameTheAlternative() {
        ILossFunction cbFocal = new ClassBalancedLoss(new double[]{3, 1});
        LossConfigurationException e = assertThrows(LossConfigurationException.class, () -> cbFocal.computeScore(
                Nd4j.createFromArray(new float[][]{{1, 0}}), Nd4j.zeros(DataType.FLOAT, 1, 2), new ActivationSoftmax(),
                null, false));
        assertTrue(e.getMessage().startsWith("class-balanced is defined on logits through a sigmoid")
                && e.getMessage().contains("baseLoss=softmax"), e.getMessage());
        ILossFunction ldam = new LdamLoss(new double[]{3, 1});
        e = assertThrows(LossConfigurationException.class, () -> ldam.computeScore(
                Nd4j.createFromArray(new float[][]{{1, 0}}), Nd4j.zeros(DataType.FLOAT, 1, 2), new ActivationSigmoid(),
                null, false));
        assertTrue(e.getMessage().startsWith("ldam is defined on logits through a softmax"), e.getMessage());
    }

    @Test
    void constructorsAndRegistryAgree() {
        assertEquals(REGISTRY.create("poly-focal", Map.of("epsilon", -1, "gamma", 1, "alpha", 0.25)),
                new PolyFocalLoss(-1, 1, 0.25));
        assertEquals(REGISTRY.create("balanced-softmax(classCounts=[4, 2], tau=1/2)"),
                new BalancedSoftmaxLoss(new double[]{4, 2}, 0.5));
        assertEquals(REGISTRY.create("poly(epsilon=-1)"), new PolyLoss(-1));
        LossConfigurationException e = assertThrows(LossConfigurationException.class,
                () -> REGISTRY.create("poly(epsilon=-2)"));
        assertTrue(e.getMessage().contains("epsilon") && e.getMessage().contains(">= -1"), e.getMessage());
    }
}
