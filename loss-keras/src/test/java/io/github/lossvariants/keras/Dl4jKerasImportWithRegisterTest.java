package io.github.lossvariants.keras;

import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.modelimport.keras.KerasModelImport;
import org.deeplearning4j.nn.modelimport.keras.exceptions.UnsupportedKerasConfigurationException;
import org.deeplearning4j.nn.modelimport.keras.utils.KerasLossUtils;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.lossfunctions.ILossFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * DL4J's own {@code KerasModelImport} ({@code enforceTrainingConfig=true}) and
 * {@link KerasLosses#register()}: what DL4J M2.1 reads of a loss in {@code training_config}. The
 * string form works; of the object form DL4J passes on only {@code config.name}, so the object's
 * parameters are lost (the registered defaults are used) and a custom name is unknown; the
 * import methods of {@link KerasLosses} read both forms fully.
 */
class Dl4jKerasImportWithRegisterTest {
    @BeforeEach
    @AfterEach
    void noLossesRegistered() {
        KerasLossUtils.clearCustomLoss();
    }

    private static MultiLayerNetwork dl4jImport(String fixture) throws Exception {
        return KerasModelImport.importKerasSequentialModelAndWeights(KerasFixtures.path(fixture), true);
    }

    private static ILossFunction lossOf(MultiLayerNetwork net) {
        return ((LossLayer) net.getOutputLayer().conf().getLayer()).getLossFn();
    }

    @Test
    void withoutRegisterDl4jDoesNotKnowTheFocalLoss() {
        UnsupportedKerasConfigurationException e = assertThrows(UnsupportedKerasConfigurationException.class,
                () -> dl4jImport("binary_focal_string"));
        assertTrue(e.getMessage().contains("Unknown Keras loss function binary_focal_crossentropy"), e.getMessage());
    }

    @Test
    void afterRegisterTheStringFormImportsExactly() throws Exception {
        assertTrue(KerasLosses.register().contains("binary_focal_crossentropy"));
        for (String fixture : new String[]{"binary_focal_string", "categorical_focal_string", "sigmoid_focal_tfa_function"}) {
            KerasFixtures.Expected e = KerasFixtures.expected(fixture);
            MultiLayerNetwork direct = dl4jImport(fixture);
            MultiLayerNetwork ours = KerasLosses.importKerasSequentialModelAndWeights(KerasFixtures.path(fixture));
            assertEquals(lossOf(ours), lossOf(direct), fixture);
            DataSet batch = new DataSet(e.x(), e.y());
            assertEquals(e.objective(), direct.score(batch), KerasImportTest.OBJECTIVE_RTOL * e.objective(), fixture);
        }
    }

    @Test
    void theObjectFormLosesItsParametersInDl4jButNotInTheImportMethods() throws Exception {
        KerasLosses.register();
        MultiLayerNetwork direct = dl4jImport("binary_focal_object");
        MultiLayerNetwork ours = KerasLosses.importKerasSequentialModelAndWeights(KerasFixtures.path("binary_focal_object"));
        // DL4J looked up config.name and got Keras's defaults: gamma 2, no balancing, no smoothing
        assertEquals(KerasLosses.fromKeras("binary_focal_crossentropy"), lossOf(direct));
        assertNotEquals(lossOf(ours), lossOf(direct));
        assertEquals(KerasLosses.fromKeras(KerasFixtures.expected("binary_focal_object").kerasLoss()), lossOf(ours));

        // TF-Addons's class (reduction NONE) is looked up by its config.name, the function's name (mean)
        MultiLayerNetwork tfa = dl4jImport("sigmoid_focal_tfa");
        assertEquals(KerasLosses.fromKeras("sigmoid_focal_crossentropy"), lossOf(tfa));
        assertTrue(((KerasOutputLoss) lossOf(
                KerasLosses.importKerasSequentialModelAndWeights(KerasFixtures.path("sigmoid_focal_tfa")))).isSumOverBatch());
    }

    @Test
    void aCustomLossNameIsUnknownToDl4jButImportsThroughTheImportMethods() throws Exception {
        KerasLosses.register();
        UnsupportedKerasConfigurationException e = assertThrows(UnsupportedKerasConfigurationException.class,
                () -> dl4jImport("binary_focal_logits"));
        assertTrue(e.getMessage().contains("Unknown Keras loss function focal_on_logits"), e.getMessage());
        KerasLosses.importKerasSequentialModelAndWeights(KerasFixtures.path("binary_focal_logits"));
    }

    @Test
    void tf211OptimizerConfigsFailInDl4jButImportThroughTheImportMethods() throws Exception {
        KerasLosses.register();
        NullPointerException e = assertThrows(NullPointerException.class, () -> dl4jImport("new_optimizer_config"));
        assertTrue(String.valueOf(e.getMessage()).contains("doubleValue"), String.valueOf(e.getMessage()));
        KerasLosses.importKerasSequentialModelAndWeights(KerasFixtures.path("new_optimizer_config"));
    }
}
