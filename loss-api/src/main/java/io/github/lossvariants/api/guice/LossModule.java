package io.github.lossvariants.api.guice;

import com.google.inject.AbstractModule;
import com.google.inject.Binder;
import com.google.inject.Inject;
import com.google.inject.Provider;
import com.google.inject.multibindings.Multibinder;
import io.github.lossvariants.api.LossProvider;
import io.github.lossvariants.api.LossRegistry;

import java.util.Set;

/**
 * Guice adapter for the plain-Java {@link LossRegistry}: binds {@code LossRegistry} as an eager
 * singleton made of the providers found by {@link LossRegistry#discover()} plus every provider
 * an application contributes through the multibinder:
 * <pre>{@code
 * Injector injector = Guice.createInjector(new LossModule(), new AbstractModule() {
 *     protected void configure() {
 *         LossModule.providers(binder()).addBinding().to(MyLossProvider.class);
 *     }
 * });
 * LossFunction loss = injector.getInstance(LossRegistry.class).create("my-loss(scale=2)");
 * }</pre>
 * Two providers with one name make injector creation fail, naming both classes. Guice is an
 * optional dependency of {@code loss-api}: add {@code com.google.inject:guice} to use this module.
 *
 * @since 0.1.0
 */
public final class LossModule extends AbstractModule {
    private final boolean discover;

    /** A module that discovers providers on the class path and adds the bound ones. */
    public LossModule() {
        this(true);
    }

    private LossModule(boolean discover) {
        this.discover = discover;
    }

    /** @return a module whose registry holds only the providers bound through {@link #providers(Binder)} */
    public static LossModule withoutDiscovery() {
        return new LossModule(false);
    }

    /**
     * @param binder the binder of the contributing module
     * @return the multibinder to which applications add their own {@link LossProvider}s
     */
    public static Multibinder<LossProvider> providers(Binder binder) {
        return Multibinder.newSetBinder(binder, LossProvider.class);
    }

    @Override
    protected void configure() {
        providers(binder());
        bind(Boolean.class).annotatedWith(Discovery.class).toInstance(discover);
        bind(LossRegistry.class).toProvider(RegistryProvider.class).asEagerSingleton();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LossModule && ((LossModule) o).discover == discover;
    }

    @Override
    public int hashCode() {
        return Boolean.hashCode(discover);
    }

    static final class RegistryProvider implements Provider<LossRegistry> {
        private final Set<LossProvider> bound;
        private final boolean discover;

        @Inject
        RegistryProvider(Set<LossProvider> bound, @Discovery Boolean discover) {
            this.bound = bound;
            this.discover = discover;
        }

        @Override
        public LossRegistry get() {
            return discover ? LossRegistry.discover().with(bound) : LossRegistry.of(bound);
        }
    }
}
