package io.github.lossvariants.it;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The library modules are the reactor modules that publish sources and Javadoc jars; the BOM
 * lists exactly those, so a module added later cannot be forgotten in one place or the other.
 */
class ReleaseArtifactsTest {
    private static final Path ROOT = Paths.get("").toAbsolutePath().getParent();

    @Test
    void theBomListsExactlyTheModulesThatPublishSourcesAndJavadoc() throws IOException {
        Set<String> publishing = new TreeSet<>();
        Matcher modules = Pattern.compile("<module>([^<]+)</module>").matcher(read(ROOT.resolve("pom.xml")));
        while (modules.find()) {
            Path pom = ROOT.resolve(modules.group(1)).resolve("pom.xml");
            String text = read(pom);
            boolean sources = text.contains("<artifactId>maven-source-plugin</artifactId>");
            boolean javadoc = text.contains("<artifactId>maven-javadoc-plugin</artifactId>");
            assertEquals(sources, javadoc, modules.group(1) + " publishes one of sources and Javadoc but not both");
            if (javadoc) {
                publishing.add(modules.group(1));
            }
        }
        Set<String> bom = new TreeSet<>();
        Matcher managed = Pattern.compile("<artifactId>([^<]+)</artifactId>\\s*<version>\\$\\{project.version}</version>")
                .matcher(read(ROOT.resolve("loss-bom/pom.xml")));
        while (managed.find()) {
            bom.add(managed.group(1));
        }
        assertTrue(publishing.size() >= 9, "too few library modules found: " + publishing);
        assertEquals(publishing, bom, "loss-bom must list every library module (those with sources and Javadoc jars)");
        assertTrue(read(ROOT.resolve("loss-bom/pom.xml")).contains("<version>" + version() + "</version>"),
                "loss-bom's version is the build's");
    }

    private static String version() throws IOException {
        Matcher m = Pattern.compile("<artifactId>loss-variants-parent</artifactId>\\s*<version>([^<]+)</version>")
                .matcher(read(ROOT.resolve("pom.xml")));
        assertTrue(m.find());
        return m.group(1);
    }

    private static String read(Path p) throws IOException {
        return Files.readString(p, StandardCharsets.UTF_8);
    }
}
