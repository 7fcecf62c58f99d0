package io.github.lossvariants.it.robust;

import io.github.lossvariants.api.LossRegistry;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Run by {@link CheckInputsOptionTest} in a JVM started with -Dlossvariants.checkInputs=false. */
public final class CheckInputsOffMain {
    private CheckInputsOffMain() {
    }

    public static void main(String[] args) {
        INDArray y = Nd4j.createFromArray(new double[][]{{1, 0}, {0, 1}});
        INDArray z = Nd4j.createFromArray(new double[][]{{Double.NaN, 1}, {0.5, -1}});
        double s = LossRegistry.discover().create("focal").computeScore(y, z, new ActivationSigmoid(), null, false);
        // shapes are still checked with the value checks off
        String shape;
        try {
            LossRegistry.discover().create("focal").computeScore(y, Nd4j.ones(2, 3), new ActivationSigmoid(), null, false);
            shape = "accepted";
        } catch (RuntimeException e) {
            shape = e.getClass().getSimpleName();
        }
        System.out.println("RESULT score=" + s + " shape=" + shape);
    }
}
