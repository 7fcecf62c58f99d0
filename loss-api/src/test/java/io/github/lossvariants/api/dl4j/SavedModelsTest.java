package io.github.lossvariants.api.dl4j;

import io.github.lossvariants.api.LossConfigurationException;
import io.github.lossvariants.api.ScaledSquaredLoss;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;

import java.io.File;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class SavedModelsTest {

    @Test
    void aMissingLossClassIsNamedWithItsModule(@TempDir Path dir) throws Exception {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(1).list()
                .layer(new OutputLayer.Builder(new ScaledSquaredLoss(2)).nIn(3).nOut(2).activation(Activation.SIGMOID)
                        .build()).build());
        net.init();
        File file = dir.resolve("model.zip").toFile();
        ModelSerializer.writeModel(net, file, false);
        assertEquals(net.params(), SavedModels.restoreMultiLayerNetwork(file, false).params());

        // Simulate a class path without the loss module: rename the class in the saved configuration.
        try (FileSystem zip = FileSystems.newFileSystem(URI.create("jar:" + file.toURI()), Map.of())) {
            Path conf = zip.getPath("configuration.json");
            String json = Files.readString(conf, StandardCharsets.UTF_8)
                    .replace(ScaledSquaredLoss.class.getName(), "io.github.lossvariants.tversky.TverskyLossGone");
            Files.writeString(conf, json, StandardCharsets.UTF_8);
        }
        assertEquals(List.of("io.github.lossvariants.tversky.TverskyLossGone"), SavedModels.missingClasses(file));
        LossConfigurationException e = assertThrows(LossConfigurationException.class,
                () -> SavedModels.restoreMultiLayerNetwork(file, false));
        assertEquals("Cannot restore model.zip: its configuration uses classes that are not on the class path:"
                + " io.github.lossvariants.tversky.TverskyLossGone (add io.github.lossvariants:loss-tversky as a"
                + " dependency). Loss classes are part of a saved model's format: the same class names must be"
                + " available when it is restored.", e.getMessage());
    }

    /** A configuration edited to hold an invalid parameter fails with the loss's message, not a broken loss. */
    @Test
    void anInvalidParameterInTheConfigurationIsReportedWithTheLossMessage(@TempDir Path dir) throws Exception {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(1).list()
                .layer(new OutputLayer.Builder(new ScaledSquaredLoss(2)).nIn(3).nOut(2).activation(Activation.SIGMOID)
                        .build()).build());
        net.init();
        File file = dir.resolve("edited.zip").toFile();
        ModelSerializer.writeModel(net, file, false);
        try (FileSystem zip = FileSystems.newFileSystem(URI.create("jar:" + file.toURI()), Map.of())) {
            Path conf = zip.getPath("configuration.json");
            String json = Files.readString(conf, StandardCharsets.UTF_8);
            String edited = json.replaceFirst("\"scale\"\\s*:\\s*2\\.0", "\"scale\" : -1.0");
            org.junit.jupiter.api.Assertions.assertNotEquals(json, edited);
            Files.writeString(conf, edited, StandardCharsets.UTF_8);
        }
        LossConfigurationException e = assertThrows(LossConfigurationException.class,
                () -> SavedModels.restoreMultiLayerNetwork(file, false));
        assertEquals("Cannot restore edited.zip: its configuration holds an invalid loss setting: loss"
                + " 'scaled-squared': invalid value for parameter scale=-1. Must be finite and > 0.",
                e.getMessage());
    }

    /** A configuration whose loss class was replaced by a class that is not a loss says so. */
    @Test
    void aClassThatIsNotALossIsNamedWithWhereItAppears(@TempDir Path dir) throws Exception {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(1).list()
                .layer(new OutputLayer.Builder(new ScaledSquaredLoss(2)).nIn(3).nOut(2).activation(Activation.SIGMOID)
                        .build()).build());
        net.init();
        String tampered = net.getLayerWiseConfigurations().toJson()
                .replace(ScaledSquaredLoss.class.getName(), "java.util.ArrayList");
        String expected = "its configuration names java.util.ArrayList (at /confs/0/layer/lossFn) as a loss, but that"
                + " class is not an org.nd4j.linalg.lossfunctions.ILossFunction. The configuration was edited or written"
                + " by other code.";
        LossConfigurationException e = assertThrows(LossConfigurationException.class,
                () -> SavedModels.multiLayerConfiguration(tampered));
        assertEquals("Cannot restore the configuration: " + expected, e.getMessage());

        File file = dir.resolve("tampered.zip").toFile();
        ModelSerializer.writeModel(net, file, false);
        try (FileSystem zip = FileSystems.newFileSystem(URI.create("jar:" + file.toURI()), Map.of())) {
            Path conf = zip.getPath("configuration.json");
            Files.writeString(conf, Files.readString(conf, StandardCharsets.UTF_8)
                    .replace(ScaledSquaredLoss.class.getName(), "java.util.ArrayList"), StandardCharsets.UTF_8);
        }
        e = assertThrows(LossConfigurationException.class, () -> SavedModels.restoreMultiLayerNetwork(file, false));
        assertEquals("Cannot restore tampered.zip: " + expected, e.getMessage());
    }

    @Test
    void jsonEntryPointsRestoreAndReportInvalidSettings() {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(1).list()
                .layer(new OutputLayer.Builder(new ScaledSquaredLoss(2)).nIn(3).nOut(2).activation(Activation.SIGMOID)
                        .build()).build());
        String json = net.getLayerWiseConfigurations().toJson();
        assertEquals(net.getLayerWiseConfigurations(), SavedModels.multiLayerConfiguration(json));
        LossConfigurationException e = assertThrows(LossConfigurationException.class,
                () -> SavedModels.multiLayerConfiguration(json.replaceFirst("\"scale\"\\s*:\\s*2\\.0", "\"scale\" : \"abc\"")));
        assertEquals("Cannot restore the configuration: its configuration holds an invalid loss setting: loss"
                + " 'scaled-squared': parameter 'scale' must be a number > 0, got String \"abc\"", e.getMessage());
    }
}
