package io.github.lossvariants.keras;

import io.github.lossvariants.api.LossConfigurationException;
import io.github.lossvariants.api.LossRegistry;
import io.github.lossvariants.keras.internal.KerasLossMapper;
import io.github.lossvariants.keras.internal.KerasLossMapper.Family;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.conf.layers.Cnn3DLossLayer;
import org.deeplearning4j.nn.conf.layers.CnnLossLayer;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.conf.layers.RnnLossLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.modelimport.keras.Hdf5Archive;
import org.deeplearning4j.nn.modelimport.keras.KerasModel;
import org.deeplearning4j.nn.modelimport.keras.KerasSequentialModel;
import org.deeplearning4j.nn.modelimport.keras.exceptions.InvalidKerasConfigurationException;
import org.deeplearning4j.nn.modelimport.keras.exceptions.UnsupportedKerasConfigurationException;
import org.deeplearning4j.nn.modelimport.keras.utils.KerasLossUtils;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.shade.jackson.core.type.TypeReference;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Keras models trained with a focal, Dice or Tversky loss, imported into DL4J with this
 * project's losses. Two ways in:
 * <ul>
 *   <li>{@link #importKerasSequentialModelAndWeights(String)} and
 *       {@link #importKerasModelAndWeights(String)}: DL4J's {@code KerasModelImport} with
 *       {@code enforceTrainingConfig=true}, reading the loss <i>with its parameters</i> from the
 *       file's {@code training_config}: the string form ({@code loss="binary_focal_crossentropy"}),
 *       the object form ({@code {"class_name": "BinaryFocalCrossentropy", "config": {...}}}, what
 *       Keras writes for {@code loss=BinaryFocalCrossentropy(gamma=3)}), a dict or list per output.
 *       Losses that are not this module's (e.g. {@code binary_crossentropy}) are left to DL4J.</li>
 *   <li>{@link #register()}, then DL4J's own {@code KerasModelImport}: DL4J M2.1 looks a loss up by
 *       name only (for the object form by its {@code config.name}) and drops the object's
 *       parameters, so this way is exact for the string form only; the object form gets Keras's
 *       defaults. Use the import methods above for models compiled with a loss object.</li>
 * </ul>
 * Names (Keras and TF-Addons): {@code binary_focal_crossentropy}/{@code BinaryFocalCrossentropy},
 * {@code categorical_focal_crossentropy}/{@code CategoricalFocalCrossentropy},
 * {@code sigmoid_focal_crossentropy}/{@code SigmoidFocalCrossEntropy} (also with TF-Addons's
 * {@code Addons>} prefix), {@code dice}/{@code Dice}, {@code tversky}/{@code Tversky}. Each maps to
 * a {@link KerasOutputLoss} around {@code focal}, {@code softmax-focal}, {@code dice} or
 * {@code tversky}; every Keras setting either maps or is a {@link LossConfigurationException}
 * naming it (docs/keras-import.md has the table).
 *
 * @since 0.2.0
 */
public final class KerasLosses {
    private static final Logger LOG = LoggerFactory.getLogger(KerasLosses.class);
    /**
     * The name the import methods give this module's losses in the training configuration they
     * hand to DL4J (which then asks {@code KerasLossUtils} for it), before putting the configured
     * loss into each loss layer. Never a Keras name.
     */
    static final String PENDING = "lossvariants_keras_pending";
    private static final String TRAINING_CONFIG = "training_config";
    private static final String MODEL_CONFIG = "model_config";
    private static final String ALL_OUTPUTS = "";

    private KerasLosses() {
    }

    private static final class Holder {
        static final KerasLossMapper MAPPER = new KerasLossMapper(LossRegistry.discover());
    }

    /**
     * Registers every Keras and TF-Addons name of this module's losses with DL4J's
     * {@code KerasLossUtils.registerCustomLoss}, each with Keras's defaults (function names: the
     * function's defaults; class names: the class's). Idempotent. DL4J lowercases a loss name before
     * looking it up, so the lowercase names are registered.
     *
     * @return the names registered, lowercase
     */
    public static Set<String> register() {
        Map<String, ILossFunction> defaults = defaults();
        synchronized (KerasLossUtils.class) {
            defaults.forEach(KerasLossUtils::registerCustomLoss);
            KerasLossUtils.registerCustomLoss(PENDING, PendingLoss.INSTANCE);
        }
        LOG.debug("Registered Keras losses {}", defaults.keySet());
        return Collections.unmodifiableSet(defaults.keySet());
    }

    /**
     * Registers the placeholder the import methods use, before every import (someone may have called
     * {@code KerasLossUtils.clearCustomLoss()}). DL4J's table is a plain HashMap: registrations are
     * serialised on {@code KerasLossUtils.class}, and re-putting an existing key does not restructure it.
     */
    private static void registerPending() {
        synchronized (KerasLossUtils.class) {
            KerasLossUtils.registerCustomLoss(PENDING, PendingLoss.INSTANCE);
        }
    }

    /** @return the default instance of every lookup name, as {@link #register()} registers them */
    static Map<String, ILossFunction> defaults() {
        Map<String, ILossFunction> out = new LinkedHashMap<>();
        for (String name : KerasLossMapper.dl4jLookupNames()) {
            Family f = KerasLossMapper.family(name).orElseThrow();
            String bare = name.startsWith("addons>") ? name.substring("addons>".length()) : name;
            boolean className = bare.equals(f.className().toLowerCase(Locale.ROOT)) && !bare.equals(f.functionName());
            out.put(name, className ? Holder.MAPPER.fromObject(f.className(), Map.of()) : Holder.MAPPER.fromString(name));
        }
        return out;
    }

    /**
     * Maps one loss entry of a Keras {@code training_config}.
     *
     * @param kerasLoss a String (a Keras or TF-Addons loss name) or a Map with {@code class_name}
     *                  and {@code config} (the object form)
     * @return the loss, to use behind the IDENTITY-activation loss layer of an imported network
     * @throws LossConfigurationException when it is none of this module's losses or a setting has
     *                                    no counterpart, naming it
     */
    public static KerasOutputLoss fromKeras(Object kerasLoss) {
        if (kerasLoss instanceof String) {
            return Holder.MAPPER.fromString((String) kerasLoss);
        }
        if (kerasLoss instanceof Map && ((Map<?, ?>) kerasLoss).get("class_name") instanceof String) {
            Map<?, ?> m = (Map<?, ?>) kerasLoss;
            return Holder.MAPPER.fromObject((String) m.get("class_name"), configOf(m));
        }
        throw new LossConfigurationException("A Keras loss is a name or {\"class_name\": ..., \"config\": {...}}; got "
                + kerasLoss);
    }

    /**
     * DL4J's {@code KerasModelImport.importKerasSequentialModelAndWeights(path, true)}, with this
     * module's losses configured from the file's {@code training_config}.
     *
     * @param modelHdf5Filename a Keras HDF5 model file ({@code model.save("model.h5")})
     * @return the network, with its weights, ready to train
     * @throws IOException                            when the file cannot be read
     * @throws InvalidKerasConfigurationException     for an invalid Keras configuration
     * @throws UnsupportedKerasConfigurationException for a configuration DL4J or this mapping cannot
     *                                                reproduce (the message names the setting)
     */
    public static MultiLayerNetwork importKerasSequentialModelAndWeights(String modelHdf5Filename)
            throws IOException, InvalidKerasConfigurationException, UnsupportedKerasConfigurationException {
        Rewritten r = rewrite(modelHdf5Filename);
        KerasSequentialModel model = new KerasSequentialModel().modelBuilder().modelHdf5Filename(modelHdf5Filename)
                .enforceTrainingConfig(true).trainingJson(r.trainingJson).buildSequential();
        MultiLayerNetwork net = model.getMultiLayerNetwork();
        for (Layer layer : net.getLayers()) {
            configure(layer.conf().getLayer(), r);
        }
        for (int i = 0; i < net.getLayerWiseConfigurations().getConfs().size(); i++) {
            configure(net.getLayerWiseConfigurations().getConf(i).getLayer(), r);
        }
        return net;
    }

    /**
     * DL4J's {@code KerasModelImport.importKerasModelAndWeights(path, true)} (functional API), with
     * this module's losses configured from the file's {@code training_config}.
     *
     * @param modelHdf5Filename a Keras HDF5 model file ({@code model.save("model.h5")})
     * @return the graph, with its weights, ready to train
     * @throws IOException                            when the file cannot be read
     * @throws InvalidKerasConfigurationException     for an invalid Keras configuration
     * @throws UnsupportedKerasConfigurationException for a configuration DL4J or this mapping cannot
     *                                                reproduce (the message names the setting)
     */
    public static ComputationGraph importKerasModelAndWeights(String modelHdf5Filename)
            throws IOException, InvalidKerasConfigurationException, UnsupportedKerasConfigurationException {
        Rewritten r = rewrite(modelHdf5Filename);
        KerasModel model = new KerasModel().modelBuilder().modelHdf5Filename(modelHdf5Filename)
                .enforceTrainingConfig(true).trainingJson(r.trainingJson).buildModel();
        ComputationGraph graph = model.getComputationGraph();
        for (Layer layer : graph.getLayers()) {
            configure(layer.conf().getLayer(), r);
        }
        for (GraphVertex v : graph.getConfiguration().getVertices().values()) {
            if (v instanceof LayerVertex) {
                configure(((LayerVertex) v).getLayerConf().getLayer(), r);
            }
        }
        return graph;
    }

    // ------------------------------------------------------------------ training_config rewriting

    /** The training configuration handed to DL4J, and the losses its pending entries stand for. */
    private static final class Rewritten {
        String trainingJson;
        /** output layer name (or {@link #ALL_OUTPUTS}) -> configured loss */
        final Map<String, KerasOutputLoss> losses = new LinkedHashMap<>();
    }

    private static Rewritten rewrite(String path) throws IOException, UnsupportedKerasConfigurationException,
            InvalidKerasConfigurationException {
        File file = new File(path);
        if (!file.isFile()) {
            throw new FileNotFoundException("Keras model file " + path + " does not exist or is not a file");
        }
        String trainingJson;
        String modelJson;
        try (Hdf5Archive archive = new Hdf5Archive(path)) {
            if (!archive.hasAttribute(TRAINING_CONFIG)) {
                throw new InvalidKerasConfigurationException(path + " has no " + TRAINING_CONFIG + " attribute: the model"
                        + " was saved without a compiled loss (compile() before save(), include_optimizer=True), so there"
                        + " is no loss to import");
            }
            trainingJson = archive.readAttributeAsJson(TRAINING_CONFIG);
            modelJson = archive.hasAttribute(MODEL_CONFIG) ? archive.readAttributeAsJson(MODEL_CONFIG) : null;
        }
        ObjectMapper json = new ObjectMapper();
        Map<String, Object> training = json.readValue(trainingJson.trim(), new TypeReference<LinkedHashMap<String, Object>>() { });
        Rewritten r = new Rewritten();
        Object loss = training.get("loss");
        try {
            training.put("loss", rewriteLoss(loss, r, modelJson, json));
        } catch (LossConfigurationException e) {
            throw new UnsupportedKerasConfigurationException(e.getMessage());
        }
        try {
            completeNewOptimizerConfig(training.get("optimizer_config"));
        } catch (LossConfigurationException e) {
            throw new UnsupportedKerasConfigurationException(e.getMessage());
        }
        r.trainingJson = json.writeValueAsString(training);
        if (!r.losses.isEmpty()) {
            registerPending();
            LOG.debug("Keras losses of {}: {}", path, r.losses);
        }
        return r;
    }

    /**
     * TF 2.11+ writes its (non-legacy) optimizers' configs without {@code decay}, which DL4J M2.1's
     * {@code KerasOptimizerUtils} reads unconditionally (a NullPointerException). Those optimizers
     * have no learning-rate decay (their schedules are separate objects), so {@code decay = 0} is
     * their meaning; it is added when the new optimizer's own extras are off, and a setting of theirs
     * DL4J would ignore ({@code weight_decay}, clipping, EMA) is a clear error.
     */
    @SuppressWarnings("unchecked")
    static void completeNewOptimizerConfig(Object optimizer) {
        if (!(optimizer instanceof Map) || !(((Map<?, ?>) optimizer).get("config") instanceof Map)) {
            return;
        }
        Map<String, Object> config = (Map<String, Object>) ((Map<?, ?>) optimizer).get("config");
        if (config.containsKey("decay") || !Boolean.FALSE.equals(config.get("is_legacy_optimizer"))) {
            return;
        }
        for (String key : new String[]{"weight_decay", "clipnorm", "global_clipnorm", "clipvalue"}) {
            if (config.get(key) != null) {
                throw new LossConfigurationException("Keras optimizer " + ((Map<?, ?>) optimizer).get("class_name") + ": "
                        + key + "=" + config.get(key) + " has no counterpart in DL4J's Keras import (it would be ignored)");
            }
        }
        if (Boolean.TRUE.equals(config.get("use_ema"))) {
            throw new LossConfigurationException("Keras optimizer " + ((Map<?, ?>) optimizer).get("class_name")
                    + ": use_ema=true has no counterpart in DL4J's Keras import (it would be ignored)");
        }
        config.put("decay", 0.0);
    }

    private static Object rewriteLoss(Object loss, Rewritten r, String modelJson, ObjectMapper json) throws IOException {
        if (isOurs(loss)) {
            r.losses.put(ALL_OUTPUTS, fromKeras(loss));
            return PENDING;
        }
        if (loss instanceof List) {
            // one loss per output, in the order of the model's outputs; DL4J M2.1 reads no list
            List<?> perOutput = (List<?>) loss;
            List<String> outputs = outputNames(modelJson, json);
            if (perOutput.size() == 1) {
                return rewriteLoss(perOutput.get(0), r, modelJson, json);
            }
            if (outputs.size() != perOutput.size()) {
                throw new LossConfigurationException("training_config has " + perOutput.size() + " losses for "
                        + outputs.size() + " model outputs " + outputs);
            }
            Map<String, Object> byName = new LinkedHashMap<>();
            for (int i = 0; i < outputs.size(); i++) {
                byName.put(outputs.get(i), perOutput.get(i));
            }
            return rewriteLoss(byName, r, modelJson, json);
        }
        if (loss instanceof Map && !((Map<?, ?>) loss).containsKey("class_name")) {
            Map<String, Object> out = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : ((Map<?, ?>) loss).entrySet()) {
                if (isOurs(e.getValue())) {
                    r.losses.put(String.valueOf(e.getKey()), fromKeras(e.getValue()));
                    out.put(String.valueOf(e.getKey()), PENDING);
                } else {
                    out.put(String.valueOf(e.getKey()), e.getValue());
                }
            }
            return out;
        }
        return loss;
    }

    private static boolean isOurs(Object loss) {
        if (loss instanceof String) {
            return KerasLossMapper.family((String) loss).isPresent();
        }
        return loss instanceof Map && ((Map<?, ?>) loss).get("class_name") instanceof String
                && KerasLossMapper.family((String) ((Map<?, ?>) loss).get("class_name")).isPresent();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, ?> configOf(Map<?, ?> object) {
        Object config = object.get("config");
        if (config == null) {
            return Map.of();
        }
        if (!(config instanceof Map)) {
            throw new LossConfigurationException("Keras loss " + object.get("class_name") + ": config must be an object,"
                    + " got " + config);
        }
        return (Map<String, ?>) config;
    }

    private static List<String> outputNames(String modelJson, ObjectMapper json) throws IOException {
        List<String> names = new ArrayList<>();
        if (modelJson == null) {
            return names;
        }
        Map<String, Object> model = json.readValue(modelJson.trim(), new TypeReference<LinkedHashMap<String, Object>>() { });
        Object config = model.get("config");
        Object outputs = config instanceof Map ? ((Map<?, ?>) config).get("output_layers") : null;
        if (outputs instanceof List) {
            for (Object o : (List<?>) outputs) {
                names.add(o instanceof List ? String.valueOf(((List<?>) o).get(0)) : String.valueOf(o));
            }
        }
        return names;
    }

    // ------------------------------------------------------------------ loss layers

    /** Puts the configured loss into a loss layer DL4J built with the pending placeholder. */
    private static void configure(org.deeplearning4j.nn.conf.layers.Layer conf, Rewritten r)
            throws UnsupportedKerasConfigurationException {
        ILossFunction current = lossOf(conf);
        if (current != PendingLoss.INSTANCE) {
            return;
        }
        String layerName = conf.getLayerName();
        String output = layerName != null && layerName.endsWith("_loss")
                ? layerName.substring(0, layerName.length() - "_loss".length()) : layerName;
        KerasOutputLoss loss = r.losses.containsKey(output) ? r.losses.get(output) : r.losses.get(ALL_OUTPUTS);
        if (loss == null) {
            throw new UnsupportedKerasConfigurationException("No Keras loss for DL4J loss layer " + layerName
                    + "; losses read: " + r.losses.keySet());
        }
        setLoss(conf, loss);
    }

    private static ILossFunction lossOf(org.deeplearning4j.nn.conf.layers.Layer conf) {
        if (conf instanceof LossLayer) {
            return ((LossLayer) conf).getLossFn();
        }
        if (conf instanceof CnnLossLayer) {
            return ((CnnLossLayer) conf).getLossFn();
        }
        if (conf instanceof RnnLossLayer) {
            return ((RnnLossLayer) conf).getLossFn();
        }
        if (conf instanceof Cnn3DLossLayer) {
            return ((Cnn3DLossLayer) conf).getLossFn();
        }
        if (conf instanceof BaseOutputLayer) {
            return ((BaseOutputLayer) conf).getLossFn();
        }
        return null;
    }

    private static void setLoss(org.deeplearning4j.nn.conf.layers.Layer conf, ILossFunction loss) {
        if (conf instanceof LossLayer) {
            ((LossLayer) conf).setLossFn(loss);
        } else if (conf instanceof CnnLossLayer) {
            ((CnnLossLayer) conf).setLossFn(loss);
        } else if (conf instanceof RnnLossLayer) {
            ((RnnLossLayer) conf).setLossFn(loss);
        } else if (conf instanceof Cnn3DLossLayer) {
            ((Cnn3DLossLayer) conf).setLossFn(loss);
        } else {
            ((BaseOutputLayer) conf).setLossFn(loss);
        }
    }

    /**
     * What DL4J puts into a loss layer for {@link #PENDING} until the import method replaces it; it
     * never computes (an import that did not replace it fails loudly on first use).
     */
    static final class PendingLoss implements ILossFunction {
        private static final long serialVersionUID = 1L;
        static final PendingLoss INSTANCE = new PendingLoss();

        private PendingLoss() {
        }

        private static IllegalStateException unused() {
            return new IllegalStateException("A Keras loss of loss-keras was not configured: use"
                    + " KerasLosses.importKerasSequentialModelAndWeights / importKerasModelAndWeights, not the name "
                    + PENDING + " directly");
        }

        @Override
        public double computeScore(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask,
                                   boolean average) {
            throw unused();
        }

        @Override
        public INDArray computeScoreArray(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
            throw unused();
        }

        @Override
        public INDArray computeGradient(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
            throw unused();
        }

        @Override
        public Pair<Double, INDArray> computeGradientAndScore(INDArray labels, INDArray preOutput,
                                                              IActivation activationFn, INDArray mask, boolean average) {
            throw unused();
        }

        @Override
        public String name() {
            return PENDING;
        }
    }
}
