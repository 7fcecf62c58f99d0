package io.github.lossvariants.onednn;

import org.nd4j.linalg.factory.Nd4j;

import java.util.Optional;

/**
 * Whether ND4J can run DL4J's oneDNN helpers in this JVM: the CPU backend, a oneDNN build of
 * nd4j-native, helpers allowed, and no switch that turns them off. A value of the facts it was decided
 * from, so the decision is testable without loading another backend.
 *
 * @param cpuBackend      {@code Nd4j.getEnvironment().isCPU()}
 * @param backendName     the backend's class name, for the message
 * @param buildInfo       {@code Nd4j.getBackend().buildInfo()}: the oneDNN build lists {@code HAVE_ONEDNN}
 * @param helpersAllowed  {@code Nd4j.getEnvironment().helpersAllowed()}
 * @param mklFallback     the environment variable {@code ND4J_MKL_FALLBACK} (null if unset); {@code true}
 *                        makes nd4j-native switch oneDNN off
 * @param helpersDisabled the system property {@code org.eclipse.deeplearning4j.helpers.disable} (null if
 *                        unset); only an explicit {@code true} counts, since unset is DL4J's default
 */
record Availability(boolean cpuBackend, String backendName, String buildInfo, boolean helpersAllowed,
                    String mklFallback, String helpersDisabled) {
    /** DL4J's switch for all layer helpers ({@code DL4JSystemProperties.DISABLE_HELPER_PROPERTY}). */
    static final String HELPERS_DISABLE_PROPERTY = "org.eclipse.deeplearning4j.helpers.disable";
    /** nd4j-native's switch for oneDNN ({@code ND4JEnvironmentVars.ND4J_MKL_FALLBACK}). */
    static final String MKL_FALLBACK_VARIABLE = "ND4J_MKL_FALLBACK";
    /** What the oneDNN builds of libnd4j list in their build information. */
    static final String ONEDNN_BUILD_FLAG = "HAVE_ONEDNN";

    /** @return the facts of this JVM */
    static Availability current() {
        return new Availability(Nd4j.getEnvironment().isCPU(), Nd4j.getBackend().getClass().getSimpleName(),
                Nd4j.getBackend().buildInfo(), Nd4j.getEnvironment().helpersAllowed(),
                System.getenv(MKL_FALLBACK_VARIABLE), System.getProperty(HELPERS_DISABLE_PROPERTY));
    }

    /** @return why the helpers cannot be used, or empty when they can */
    Optional<String> reason() {
        if (!cpuBackend) {
            return Optional.of("the ND4J backend is " + backendName + ", not nd4j-native (CPU); oneDNN helpers are for the CPU backend");
        }
        if (buildInfo == null || !buildInfo.contains(ONEDNN_BUILD_FLAG)) {
            return Optional.of("the nd4j-native binary on the class path is not a oneDNN build (no " + ONEDNN_BUILD_FLAG
                    + " in its build information); use the classifier linux-x86_64-onednn");
        }
        if (!helpersAllowed) {
            return Optional.of("ND4J helpers are disallowed (Nd4j.getEnvironment().allowHelpers(false))");
        }
        if ("true".equalsIgnoreCase(trim(mklFallback))) {
            return Optional.of("oneDNN is switched off by the environment variable " + MKL_FALLBACK_VARIABLE + "=true");
        }
        if ("true".equalsIgnoreCase(trim(helpersDisabled))) {
            return Optional.of("DL4J layer helpers are disabled by -D" + HELPERS_DISABLE_PROPERTY + "=true");
        }
        return Optional.empty();
    }

    private static String trim(String s) {
        return s == null ? null : s.trim();
    }
}
