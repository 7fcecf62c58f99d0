package io.github.lossvariants.calibration;

import io.github.lossvariants.calibration.metrics.CalibrationMetrics;
import io.github.lossvariants.calibration.scaling.CalibratedNetwork;
import io.github.lossvariants.calibration.scaling.TemperatureScaling;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.Locale;
import java.util.Random;

/**
 * Worked example (docs/calibration.md): an MLP over-fits a small noisy 3-class problem and becomes
 * over-confident; temperature scaling fitted on a validation set brings the test ECE down without
 * changing a single prediction. Run it with
 * {@code mvn -pl loss-calibration -am verify -Dtest=TemperatureScalingExampleTest
 * -Dsurefire.failIfNoSpecifiedTests=false}, which writes the report to
 * {@code loss-calibration/target/temperature-scaling-example.txt}.
 */
public final class TemperatureScalingExample {
    private TemperatureScalingExample() {
    }

    /** The numbers the example prints. */
    public static final class Result {
        final double temperature;
        final double eceBefore;
        final double eceAfter;
        final double nllBefore;
        final double nllAfter;
        final double accuracyBefore;
        final double accuracyAfter;

        Result(double temperature, double eceBefore, double eceAfter, double nllBefore, double nllAfter,
               double accuracyBefore, double accuracyAfter) {
            this.temperature = temperature;
            this.eceBefore = eceBefore;
            this.eceAfter = eceAfter;
            this.nllBefore = nllBefore;
            this.nllAfter = nllAfter;
            this.accuracyBefore = accuracyBefore;
            this.accuracyAfter = accuracyAfter;
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "fitted temperature T = %.3f%n"
                            + "                  before   after%n"
                            + "test ECE (%%)     %6.2f  %6.2f%n"
                            + "test NLL         %6.3f  %6.3f%n"
                            + "test accuracy    %6.3f  %6.3f",
                    temperature, 100 * eceBefore, 100 * eceAfter, nllBefore, nllAfter, accuracyBefore, accuracyAfter);
        }
    }

    /** Three overlapping Gaussian blobs in 2-D. */
    static DataSet blobs(int n, long seed) {
        Random r = new Random(seed);
        double[][] centres = {{0, 0}, {2.2, 0.6}, {1.0, 2.1}};
        INDArray x = Nd4j.zeros(DataType.FLOAT, n, 2);
        INDArray y = Nd4j.zeros(DataType.FLOAT, n, 3);
        for (int i = 0; i < n; i++) {
            int c = r.nextInt(3);
            x.putScalar(i, 0, centres[c][0] + r.nextGaussian());
            x.putScalar(i, 1, centres[c][1] + r.nextGaussian());
            y.putScalar(i, c, 1.0);
        }
        return new DataSet(x, y);
    }

    /** Trains, calibrates, measures. */
    public static Result run() {
        DataSet train = blobs(90, 1);
        DataSet validation = blobs(1000, 2);
        DataSet test = blobs(1000, 3);
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(7).updater(new Adam(0.03))
                .list()
                .layer(new DenseLayer.Builder().nIn(2).nOut(32).activation(Activation.RELU).build())
                .layer(new DenseLayer.Builder().nIn(32).nOut(32).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(32).nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        for (int i = 0; i < 150; i++) {
            net.fit(train);           // full batch, long enough to over-fit 90 points
        }

        // fit T on the validation set from the network's probabilities
        TemperatureScaling ts = TemperatureScaling.fitOnProbabilities(net.output(validation.getFeatures()),
                validation.getLabels());
        CalibratedNetwork calibrated = new CalibratedNetwork(net, ts);

        INDArray before = net.output(test.getFeatures());
        INDArray after = calibrated.output(test.getFeatures());
        INDArray y = test.getLabels();
        return new Result(ts.temperature(),
                CalibrationMetrics.ece(before, y), CalibrationMetrics.ece(after, y),
                CalibrationMetrics.nll(before, y), CalibrationMetrics.nll(after, y),
                accuracy(before, y), accuracy(after, y));
    }

    static double accuracy(INDArray p, INDArray y) {
        return Nd4j.argMax(p, 1).eq(Nd4j.argMax(y, 1)).castTo(DataType.DOUBLE).meanNumber().doubleValue();
    }

    /** Prints the report. */
    public static void main(String[] args) {
        System.out.println(run());
    }
}
