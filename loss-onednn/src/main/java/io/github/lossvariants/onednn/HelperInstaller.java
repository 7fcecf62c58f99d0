package io.github.lossvariants.onednn;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.layers.LayerHelper;
import org.deeplearning4j.nn.layers.normalization.LocalResponseNormalization;
import org.deeplearning4j.nn.layers.wrapper.BaseWrapperLayer;
import org.nd4j.linalg.api.buffer.DataType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Sets DL4J's oneDNN helpers into the helper fields of a network's layers: checks the JVM and the network
 * first, resolves every field before it changes any, and logs one line either way.
 */
final class HelperInstaller {
    private static final Logger LOG = LoggerFactory.getLogger(OneDnnHelpers.class);
    private static final String LRN_REASON = "DL4J switched its oneDNN local response normalization helper off "
            + "(deeplearning4j issue 7272) and its M2.1 backward pass runs the forward op";

    private final List<LayerKind> kinds;
    private final Supplier<Availability> availability;

    HelperInstaller(List<LayerKind> kinds) {
        this(kinds, Availability::current);
    }

    HelperInstaller(List<LayerKind> kinds, Supplier<Availability> availability) {
        this.kinds = List.copyOf(kinds);
        this.availability = availability;
    }

    HelperReport install(Layer[] layers, DataType dataType, String network) {
        Optional<String> reason = availability.get().reason();
        if (reason.isEmpty() && dataType != DataType.FLOAT) {
            reason = Optional.of("DL4J's oneDNN helpers compute in float32 and the network's data type is " + dataType);
        }
        Map<LayerKind, Field> fields = new LinkedHashMap<>();
        if (reason.isEmpty()) {
            reason = resolveFields(fields);
        }
        if (reason.isPresent()) {
            HelperReport report = HelperReport.unavailable(network, reason.get());
            LOG.warn("{}", report);
            return report;
        }

        Map<String, String> enabled = new LinkedHashMap<>();
        Map<String, String> skipped = new LinkedHashMap<>();
        List<Runnable> changes = new ArrayList<>();
        for (Layer top : layers) {
            Layer layer = unwrap(top);
            String name = uniqueName(layer, enabled, skipped);
            if (layer.getClass() == LocalResponseNormalization.class) {
                skipped.put(name, LRN_REASON);
                continue;
            }
            for (LayerKind kind : kinds) {
                if (!kind.matches(layer)) {
                    continue;
                }
                Optional<String> unsupported = kind.unsupported().apply(layer);
                if (unsupported.isPresent()) {
                    skipped.put(name, unsupported.get());
                } else {
                    enabled.put(name, kind.label());
                    changes.add(setter(fields.get(kind), layer, kind, dataType));
                }
            }
        }
        changes.forEach(Runnable::run);
        HelperReport report = HelperReport.applied(network, enabled, skipped);
        LOG.info("{}", report);
        return report;
    }

    /** Fills {@code fields} with each kind's accessible helper field, or returns what is not as expected. */
    private Optional<String> resolveFields(Map<LayerKind, Field> fields) {
        for (LayerKind kind : kinds) {
            String where = kind.layerClass().getName() + "." + kind.fieldName();
            try {
                Field f = kind.layerClass().getDeclaredField(kind.fieldName());
                int mod = f.getModifiers();
                if (f.getType() != kind.helperType() || Modifier.isStatic(mod) || Modifier.isFinal(mod)) {
                    return Optional.of("DL4J's layer classes are not those of 1.0.0-M2.1 (" + where + " is a "
                            + Modifier.toString(mod) + " " + f.getType().getName() + ", expected an instance field of type "
                            + kind.helperType().getName() + ")");
                }
                f.setAccessible(true);
                fields.put(kind, f);
            } catch (NoSuchFieldException e) {
                return Optional.of("DL4J's layer classes are not those of 1.0.0-M2.1 (no field " + where + ")");
            } catch (RuntimeException e) {
                return Optional.of("the helper field " + where + " cannot be set (" + e + ")");
            }
        }
        return Optional.empty();
    }

    private static Runnable setter(Field field, Layer layer, LayerKind kind, DataType dataType) {
        return () -> {
            try {
                Object current = field.get(layer);
                LayerHelper helper = kind.helperFactory().apply(dataType);
                if (current == null || current.getClass() != helper.getClass()) {
                    field.set(layer, helper);
                }
            } catch (IllegalAccessException e) {
                // setAccessible(true) succeeded when the field was resolved
                throw new IllegalStateException("cannot set " + field, e);
            }
        };
    }

    private static Layer unwrap(Layer layer) {
        Layer l = layer;
        while (l instanceof BaseWrapperLayer w) {
            l = w.getUnderlying();
        }
        return l;
    }

    private static String uniqueName(Layer layer, Map<String, String> enabled, Map<String, String> skipped) {
        String name = layer.conf() == null || layer.conf().getLayer() == null ? null : layer.conf().getLayer().getLayerName();
        if (name == null) {
            name = "layer " + layer.getIndex();
        }
        String unique = name;
        for (int i = 2; enabled.containsKey(unique) || skipped.containsKey(unique); i++) {
            unique = name + " #" + i;
        }
        return unique;
    }
}
