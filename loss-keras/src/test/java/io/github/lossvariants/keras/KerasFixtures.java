package io.github.lossvariants.keras;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;

import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;

/**
 * The HDF5 fixtures in {@code src/test/resources/keras} and the numbers their generator
 * ({@code src/test/fixtures/generate_keras_fixtures.py}) computed with numpy from Keras's formulas.
 */
final class KerasFixtures {
    private KerasFixtures() {
    }

    static String path(String name) {
        URL url = KerasFixtures.class.getResource("/keras/" + name + ".h5");
        if (url == null) {
            throw new IllegalStateException("missing fixture " + name + ".h5; run the generator");
        }
        try {
            return new File(url.toURI()).getAbsolutePath();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static Expected expected(String name) throws IOException {
        try (var in = KerasFixtures.class.getResourceAsStream("/keras/" + name + ".json")) {
            if (in == null) {
                throw new IllegalStateException("missing fixture " + name + ".json");
            }
            return new Expected(new ObjectMapper().readTree(in));
        }
    }

    /** One fixture's numbers. */
    static final class Expected {
        final JsonNode json;

        Expected(JsonNode json) {
            this.json = json;
        }

        INDArray x() {
            return matrix(json.get("x"), DataType.FLOAT);
        }

        INDArray y() {
            return matrix(json.get("y"), DataType.FLOAT);
        }

        /** The model's output for {@link #x()}, computed in double from the float32 weights. */
        INDArray prediction() {
            return matrix(json.get("prediction"), DataType.DOUBLE);
        }

        /** What Keras's fit minimises on (x, y): the loss value after the reduction. */
        double objective() {
            return json.get("objective").asDouble();
        }

        INDArray weight(String name) {
            JsonNode w = json.get("weights").get(name);
            return w.get(0).isArray() ? matrix(w, DataType.FLOAT) : vector(w);
        }

        /** The loss entry of the file's training_config: a String or a Map (the object form). */
        Object kerasLoss() {
            return new ObjectMapper().convertValue(json.get("keras_loss"), Object.class);
        }

        String note() {
            return json.get("note").asText();
        }

        static INDArray matrix(JsonNode rows, DataType type) {
            double[][] v = new double[rows.size()][];
            for (int i = 0; i < v.length; i++) {
                v[i] = new double[rows.get(i).size()];
                for (int j = 0; j < v[i].length; j++) {
                    v[i][j] = rows.get(i).get(j).asDouble();
                }
            }
            return Nd4j.createFromArray(v).castTo(type);
        }

        static INDArray vector(JsonNode values) {
            double[] v = new double[values.size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = values.get(i).asDouble();
            }
            return Nd4j.createFromArray(v).castTo(DataType.FLOAT).reshape(1, v.length);
        }
    }
}
