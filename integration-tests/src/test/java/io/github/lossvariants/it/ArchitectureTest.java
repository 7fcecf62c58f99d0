package io.github.lossvariants.it;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.GeneralCodingRules.NO_CLASSES_SHOULD_ACCESS_STANDARD_STREAMS;
import static com.tngtech.archunit.library.GeneralCodingRules.NO_CLASSES_SHOULD_USE_JAVA_UTIL_LOGGING;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Architecture rules over the main classes of every module (tests excluded): variant modules
 * depend only on loss-api, nothing depends on the examples app, library code names no ND4J
 * backend, and modules form no cycles.
 */
class ArchitectureTest {
    private static final String ROOT = "io.github.lossvariants";
    private static final String[] VARIANTS = {"focal", "tversky", "asymmetric", "calibration", "longtail"};
    /** Modules that build on the API and reach the variants only by registry name. */
    private static final String[] ADAPTERS = {"keras"};
    /** Packages that belong to one ND4J backend or to its native bindings. */
    private static final String[] BACKEND_PACKAGES = {"org.nd4j.linalg.cpu..", "org.nd4j.linalg.jcublas..",
            "org.nd4j.jita..", "org.nd4j.nativeblas..", "org.bytedeco.."};

    private static JavaClasses all;
    private static JavaClasses libraries;

    @BeforeAll
    static void importClasses() {
        all = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages(ROOT);
        libraries = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .withImportOption(location -> !location.contains("/examples/") && !location.contains("/benchmarks/"))
                .importPackages(ROOT);
    }

    @Test
    void theImportSeesEveryModule() {
        for (String p : new String[]{"api", "testkit", "focal", "tversky", "asymmetric", "calibration", "longtail", "onednn",
                "conformance", "keras", "examples"}) {
            assertTrue(all.stream().anyMatch(c -> c.getPackageName().startsWith(ROOT + "." + p)),
                    "no classes imported from " + ROOT + "." + p + ": the rules below would pass vacuously");
        }
        assertTrue(all.size() > 40, "too few classes imported: " + all.size());
    }

    @ParameterizedTest
    @ValueSource(strings = {"focal", "tversky", "asymmetric", "calibration", "longtail"})
    void variantModulesDependOnlyOnTheApi(String variant) {
        for (String other : VARIANTS) {
            if (!other.equals(variant)) {
                noClasses().that().resideInAPackage(ROOT + "." + variant + "..")
                        .should().dependOnClassesThat().resideInAPackage(ROOT + "." + other + "..")
                        .because("variant modules depend only on loss-api").check(all);
            }
        }
        noClasses().that().resideInAPackage(ROOT + "." + variant + "..")
                .should().dependOnClassesThat().resideInAnyPackage(ROOT + ".testkit..", ROOT + ".examples..")
                .because("variant modules depend only on loss-api").check(all);
    }

    @Test
    void adapterModulesReachTheLossesOnlyThroughTheRegistry() {
        for (String adapter : ADAPTERS) {
            noClasses().that().resideInAPackage(ROOT + "." + adapter + "..")
                    .should().dependOnClassesThat().resideInAnyPackage(ROOT + ".focal..", ROOT + ".tversky..",
                            ROOT + ".asymmetric..", ROOT + ".calibration..", ROOT + ".longtail..", ROOT + ".testkit..",
                            ROOT + ".examples..")
                    .because("loss-keras creates losses by registry name, so their classes and constructors may change")
                    .check(all);
        }
    }

    @Test
    void theApiDependsOnNoOtherModule() {
        noClasses().that().resideInAPackage(ROOT + ".api..")
                .should().dependOnClassesThat().resideInAnyPackage(ROOT + ".testkit..", ROOT + ".focal..",
                        ROOT + ".tversky..", ROOT + ".asymmetric..", ROOT + ".calibration..", ROOT + ".longtail..",
                        ROOT + ".keras..", ROOT + ".examples..")
                .check(all);
    }

    @Test
    void nothingDependsOnTheExamplesApp() {
        noClasses().that().resideOutsideOfPackage(ROOT + ".examples..")
                .should().dependOnClassesThat().resideInAPackage(ROOT + ".examples..").check(all);
    }

    @Test
    void libraryCodeUsesNoBackendSpecificClasses() {
        ArchRule rule = noClasses().should().dependOnClassesThat().resideInAnyPackage(BACKEND_PACKAGES)
                .because("the application chooses the backend (nd4j-native or nd4j-cuda); libraries stay GPU-ready");
        rule.check(libraries);
    }

    @Test
    void modulesFormNoCycles() {
        slices().matching(ROOT + ".(*)..").should().beFreeOfCycles().check(all);
    }

    @Test
    void libraryCodeLogsThroughSlf4jOnly() {
        NO_CLASSES_SHOULD_ACCESS_STANDARD_STREAMS.check(libraries);
        NO_CLASSES_SHOULD_USE_JAVA_UTIL_LOGGING.check(libraries);
    }

    /**
     * A module's {@code ..internal..} packages (providers, kernels, parameter specs) are not API:
     * no other module may use them. loss-api's {@code api.internal} is the one shared internal
     * package (input checks, the scratch workspace, the Tversky index, the baselines' providers),
     * used by this project's loss modules only (see {@link #theApisInternalsServeTheLibraryModulesOnly}).
     */
    @ParameterizedTest
    @ValueSource(strings = {"focal", "tversky", "asymmetric", "calibration", "longtail", "conformance", "keras", "testkit",
            "examples"})
    void noModuleUsesAnotherModulesInternalPackages(String module) {
        noClasses().that().resideOutsideOfPackage(ROOT + "." + module + "..")
                .should().dependOnClassesThat().resideInAPackage(ROOT + "." + module + ".internal..")
                .because("internal packages are not API").check(all);
    }

    /**
     * The app uses public API only. (The JMH runner in {@code benchmarks}, not on this module's
     * class path, reads the scratch workspace's id to report a loss call's allocations: the one
     * exemption, for measurement.)
     */
    @Test
    void theApisInternalsServeTheLibraryModulesOnly() {
        noClasses().that().resideInAPackage(ROOT + ".examples..")
                .should().dependOnClassesThat().resideInAPackage(ROOT + ".api.internal..")
                .because("api.internal is shared by the loss modules, not by applications").check(all);
    }
}
