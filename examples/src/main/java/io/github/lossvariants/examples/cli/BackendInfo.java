package io.github.lossvariants.examples.cli;

import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOpsHolder;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Names the ND4J backend and device in one line. Never references a backend class: the CUDA
 * backend is detected by class name only, so the same code serves the CPU and the CUDA build.
 */
public final class BackendInfo {
    static final String CUDA_BACKEND_CLASS = "org.nd4j.linalg.jcublas.JCublasBackend";

    private BackendInfo() {
    }

    /** @return whether the CUDA backend jar is on the class path (it may still be unusable) */
    public static boolean cudaOnClassPath() {
        try {
            Class.forName(CUDA_BACKEND_CLASS, false, BackendInfo.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /**
     * Initialises ND4J if needed and describes it.
     *
     * @return e.g. {@code ND4J backend CpuBackend (CPU), BLAS OPENBLAS, 2 cores, 2 OMP threads}
     * @throws IllegalStateException with advice when no backend can run on this machine
     */
    public static String describe() {
        String backend;
        Properties env;
        try {
            backend = Nd4j.getBackend().getClass().getSimpleName();
            env = Nd4j.getExecutioner().getEnvironmentInformation();
        } catch (RuntimeException | LinkageError e) {
            throw new IllegalStateException(noBackendAdvice(e), e);
        }
        boolean gpu = backend.toLowerCase().contains("cublas") || backend.toLowerCase().contains("cuda");
        StringBuilder b = new StringBuilder("ND4J backend ").append(backend).append(gpu ? " (CUDA GPU)" : " (CPU)");
        Object blas = env.get("blas.vendor");
        if (blas != null) {
            b.append(", BLAS ").append(blas);
        }
        Object cores = env.get("cores");
        if (cores != null) {
            b.append(", ").append(cores).append(" cores");
        }
        Object omp = env.get("omp.threads");
        if (omp != null) {
            b.append(", ").append(omp).append(" OMP threads");
        }
        List<String> devices = new ArrayList<>();
        Object info = env.get("cuda.devicesInformation");
        if (info instanceof List<?> list) {
            for (Object d : list) {
                if (d instanceof Map<?, ?> m) {
                    devices.add(String.valueOf(m.get("cuda.deviceName")) + " (" + m.get("cuda.totalMemory") + " bytes)");
                }
            }
        }
        if (!devices.isEmpty()) {
            b.append(", devices ").append(devices);
        }
        b.append(", data type ").append(Nd4j.dataType());
        if (!gpu && cudaOnClassPath()) {
            b.append(". NOTE: the CUDA backend (nd4j-cuda-11.6) is on the class path but found no usable CUDA device or "
                    + "driver, so ND4J fell back to the CPU backend");
        }
        return b.toString();
    }

    /**
     * Limits ND4J's op threads and the BLAS threads.
     *
     * @return the thread count now in effect
     */
    public static int setThreads(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("--threads must be >= 1, got " + n);
        }
        Nd4j.getEnvironment().setMaxThreads(n);
        Nd4j.getEnvironment().setMaxMasterThreads(n);
        Nd4j.factory().blas().setMaxThreads(n);
        // nd4j-native-api is shared by the CPU and CUDA backends; this sets the OpenMP pool of the native ops
        NativeOpsHolder.getInstance().getDeviceNativeOps().setOmpNumThreads(n);
        return NativeOpsHolder.getInstance().getDeviceNativeOps().ompGetMaxThreads();
    }

    static String noBackendAdvice(Throwable e) {
        String base = "No usable ND4J backend (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ").";
        if (cudaOnClassPath()) {
            return base + " This build uses the CUDA backend (mvn -Pcuda), which needs an NVIDIA GPU with a driver for "
                    + "CUDA 11.6 (>= 510) and CUDA 11.6 libraries (installed, or org.bytedeco:cuda-platform-redist:"
                    + "11.6-8.3-1.5.7 on the class path). No CUDA device was found: rebuild without -Pcuda to run on the CPU.";
        }
        return base + " The CPU backend needs org.nd4j:nd4j-native with the classifier of this platform "
                + "(linux-x86_64 by default) and org.bytedeco:openblas.";
    }

    /** @return OS, architecture, processor count, Java version and maximum heap */
    public static String machine() {
        return System.getProperty("os.name") + " " + System.getProperty("os.arch") + ", "
                + Runtime.getRuntime().availableProcessors() + " processors, Java " + System.getProperty("java.version")
                + ", max heap " + Runtime.getRuntime().maxMemory() / (1 << 20) + " MB";
    }
}
