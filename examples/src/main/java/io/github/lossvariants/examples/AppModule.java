package io.github.lossvariants.examples;

import com.google.inject.AbstractModule;
import com.google.inject.multibindings.MapBinder;
import io.github.lossvariants.api.guice.LossModule;
import io.github.lossvariants.examples.bench.Benchmark;
import io.github.lossvariants.examples.bench.Imbalanced2dBenchmark;
import io.github.lossvariants.examples.bench.M2nistBenchmark;
import io.github.lossvariants.examples.bench.MnistLtBenchmark;
import io.github.lossvariants.examples.bench.MultiMnistBenchmark;
import io.github.lossvariants.examples.bench.YeastBenchmark;

/**
 * Wires the app: the {@link io.github.lossvariants.api.LossRegistry} from {@link LossModule}
 * (every loss module on the class path plus any provider bound through
 * {@code LossModule.providers(binder())}) and the benchmarks by name.
 */
public final class AppModule extends AbstractModule {
    @Override
    protected void configure() {
        install(new LossModule());
        MapBinder<String, Benchmark> benchmarks = MapBinder.newMapBinder(binder(), String.class, Benchmark.class);
        benchmarks.addBinding("imbalanced2d").to(Imbalanced2dBenchmark.class);
        benchmarks.addBinding("yeast").to(YeastBenchmark.class);
        benchmarks.addBinding("m2nist").to(M2nistBenchmark.class);
        benchmarks.addBinding("multimnist").to(MultiMnistBenchmark.class);
        benchmarks.addBinding("mnist-lt").to(MnistLtBenchmark.class);
    }
}
