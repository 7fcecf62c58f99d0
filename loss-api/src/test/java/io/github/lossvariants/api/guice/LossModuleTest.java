package io.github.lossvariants.api.guice;

import com.example.thirdparty.ThirdPartyProvider;
import com.google.inject.AbstractModule;
import com.google.inject.CreationException;
import com.google.inject.Guice;
import com.google.inject.Injector;
import io.github.lossvariants.api.FocalLikeProvider;
import io.github.lossvariants.api.LossRegistry;
import io.github.lossvariants.api.ScaledSquaredLoss;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LossModuleTest {

    @Test
    void exposesDiscoveredAndBoundProvidersAsOneSingletonRegistry() {
        Injector injector = Guice.createInjector(new LossModule(), new AbstractModule() {
            @Override
            protected void configure() {
                LossModule.providers(binder()).addBinding().to(FocalLikeProvider.class);
            }
        });
        LossRegistry registry = injector.getInstance(LossRegistry.class);
        assertSame(registry, injector.getInstance(LossRegistry.class));
        assertEquals(List.of("bce", "ce", "focal-like", "scaled-squared"), List.copyOf(registry.names()));
        assertEquals(new ScaledSquaredLoss(3), registry.create("scaled-squared(scale=3)"));
    }

    @Test
    void withoutDiscoveryHoldsOnlyBoundProviders() {
        Injector injector = Guice.createInjector(LossModule.withoutDiscovery(), new AbstractModule() {
            @Override
            protected void configure() {
                LossModule.providers(binder()).addBinding().toInstance(new ThirdPartyProvider("my-loss"));
            }
        });
        assertEquals(List.of("my-loss"), List.copyOf(injector.getInstance(LossRegistry.class).names()));
    }

    @Test
    void aDuplicateNameFailsAtInjectorCreationNamingBothClasses() {
        CreationException e = assertThrows(CreationException.class, () -> Guice.createInjector(new LossModule(),
                new AbstractModule() {
                    @Override
                    protected void configure() {
                        LossModule.providers(binder()).addBinding().to(ScaledSquaredLoss.Provider.class);
                    }
                }));
        String provider = ScaledSquaredLoss.Provider.class.getName();
        Throwable cause = e.getCause();
        assertTrue(cause instanceof io.github.lossvariants.api.LossConfigurationException, String.valueOf(cause));
        assertEquals("Duplicate loss name 'scaled-squared' provided by " + provider + " and " + provider, cause.getMessage());
    }

    @Test
    void anInvalidParameterFromAGuiceBoundSpecIsReportedAtCreation() {
        Injector injector = Guice.createInjector(new LossModule());
        LossRegistry registry = injector.getInstance(LossRegistry.class);
        assertThrows(io.github.lossvariants.api.LossConfigurationException.class,
                () -> registry.create("scaled-squared(scale=0)"));
    }
}
