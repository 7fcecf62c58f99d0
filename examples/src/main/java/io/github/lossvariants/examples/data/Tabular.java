package io.github.lossvariants.examples.data;

/**
 * A train/test split of a tabular data set: features {@code [rows][features]} and 0/1 targets
 * {@code [rows][labels]} (one column for a binary task).
 *
 * @param trainX train features
 * @param trainY train targets
 * @param testX  test features
 * @param testY  test targets
 */
public record Tabular(double[][] trainX, double[][] trainY, double[][] testX, double[][] testY) {

    /** @return number of feature columns */
    public int features() {
        return trainX[0].length;
    }

    /** @return number of target columns */
    public int labels() {
        return trainY[0].length;
    }

    /** @return positives per target column in the given targets */
    public static int[] positives(double[][] y) {
        int[] p = new int[y[0].length];
        for (double[] row : y) {
            for (int j = 0; j < row.length; j++) {
                if (row[j] > 0.5) {
                    p[j]++;
                }
            }
        }
        return p;
    }

    /** @return a copy whose features are standardised with the training mean and standard deviation */
    public Tabular standardised() {
        int f = features();
        double[] mean = new double[f];
        double[] sd = new double[f];
        for (double[] r : trainX) {
            for (int j = 0; j < f; j++) {
                mean[j] += r[j];
            }
        }
        for (int j = 0; j < f; j++) {
            mean[j] /= trainX.length;
        }
        for (double[] r : trainX) {
            for (int j = 0; j < f; j++) {
                sd[j] += (r[j] - mean[j]) * (r[j] - mean[j]);
            }
        }
        for (int j = 0; j < f; j++) {
            sd[j] = Math.sqrt(sd[j] / trainX.length);
            if (sd[j] < 1e-12) {
                sd[j] = 1;
            }
        }
        return new Tabular(scale(trainX, mean, sd), trainY, scale(testX, mean, sd), testY);
    }

    private static double[][] scale(double[][] x, double[] mean, double[] sd) {
        double[][] o = new double[x.length][];
        for (int i = 0; i < x.length; i++) {
            o[i] = new double[x[i].length];
            for (int j = 0; j < x[i].length; j++) {
                o[i][j] = (x[i][j] - mean[j]) / sd[j];
            }
        }
        return o;
    }
}
