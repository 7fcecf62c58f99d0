package io.github.lossvariants.it.robust;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * Runs the generated cases of one loss on {@value #DEFAULT_WORKERS} Java threads
 * ({@code -Drobust.workers}): worker w takes cases w, w + workers, ... Each case has its own seeded
 * generator, so what is checked does not depend on the workers; every loss is thread-safe (checked by
 * {@code ConcurrencyAndSerializationTest}). The failure of the lowest case index is reported (cases
 * above a failed one are skipped), so a failure is reproducible from its message.
 */
final class CaseWorkers {
    static final int DEFAULT_WORKERS = 2;
    static final int WORKERS = Math.max(1, Integer.getInteger("robust.workers", DEFAULT_WORKERS));

    private CaseWorkers() {
    }

    static void run(int cases, IntConsumer check) throws Throwable {
        AtomicInteger firstFailed = new AtomicInteger(Integer.MAX_VALUE);
        Throwable[] failures = new Throwable[cases];
        ExecutorService pool = Executors.newFixedThreadPool(WORKERS);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int w = 0; w < WORKERS; w++) {
                int worker = w;
                futures.add(pool.submit(() -> {
                    for (int i = worker; i < cases && i < firstFailed.get(); i += WORKERS) {
                        try {
                            check.accept(i);
                        } catch (Throwable t) {
                            failures[i] = t;
                            firstFailed.accumulateAndGet(i, Math::min);
                        }
                    }
                }));
            }
            for (Future<?> f : futures) {
                try {
                    f.get();
                } catch (ExecutionException e) {
                    throw e.getCause();
                }
            }
        } finally {
            pool.shutdownNow();
        }
        int first = firstFailed.get();
        if (first != Integer.MAX_VALUE) {
            throw failures[first];
        }
    }
}
