package io.github.lossvariants.api.internal;

import io.github.lossvariants.api.LossConfigurationException;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses spec strings such as {@code 0.7*focal-tversky(gamma=4/3) + 0.3*ce} into terms (see
 * {@link io.github.lossvariants.api.LossSpecs} for the grammar). Values stay raw (String for
 * numbers and booleans, List of String for lists) so that the parameter schema does the typing.
 * Internal: not for public use, may change without notice.
 */
public final class SpecParser {

    /** One weighted term of a spec string. */
    public static final class Term {
        private final double weight;
        private final String name;
        private final Map<String, Object> parameters;
        private final int position;

        Term(double weight, String name, Map<String, Object> parameters, int position) {
            this.weight = weight;
            this.name = name;
            this.parameters = Collections.unmodifiableMap(parameters);
            this.position = position;
        }

        /** @return the weight, 1 when none was written */
        public double weight() {
            return weight;
        }

        /** @return the loss name */
        public String name() {
            return name;
        }

        /** @return the raw parameter values by name, in the written order */
        public Map<String, Object> parameters() {
            return parameters;
        }

        /** @return the 0-based position of the term's name in the spec string */
        public int position() {
            return position;
        }
    }

    private final String text;
    private int pos;

    private SpecParser(String text) {
        this.text = text;
    }

    /**
     * @param spec the spec string; not null
     * @return its terms, at least one
     * @throws LossConfigurationException pointing at the position of the first error
     */
    public static List<Term> parse(String spec) {
        if (spec == null || spec.isBlank()) {
            throw new LossConfigurationException("Loss spec is empty; expected e.g. focal(gamma=2, alpha=0.25) or ce + dice");
        }
        return new SpecParser(spec).terms();
    }

    private List<Term> terms() {
        List<Term> terms = new ArrayList<>();
        terms.add(term());
        skipSpaces();
        while (pos < text.length()) {
            expect('+', "'+' between terms (only weighted sums are supported)");
            terms.add(term());
            skipSpaces();
        }
        return terms;
    }

    private Term term() {
        skipSpaces();
        double weight = 1.0;
        int start = pos;
        if (pos < text.length() && (Character.isDigit(text.charAt(pos)) || text.charAt(pos) == '.' || text.charAt(pos) == '-')) {
            String number = number();
            weight = toDouble(number, start);
            skipSpaces();
            expect('*', "'*' after the weight " + number);
            if (!(weight > 0) || Double.isInfinite(weight)) {
                throw error(start, "weight " + number + " to be a finite number > 0");
            }
        }
        skipSpaces();
        int namePos = pos;
        String name = lossName();
        Map<String, Object> params = new LinkedHashMap<>();
        skipSpaces();
        if (pos < text.length() && text.charAt(pos) == '(') {
            pos++;
            skipSpaces();
            if (pos < text.length() && text.charAt(pos) == ')') {
                pos++;
            } else {
                while (true) {
                    skipSpaces();
                    int keyPos = pos;
                    String key = identifier();
                    skipSpaces();
                    expect('=', "'=' after parameter name '" + key + "'");
                    skipSpaces();
                    Object value = value(key);
                    if (params.put(key, value) != null) {
                        throw error(keyPos, "parameter '" + key + "' given only once");
                    }
                    skipSpaces();
                    if (pos < text.length() && text.charAt(pos) == ',') {
                        pos++;
                        continue;
                    }
                    expect(')', "',' or ')' after the value of '" + key + "'");
                    break;
                }
            }
        }
        skipSpaces();
        if (pos < text.length() && text.charAt(pos) == '*') {
            pos++;
            skipSpaces();
            int wPos = pos;
            String number = number();
            double trailing = toDouble(number, wPos);
            if (!(trailing > 0) || Double.isInfinite(trailing)) {
                throw error(wPos, "weight " + number + " to be a finite number > 0");
            }
            weight *= trailing;
        }
        return new Term(weight, name, params, namePos);
    }

