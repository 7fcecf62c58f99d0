package io.github.lossvariants.api;

import io.github.lossvariants.api.internal.SpecParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SpecParserTest {

    @Test
    void parsesWeightedTerms() {
        List<SpecParser.Term> t = SpecParser.parse(" 0.7*focal-tversky(gamma=4/3, batch=true) + ce ");
        assertEquals(2, t.size());
        assertEquals(0.7, t.get(0).weight());
        assertEquals("focal-tversky", t.get(0).name());
        assertEquals("4/3", t.get(0).parameters().get("gamma"));
        assertEquals("true", t.get(0).parameters().get("batch"));
        assertEquals(1.0, t.get(1).weight());
        assertEquals("ce", t.get(1).name());
        assertEquals(" 0.7*focal-tversky(gamma=4/3, batch=true) + ce ".indexOf("ce "), t.get(1).position());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "focal(gamma 2)|12|expected '=' after parameter name 'gamma', found '2'",
            "focal(gamma=2|13|expected ',' or ')' after the value of 'gamma', found end of input",
            "'ce + '|5|expected a loss name, found end of input",
            "ce - dice|3|expected '+' between terms (only weighted sums are supported), found '-'",
            "0.5 ce|4|expected '*' after the weight 0.5, found 'c'",
            "-1*ce|0|expected weight -1 to be a finite number > 0, found '-'",
            "focal(gamma=1, gamma=2)|15|expected parameter 'gamma' given only once, found 'g'",
            "focal(weights=[1, 2)|19|expected ',' or ']' in the list for 'weights', found ')'"})
    void malformedSpecsPointAtThePosition(String spec, int position, String expected) {
        LossConfigurationException e = assertThrows(LossConfigurationException.class, () -> SpecParser.parse(spec));
        String[] lines = e.getMessage().split("\n");
        assertEquals("Malformed loss spec at position " + position + ": " + expected, lines[0]);
        assertEquals("  " + spec, lines[1]);
        assertEquals("  " + " ".repeat(position) + "^", lines[2]);
    }

    @Test
    void emptySpecIsRejected() {
        LossConfigurationException e = assertThrows(LossConfigurationException.class, () -> SpecParser.parse("  "));
        assertTrue(e.getMessage().startsWith("Loss spec is empty"), e.getMessage());
    }

    @Test
    void wordsAreValuesForChoiceParametersAndTheSchemaTypesThem() {
        List<SpecParser.Term> t = SpecParser.parse("lovasz(mode=binary, perImage=true)");
        assertEquals(Map.of("mode", "binary", "perImage", "true"), t.get(0).parameters());
    }

    @Test
    void aLongSpecIsQuotedAsAWindowAroundTheErrorWithTheCaretUnderIt() {
        String spec = "ce + ".repeat(1000) + "ce - dice" + " + ce".repeat(1000);
        int at = spec.indexOf(" - ") + 1;
        LossConfigurationException e = assertThrows(LossConfigurationException.class, () -> SpecParser.parse(spec));
        String[] lines = e.getMessage().split("\n");
        assertEquals("Malformed loss spec at position " + at
                + ": expected '+' between terms (only weighted sums are supported), found '-'", lines[0]);
        assertEquals("  ..." + spec.substring(at - 40, at + 40) + "...", lines[1]);
        assertEquals("  " + " ".repeat(3 + 40) + "^", lines[2]);
        assertTrue(e.getMessage().length() < 300, "the message stays short: " + e.getMessage().length());
    }

    @Test
    void anErrorNearTheEndOfALongSpecQuotesItsLast80Characters() {
        String spec = "ce + ".repeat(2000) + "ce - dice";
        int at = spec.length() - 6;
        LossConfigurationException e = assertThrows(LossConfigurationException.class, () -> SpecParser.parse(spec));
        String[] lines = e.getMessage().split("\n");
        assertEquals("  ..." + spec.substring(spec.length() - 80), lines[1]);
        assertEquals("  " + " ".repeat(3 + 80 - 6) + "^", lines[2]);
    }
}
