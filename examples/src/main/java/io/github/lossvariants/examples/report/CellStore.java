package io.github.lossvariants.examples.report;

import io.github.lossvariants.examples.bench.CellResult;
import org.nd4j.shade.jackson.databind.DeserializationFeature;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.databind.SerializationFeature;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

/**
 * The finished cells of a report folder, one JSON file per (loss, seed) under {@code cells/}: a run
 * that is interrupted and started again with the same settings reuses them instead of retraining.
 * Files are written to a temporary name and moved, so a kill never leaves a half-written cell.
 */
public final class CellStore {
    private static final Logger LOG = LoggerFactory.getLogger(CellStore.class);
    static final ObjectMapper JSON = new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(SerializationFeature.INDENT_OUTPUT);

    private final Path dir;

    /** @param reportDir the report folder */
    public CellStore(Path reportDir) {
        this.dir = reportDir.resolve("cells");
    }

    /** @return the file of a cell: a readable prefix of the spec plus its hash, and the seed */
    public Path file(String spec, int seed) {
        String safe = spec.replaceAll("[^A-Za-z0-9.=-]+", "_");
        if (safe.length() > 60) {
            safe = safe.substring(0, 60);
        }
        return dir.resolve(safe + "-" + String.format("%08x", spec.hashCode()) + "__seed" + seed + ".json");
    }

    /** @return the stored cell when it exists and was made with the same settings */
    public Optional<CellResult> load(String spec, int seed, String config) {
        Path f = file(spec, seed);
        if (!Files.isRegularFile(f)) {
            return Optional.empty();
        }
        try {
            CellResult r = JSON.readValue(f.toFile(), CellResult.class);
            if (!spec.equals(r.loss) || r.seed != seed || !config.equals(r.config)) {
                LOG.info("Not reusing {}: made with other settings ({}), now {}", f, r.config, config);
                return Optional.empty();
            }
            return Optional.of(r);
        } catch (IOException e) {
            LOG.warn("Ignoring unreadable cell {}: {}", f, e.getMessage());
            return Optional.empty();
        }
    }

    /** Stores a cell atomically. */
    public void save(CellResult r) throws IOException {
        Path f = file(r.loss, r.seed);
        Files.createDirectories(dir);
        Path tmp = f.resolveSibling(f.getFileName() + ".tmp");
        JSON.writeValue(tmp.toFile(), r);
        Files.move(tmp, f, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