    private Object value(String key) {
        if (pos >= text.length()) {
            throw error(pos, "a value for '" + key + "'");
        }
        char c = text.charAt(pos);
        if (c == '[') {
            pos++;
            List<String> items = new ArrayList<>();
            skipSpaces();
            if (pos < text.length() && text.charAt(pos) == ']') {
                pos++;
                return items;
            }
            while (true) {
                skipSpaces();
                items.add(numberOrFraction());
                skipSpaces();
                if (pos < text.length() && text.charAt(pos) == ',') {
                    pos++;
                    continue;
                }
                expect(']', "',' or ']' in the list for '" + key + "'");
                return items;
            }
        }
        if (Character.isLetter(c)) {
            // true, false or the word of a choice parameter; the schema checks which it may be
            return lossName();
        }
        return numberOrFraction();
    }

    private String numberOrFraction() {
        int start = pos;
        String n = number();
        skipSpaces();
        if (pos < text.length() && text.charAt(pos) == '/') {
            pos++;
            skipSpaces();
            String d = number();
            if (toDouble(d, pos) == 0) {
                throw error(start, "a fraction with a non-zero denominator");
            }
            return n + "/" + d;
        }
        return n;
    }

    private String number() {
        int start = pos;
        if (pos < text.length() && (text.charAt(pos) == '-' || text.charAt(pos) == '+')) {
            pos++;
        }
        while (pos < text.length() && (Character.isDigit(text.charAt(pos)) || text.charAt(pos) == '.')) {
            pos++;
        }
        if (pos < text.length() && (text.charAt(pos) == 'e' || text.charAt(pos) == 'E')) {
            int save = pos;
            pos++;
            if (pos < text.length() && (text.charAt(pos) == '-' || text.charAt(pos) == '+')) {
                pos++;
            }
            if (pos < text.length() && Character.isDigit(text.charAt(pos))) {
                while (pos < text.length() && Character.isDigit(text.charAt(pos))) {
                    pos++;
                }
            } else {
                pos = save;
            }
        }
        String s = text.substring(start, pos);
        toDouble(s, start);
        return s;
    }

    private double toDouble(String s, int at) {
        try {
            return Double.parseDouble(s);
        } catch (NumberFormatException e) {
            throw error(at, "a number");
        }
    }

    private String lossName() {
        int start = pos;
        while (pos < text.length() && (Character.isLetterOrDigit(text.charAt(pos)) || text.charAt(pos) == '-'
                || text.charAt(pos) == '_')) {
            pos++;
        }
        if (start == pos) {
            throw error(start, "a loss name");
        }
        return text.substring(start, pos);
    }

    private String identifier() {
        int start = pos;
        while (pos < text.length() && (Character.isLetterOrDigit(text.charAt(pos)) || text.charAt(pos) == '_')) {
            pos++;
        }
        if (start == pos) {
            throw error(start, "a parameter name");
        }
        return text.substring(start, pos);
    }

    private void expect(char c, String what) {
        if (pos >= text.length() || text.charAt(pos) != c) {
            throw error(pos, what);
        }
        pos++;
    }

    private void skipSpaces() {
        while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
            pos++;
        }
    }

    private LossConfigurationException error(int at, String expected) {
        return error(at, expected, at >= text.length() ? "end of input" : "'" + text.charAt(at) + "'");
    }

    private LossConfigurationException error(int at, String expected, String found) {
        return new LossConfigurationException("Malformed loss spec at position " + at + ": expected " + expected
                + ", found " + found + "\n" + excerpt(text, at));
    }

    /** Longest spec string an error message quotes whole; longer ones are cut to a window around the error. */
    static final int MAX_QUOTED = 80;

    /**
     * @return two lines: the spec (or, for a long one, {@link #MAX_QUOTED} characters of it around
     * {@code at}, elided ends marked {@code ...}) and a caret under position {@code at}, each indented
     * by two spaces
     */
    static String excerpt(String text, int at) {
        int from = 0;
        int to = text.length();
        if (to > MAX_QUOTED) {
            from = Math.max(0, Math.min(at - MAX_QUOTED / 2, text.length() - MAX_QUOTED));
            to = from + MAX_QUOTED;
        }
        String head = from > 0 ? "..." : "";
        String tail = to < text.length() ? "..." : "";
        return "  " + head + text.substring(from, to) + tail + "\n  " + " ".repeat(head.length() + at - from) + "^";
    }
}
