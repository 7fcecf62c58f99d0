package io.github.lossvariants.api;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/** Conversion, checking and formatting of parameter values (package-private helper). */
final class ParameterValues {
    private ParameterValues() {
    }

    static Object normalize(ParameterSpec spec, Object value, String context) {
        if (value == null) {
            throw new LossConfigurationException(context + " parameter '" + spec.name() + "' is null; allowed: "
                    + allowed(spec));
        }
        Object normalized;
        switch (spec.type()) {
            case DOUBLE:
                normalized = toDouble(spec, value, context);
                checkRange(spec, (Double) normalized, value, context);
                return normalized;
            case INT:
                normalized = toInt(spec, value, context);
                checkRange(spec, ((Integer) normalized).doubleValue(), value, context);
                return normalized;
            case BOOLEAN:
                return toBoolean(spec, value, context);
            case DOUBLE_ARRAY:
            case INT_ARRAY:
                return toList(spec, value, context);
            case CHOICE:
                return toChoice(spec, value, context);
            default:
                throw new IllegalStateException(spec.type().name());
        }
    }

    private static Double toDouble(ParameterSpec spec, Object value, String context) {
        if (value instanceof Number) {
            return ((Number) value).doubleValue();
        }
        if (value instanceof String) {
            Double parsed = parseNumber((String) value);
            if (parsed != null) {
                return parsed;
            }
        }
        throw wrongType(spec, value, context);
    }

    private static Integer toInt(ParameterSpec spec, Object value, String context) {
        Double d = null;
        if (value instanceof Number) {
            d = ((Number) value).doubleValue();
        } else if (value instanceof String) {
            d = parseNumber((String) value);
        }
        if (d == null || d != Math.rint(d) || Math.abs(d) > Integer.MAX_VALUE) {
            throw wrongType(spec, value, context);
        }
        return (int) Math.rint(d);
    }

    private static Boolean toBoolean(ParameterSpec spec, Object value, String context) {
        if (value instanceof Boolean) {
            return (Boolean) value;
        }
        if (value instanceof String) {
            String s = ((String) value).trim();
            if (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false")) {
                return Boolean.valueOf(s);
            }
        }
        throw wrongType(spec, value, context);
    }

    private static String toChoice(ParameterSpec spec, Object value, String context) {
        if (value instanceof String || value instanceof Enum) {
            String word = value.toString().trim();
            for (String choice : spec.choices()) {
                if (choice.equalsIgnoreCase(word)) {
                    return choice;
                }
            }
            throw new LossConfigurationException(context + " invalid value for parameter " + spec.name() + "=" + word
                    + ". Must be one of " + spec.rangeText() + ".");
        }
        throw wrongType(spec, value, context);
    }

    private static List<Object> toList(ParameterSpec spec, Object value, String context) {
        List<Object> raw = new ArrayList<>();
        if (value instanceof double[]) {
            for (double d : (double[]) value) {
                raw.add(d);
            }
        } else if (value instanceof float[]) {
            for (float f : (float[]) value) {
                raw.add((double) f);
            }
        } else if (value instanceof int[]) {
            for (int i : (int[]) value) {
                raw.add(i);
            }
        } else if (value instanceof long[]) {
            for (long l : (long[]) value) {
                raw.add(l);
            }
        } else if (value instanceof List) {
            raw.addAll((List<?>) value);
        } else if (value instanceof String) {
            String s = ((String) value).trim();
            if (s.startsWith("[") && s.endsWith("]")) {
                s = s.substring(1, s.length() - 1);
            }
            for (String part : s.split(",")) {
                if (!part.isBlank()) {
                    raw.add(part.trim());
                }
            }
        } else {
            throw wrongType(spec, value, context);
        }
        if (raw.isEmpty()) {
            throw new LossConfigurationException(context + " parameter '" + spec.name() + "' is an empty list; allowed: "
                    + allowed(spec));
        }
        List<Object> out = new ArrayList<>(raw.size());
        for (int i = 0; i < raw.size(); i++) {
            Object element = raw.get(i);
            double d;
            if (element instanceof Number) {
                d = ((Number) element).doubleValue();
            } else if (element instanceof String && parseNumber((String) element) != null) {
                d = parseNumber((String) element);
            } else {
                throw wrongType(spec, value, context);
            }
            if (spec.type() == ParameterType.INT_ARRAY) {
                if (d != Math.rint(d)) {
                    throw wrongType(spec, value, context);
                }
                out.add((int) d);
            } else {
                out.add(d);
            }
            if (!spec.inRange(d) || Double.isInfinite(d)) {
                String range = spec.rangeText();
                throw new LossConfigurationException(context + " invalid value for parameter " + spec.name() + "="
                        + formatPlain(value) + ": element " + i + " is " + format(d) + ", every element must be "
                        + (range.isEmpty() ? "a finite number" : "finite and " + range));
            }
        }
        return Collections.unmodifiableList(out);
    }

    private static void checkRange(ParameterSpec spec, double v, Object original, String context) {
        if (!spec.inRange(v) || Double.isInfinite(v)) {
            String range = spec.rangeText();
            throw new LossConfigurationException(context + " invalid value for parameter " + spec.name() + "="
                    + formatPlain(original) + ". Must be " + (range.isEmpty() ? "a finite number" : "finite and " + range) + ".");
        }
    }

    private static LossConfigurationException wrongType(ParameterSpec spec, Object value, String context) {
        return new LossConfigurationException(context + " parameter '" + spec.name() + "' must be "
                + allowed(spec) + ", got " + value.getClass().getSimpleName() + " " + format(value));
    }

    static String allowed(ParameterSpec spec) {
        String range = spec.rangeText();
        return spec.type().description() + (range.isEmpty() ? "" : " " + range);
    }

    /** Parses a decimal, an exponent form or a fraction such as {@code 4/3}; null if not a number. */
    static Double parseNumber(String text) {
        String s = text.trim();
        try {
            int slash = s.indexOf('/');
            if (slash > 0) {
                double num = Double.parseDouble(s.substring(0, slash).trim());
                double den = Double.parseDouble(s.substring(slash + 1).trim());
                return den == 0 ? null : num / den;
            }
            if (s.isEmpty() || s.endsWith("d") || s.endsWith("D") || s.endsWith("f") || s.endsWith("F")) {
                return null;
            }
            return Double.parseDouble(s);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** Like {@link #format} but writes strings as they were typed, without quotes. */
    static String formatPlain(Object value) {
        return value instanceof String ? (String) value : format(value);
    }

    /** Formats a value the way a spec string writes it: 2, 0.25, [1, 2.5], true. */
    static String format(Object value) {
        if (value instanceof Double || value instanceof Float) {
            double d = ((Number) value).doubleValue();
            if (d == Math.rint(d) && Math.abs(d) < 1e15) {
                return Long.toString((long) d);
            }
            return Double.toString(d);
        }
        if (value instanceof List) {
            StringBuilder b = new StringBuilder("[");
            for (Object o : (List<?>) value) {
                if (b.length() > 1) {
                    b.append(", ");
                }
                b.append(formatPlain(o));
            }
            return b.append(']').toString();
        }
        if (value instanceof double[]) {
            List<Object> l = new ArrayList<>();
            for (double d : (double[]) value) {
                l.add(d);
            }
            return format(l);
        }
        if (value instanceof String) {
            return "\"" + value + "\"";
        }
        return String.valueOf(value).toLowerCase(Locale.ROOT);
    }
}
