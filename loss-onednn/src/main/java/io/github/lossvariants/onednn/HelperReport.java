package io.github.lossvariants.onednn;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What {@link OneDnnHelpers#enable} did to a network: the layers that now use a oneDNN helper, the
 * supported layer types it left alone and why, or why it changed nothing at all.
 */
public final class HelperReport {
    private final String network;
    private final String unavailableReason;
    private final Map<String, String> enabled;
    private final Map<String, String> skipped;

    private HelperReport(String network, String unavailableReason, Map<String, String> enabled, Map<String, String> skipped) {
        this.network = network;
        this.unavailableReason = unavailableReason;
        this.enabled = Collections.unmodifiableMap(new LinkedHashMap<>(enabled));
        this.skipped = Collections.unmodifiableMap(new LinkedHashMap<>(skipped));
    }

    static HelperReport unavailable(String network, String reason) {
        return new HelperReport(network, reason, Map.of(), Map.of());
    }

    static HelperReport applied(String network, Map<String, String> enabled, Map<String, String> skipped) {
        return new HelperReport(network, null, enabled, skipped);
    }

    /** @return true if the helpers could be used here (the backend and the network allow them), even on no layer */
    public boolean isAvailable() {
        return unavailableReason == null;
    }

    /** @return why nothing was changed (backend, binary, switches, data type, DL4J version), or empty */
    public Optional<String> unavailableReason() {
        return Optional.ofNullable(unavailableReason);
    }

    /** @return layer name to helper kind ({@code convolution}, {@code subsampling}, {@code batch normalization}), in network order */
    public Map<String, String> enabledLayers() {
        return enabled;
    }

    /** @return layer name to the reason a layer of a helper-capable type keeps DL4J's own code */
    public Map<String, String> skippedLayers() {
        return skipped;
    }

    /** @return the one line {@link OneDnnHelpers} logs */
    @Override
    public String toString() {
        if (unavailableReason != null) {
            return "oneDNN helpers not enabled on the " + network + ": " + unavailableReason + "; nothing changed";
        }
        Map<String, Integer> counts = new TreeMap<>();
        enabled.values().forEach(kind -> counts.merge(kind, 1, Integer::sum));
        StringBuilder s = new StringBuilder("oneDNN helpers enabled on ").append(enabled.size())
                .append(enabled.size() == 1 ? " layer" : " layers").append(" of the ").append(network);
        if (!counts.isEmpty()) {
            s.append(" ").append(counts);
        }
        if (!skipped.isEmpty()) {
            s.append("; kept DL4J's code for ").append(skipped);
        }
        return s.toString();
    }
}
