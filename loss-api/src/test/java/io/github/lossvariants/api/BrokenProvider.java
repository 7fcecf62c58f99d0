package io.github.lossvariants.api;

/** A provider whose constructor throws: discovery must name it and go on. */
public final class BrokenProvider implements LossProvider {
    public BrokenProvider() {
        throw new IllegalStateException("constructor refuses");
    }

    @Override
    public String name() {
        return "broken";
    }

    @Override
    public String description() {
        return "";
    }

    @Override
    public ParameterSchema parameters() {
        return ParameterSchema.empty();
    }

    @Override
    public LossFunction create(LossParameters p) {
        return null;
    }
}
