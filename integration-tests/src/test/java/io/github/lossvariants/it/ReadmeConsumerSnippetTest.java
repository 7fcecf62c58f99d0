package io.github.lossvariants.it;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The README's "Using a loss" snippets are what the standalone consumer project
 * ({@code integration-tests/consumer}, built by {@code .ci/run} against the installed artifacts)
 * contains: every {@code xml} block appears verbatim (up to a constant indentation) in its
 * {@code pom.xml}, every {@code java} block in its test, and the BOM version there is this build's.
 */
class ReadmeConsumerSnippetTest {
    private static final Path ROOT = Paths.get("").toAbsolutePath().getParent();
    private static final Path CONSUMER = ROOT.resolve("integration-tests/consumer");

    @Test
    void usingALossSnippetsAreTheConsumerProjectsCode() throws IOException {
        List<Block> blocks = usingALossBlocks();
        assertTrue(blocks.stream().anyMatch(b -> b.language.equals("xml")), "no xml block in README's 'Using a loss'");
        assertTrue(blocks.stream().anyMatch(b -> b.language.equals("java")), "no java block in README's 'Using a loss'");
        List<String> pom = lines(CONSUMER.resolve("pom.xml"));
        List<String> java = lines(CONSUMER.resolve("src/test/java/com/example/consumer/ConsumerTrainingTest.java"));
        for (Block b : blocks) {
            List<String> target = b.language.equals("xml") ? pom : b.language.equals("java") ? java : null;
            if (target == null) {
                fail("README 'Using a loss' has a ```" + b.language + " block; only xml and java blocks are checked");
            }
            if (!contains(target, b.lines)) {
                fail("README 'Using a loss' " + b.language + " block is not in the consumer project"
                        + " (integration-tests/consumer); copy the code from there:\n" + String.join("\n", b.lines));
            }
        }
    }

    @Test
    void theConsumerImportsThisBuildsBom() throws IOException {
        String rootPom = Files.readString(ROOT.resolve("pom.xml"), StandardCharsets.UTF_8);
        Matcher m = Pattern.compile("<artifactId>loss-variants-parent</artifactId>\\s*<version>([^<]+)</version>")
                .matcher(rootPom);
        assertTrue(m.find(), "no version in the root pom");
        String pom = Files.readString(CONSUMER.resolve("pom.xml"), StandardCharsets.UTF_8);
        Matcher bom = Pattern.compile("<artifactId>loss-bom</artifactId>\\s*<version>([^<]+)</version>").matcher(pom);
        assertTrue(bom.find(), "the consumer does not import loss-bom");
        assertEquals(m.group(1), bom.group(1), "the consumer's loss-bom version");
    }

    /** A fenced code block. */
    static final class Block {
        final String language;
        final List<String> lines;

        Block(String language, List<String> lines) {
            this.language = language;
            this.lines = lines;
        }
    }

    static List<Block> usingALossBlocks() throws IOException {
        List<String> readme = lines(ROOT.resolve("README.md"));
        int start = readme.indexOf("## Using a loss");
        assertTrue(start >= 0, "README has no '## Using a loss' section");
        List<Block> blocks = new ArrayList<>();
        for (int i = start + 1; i < readme.size() && !readme.get(i).startsWith("## "); i++) {
            if (readme.get(i).startsWith("```") && readme.get(i).length() > 3) {
                String language = readme.get(i).substring(3).trim();
                List<String> body = new ArrayList<>();
                for (i++; i < readme.size() && !readme.get(i).startsWith("```"); i++) {
                    body.add(readme.get(i));
                }
                blocks.add(new Block(language, body));
            }
        }
        return blocks;
    }

    /** @return whether {@code block} occurs in {@code text} as consecutive lines, all with one extra indentation */
    static boolean contains(List<String> text, List<String> block) {
        for (int i = 0; i + block.size() <= text.size(); i++) {
            String first = text.get(i);
            if (!first.endsWith(block.get(0)) || !first.substring(0, first.length() - block.get(0).length()).isBlank()) {
                continue;
            }
            String indent = first.substring(0, first.length() - block.get(0).length());
            boolean all = true;
            for (int j = 0; j < block.size() && all; j++) {
                String expected = block.get(j).isEmpty() ? "" : indent + block.get(j);
                all = text.get(i + j).equals(expected) || (block.get(j).isEmpty() && text.get(i + j).isBlank());
            }
            if (all) {
                return true;
            }
        }
        return false;
    }

    static List<String> lines(Path p) throws IOException {
        List<String> out = new ArrayList<>();
        for (String l : Files.readAllLines(p, StandardCharsets.UTF_8)) {
            out.add(l.stripTrailing());
        }
        return out;
    }
}
