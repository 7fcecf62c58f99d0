package io.github.lossvariants.tversky;

import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.lossfunctions.ILossFunction;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Central finite differences of computeScore(average=false) against computeGradient, in double. */
final class FiniteDifferences {
    private FiniteDifferences() {
    }

    static void check(ILossFunction loss, INDArray labels, INDArray logits, IActivation act, INDArray mask) {
        INDArray grad = loss.computeGradient(labels, logits, act, mask);
        double h = 1e-6;
        double worst = 0;
        for (long i = 0; i < logits.length(); i++) {
            INDArray plus = logits.dup();
            plus.putScalar(i, plus.getDouble(i) + h);
            INDArray minus = logits.dup();
            minus.putScalar(i, minus.getDouble(i) - h);
            double num = (loss.computeScore(labels, plus, act, mask, false)
                    - loss.computeScore(labels, minus, act, mask, false)) / (2 * h);
            double an = grad.getDouble(i);
            if (mask != null && mask.length() == logits.length() && mask.getDouble(i) == 0) {
                // masked outputs get no gradient: for sigmoid and for whole masked softmax rows (the only
                // per-output masks softmax losses accept) that is also the exact derivative
                assertTrue(an == 0.0, "element " + i + " is masked but has gradient " + an);
                continue;
            }
            double err = Math.abs(num - an) / Math.max(1e-3, Math.abs(num) + Math.abs(an));
            worst = Math.max(worst, err);
            assertTrue(err < 1e-5, "element " + i + ": analytic " + an + " vs numeric " + num + " (" + loss.name() + ")");
        }
        assertTrue(Double.isFinite(worst));
    }
}
