package io.github.lossvariants.testkit;

import io.github.lossvariants.api.LossConfigurationException;
import io.github.lossvariants.api.internal.LossInputs;
import io.github.lossvariants.testkit.Fixtures.Result;
import io.github.lossvariants.testkit.Fixtures.Tol;
import org.deeplearning4j.nn.conf.layers.CnnLossLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.ILossFunction;

import java.util.Random;

import static io.github.lossvariants.testkit.Fixtures.SEED;
import static io.github.lossvariants.testkit.Fixtures.flat;
import static io.github.lossvariants.testkit.Fixtures.msg;
import static io.github.lossvariants.testkit.Fixtures.nameOf;
import static io.github.lossvariants.testkit.Fixtures.rowsPerExample;
import static org.junit.jupiter.api.Assertions.fail;

/** Mask semantics, and the rejection of softmax masks that differ within a row. Implementation of {@link LossChecks}. */
final class MaskChecks {
    private MaskChecks() {
    }

    // ------------------------------------------------------------------ masks

    /** Implements {@link LossChecks#assertMasksZeroWhatTheyMask}. */
    static void assertMasksZeroWhatTheyMask(ILossFunction loss, INDArray labels, INDArray preOutput,
                                                   IActivation act) {
        assertMasksZeroWhatTheyMask(loss, labels, preOutput, act, true);
    }

    /** Implements {@link LossChecks#assertMasksZeroWhatTheyMask}. */
    static void assertMasksZeroWhatTheyMask(ILossFunction loss, INDArray labels, INDArray preOutput,
                                                   IActivation act, boolean perOutput) {
        String check = "masks";
        DataType type = preOutput.dataType();
        Tol tol = Tol.of(type);
        long rows = preOutput.size(0);
        long nOut = preOutput.size(1);
        long k = rowsPerExample(loss);
        if (rows % k != 0) {
            fail(msg(check, loss, rows + " rows are not a multiple of rowsPerExample " + k));
        }
        long examples = rows / k;
        boolean[] maskedRow = new boolean[(int) rows];
        for (int r = 0; r < rows; r++) {
            long e = r / k;
            maskedRow[r] = examples == 1 || e % 2 == 1;
        }
        INDArray y = labels.castTo(type).dup('c');
        INDArray z = preOutput.dup('c');

        // no mask vs all-ones masks
        Result none = Result.of(loss, y, z, act, null);
        Result onesRow = Result.of(loss, y, z, act, Nd4j.ones(type, rows, 1));
        none.assertSame(check, loss, "all-ones [rows,1] mask vs no mask", onesRow, tol);
        if (perOutput) {
            Result onesOut = Result.of(loss, y, z, act, Nd4j.ones(type, rows, nOut));
            none.assertSame(check, loss, "all-ones labels-shaped mask vs no mask", onesOut, tol);
        }

        // per-row mask
        INDArray rowMask = Nd4j.ones(type, rows, 1);
        for (int r = 0; r < rows; r++) {
            if (maskedRow[r]) {
                rowMask.putScalar(r, 0, 0.0);
            }
        }
        assertRowMasking(check + " [rows,1]", loss, y, z, act, rowMask, maskedRow, tol);

        if (!perOutput) {
            return;
        }
        if (act instanceof ActivationSoftmax) {
            // softmax couples a row's outputs: only whole rows may be masked, and then a labels-shaped
            // mask is the per-row mask it equals
            INDArray rowsMask = Nd4j.ones(type, rows, nOut);
            for (int r = 0; r < rows; r++) {
                if (maskedRow[r]) {
                    rowsMask.getRow(r).assign(0.0);
                }
            }
            Result perRow = Result.of(loss, y, z, act, rowMask);
            perRow.assertSame(check + " labels-shaped (softmax, whole rows)", loss,
                    "a labels-shaped mask of whole rows vs the same [rows,1] mask", Result.of(loss, y, z, act, rowsMask),
                    tol);
            assertRowMasking(check + " labels-shaped (softmax, whole rows)", loss, y, z, act, rowsMask, maskedRow, tol);
            return;
        }
        String what = check + " labels-shaped (sigmoid)";
        INDArray outMask = Nd4j.ones(type, rows, nOut);
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < nOut; c++) {
                if ((r + c) % 3 == 0) {
                    outMask.putScalar(r, c, 0.0);
                }
            }
        }
        Result base = Result.of(loss, y, z, act, outMask);
        double[] g = flat(base.gradient);
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < nOut; c++) {
                if ((r + c) % 3 == 0 && !(Math.abs(g[(int) (r * nOut + c)]) <= tol.zero)) {
                    fail(msg(what, loss, "gradient at masked element [" + r + ", " + c + "] is "
                            + g[(int) (r * nOut + c)] + ", expected 0 (DL4J's output layers zero masked"
                            + " pre-activations in the forward pass and use the loss's gradient unmasked)"));
                }
            }
        }
        INDArray y2 = y.dup('c');
        INDArray z2 = z.dup('c');
        Random rng = new Random(SEED);
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < nOut; c++) {
                if ((r + c) % 3 == 0) {
                    y2.putScalar(r, c, 1.0 - y.getDouble(r, c));
                    z2.putScalar(r, c, z.getDouble(r, c) + 1.0 + 2.0 * rng.nextGaussian());
                }
            }
        }
        Result changed = Result.of(loss, y2, z2, act, outMask);
        base.assertSame(what, loss, "changing masked elements' labels and logits changed the result", changed, tol);
    }

    private static void assertRowMasking(String check, ILossFunction loss, INDArray y, INDArray z, IActivation act,
                                         INDArray mask, boolean[] maskedRow, Tol tol) {
        Result base = Result.of(loss, y, z, act, mask);
        double[] sa = flat(base.scoreArray);
        double[] g = flat(base.gradient);
        long nOut = z.size(1);
        for (int r = 0; r < maskedRow.length; r++) {
            if (!maskedRow[r]) {
                continue;
            }
            if (!(Math.abs(sa[r]) <= tol.zero)) {
                fail(msg(check, loss, "computeScoreArray[" + r + "] of a masked row is " + sa[r] + ", expected 0"));
            }
            for (int c = 0; c < nOut; c++) {
                double v = g[(int) (r * nOut + c)];
                if (!(Math.abs(v) <= tol.zero)) {
                    fail(msg(check, loss, "gradient[" + r + ", " + c + "] of a masked row is " + v + ", expected 0"));
                }
            }
        }
        INDArray y2 = y.dup('c');
        INDArray z2 = z.dup('c');
        Random rng = new Random(SEED);
        for (int r = 0; r < maskedRow.length; r++) {
            if (!maskedRow[r]) {
                continue;
            }
            for (int c = 0; c < nOut; c++) {
                y2.putScalar(r, c, y.getDouble(r, (c + 1) % nOut));
                z2.putScalar(r, c, z.getDouble(r, c) + 1.0 + 2.0 * rng.nextGaussian());
            }
        }
        Result changed = Result.of(loss, y2, z2, act, mask);
        base.assertSame(check, loss, "changing masked rows' labels and logits changed the result", changed, tol);
    }

    // ------------------------------------------------------------------ softmax: partial-row masks

    /** Implements {@link LossChecks#assertPartialRowMaskRejected}. */
    static void assertPartialRowMaskRejected(ILossFunction loss, INDArray labels, INDArray preOutput,
                                                    IActivation act) {
        String check = "partial-row mask";
        long rows = preOutput.size(0);
        long nOut = preOutput.size(1);
        if (nOut < 2) {
            fail(msg(check, loss, "needs at least 2 outputs, got " + nOut));
        }
        INDArray mask = Nd4j.ones(preOutput.dataType(), rows, nOut);
        long row = rows - 1;
        long col = row % nOut;
        mask.putScalar(row, col, 0.0);
        String name = nameOf(loss);
        String[] methods = {"computeScore", "computeScoreArray", "computeGradient", "computeGradientAndScore"};
        for (String method : methods) {
            INDArray y = labels.dup();
            INDArray z = preOutput.dup();
            INDArray m = mask.dup();
            Throwable thrown = null;
            try {
                switch (method) {
                    case "computeScore":
                        loss.computeScore(y, z, act, m, false);
                        break;
                    case "computeScoreArray":
                        loss.computeScoreArray(y, z, act, m);
                        break;
                    case "computeGradient":
                        loss.computeGradient(y, z, act, m);
                        break;
                    default:
                        loss.computeGradientAndScore(y, z, act, m, false);
                        break;
                }
            } catch (Throwable t) {
                thrown = t;
            }
            if (thrown == null) {
                fail(msg(check, loss, method + " accepted a labels-shaped mask that differs within row " + row
                        + " (column " + col + " masked) under " + act + "; a softmax loss must reject it with a"
                        + " LossConfigurationException (softmax couples a row's classes: OutputLayer needs 0 at the"
                        + " masked output, CnnLossLayer the exact derivative, which is not 0), e.g. with"
                        + " LossInputs.requireRowConstantMask"));
            }
            if (!(thrown instanceof LossConfigurationException)) {
                fail(msg(check, loss, method + " threw " + thrown + " for a labels-shaped mask that differs within"
                        + " row " + row + "; expected a LossConfigurationException naming the loss"));
            }
            String text = thrown.getMessage();
            if (text == null || name == null || !text.contains(name)) {
                fail(msg(check, loss, method + " rejected the mask, but its message does not name the loss ("
                        + name + "): " + text));
            }
        }
    }
}
