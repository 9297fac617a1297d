package io.hush.keras;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A strict, bounded JSON reader for Keras configs: objects become {@code LinkedHashMap<String,Object>} (key order
 * kept), arrays {@code List<Object>}, numbers {@code Double}, strings, booleans, and {@code null} the constant
 * {@link #NULL}. Python's {@code json.dumps} extensions {@code NaN}, {@code Infinity} and {@code -Infinity} are
 * accepted (Keras writes them for some defaults). Nesting deeper than {@link #MAX_DEPTH} is refused, so a hostile
 * file cannot exhaust the stack; every error is a {@link Json.Error} with the offset.
 */
final class Json {
    /** JSON {@code null} (a real object, so a missing key and an explicit null differ). */
    static final Object NULL = new Object() {
        @Override public String toString() { return "null"; }
    };
    static final int MAX_DEPTH = 200;

    /** A syntax error at an offset. */
    static final class Error extends Exception {
        Error(String message) {
            super(message);
        }
    }

    private final String s;
    private int i;

    private Json(String s) {
        this.s = s;
    }

    /** Parses one JSON value that must fill the whole text (whitespace aside). */
    static Object parse(String text) throws Error {
        Json j = new Json(text);
        j.ws();
        Object v = j.value(0);
        j.ws();
        if (j.i != text.length()) throw j.error("unexpected text after the end");
        return v;
    }

    private Error error(String what) {
        return new Error("JSON " + what + " at offset " + i);
    }

    private void ws() {
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c == ' ' || c == '\n' || c == '\r' || c == '\t') i++;
            else break;
        }
    }

    private Object value(int depth) throws Error {
        if (depth > MAX_DEPTH) throw error("nesting deeper than " + MAX_DEPTH);
        if (i >= s.length()) throw error("ends early");
        char c = s.charAt(i);
        switch (c) {
            case '{': return object(depth);
            case '[': return array(depth);
            case '"': return string();
            case 't': return literal("true", Boolean.TRUE);
            case 'f': return literal("false", Boolean.FALSE);
            case 'n': return literal("null", NULL);
            case 'N': return literal("NaN", Double.NaN);
            case 'I': return literal("Infinity", Double.POSITIVE_INFINITY);
            default:
                if (c == '-' && s.startsWith("-Infinity", i)) return literal("-Infinity", Double.NEGATIVE_INFINITY);
                if (c == '-' || (c >= '0' && c <= '9')) return number();
                throw error("unexpected character '" + c + "'");
        }
    }

    private Object literal(String word, Object v) throws Error {
        if (!s.startsWith(word, i)) throw error("bad literal");
        i += word.length();
        return v;
    }

    private Map<String, Object> object(int depth) throws Error {
        i++; // {
        Map<String, Object> m = new LinkedHashMap<>();
        ws();
        if (i < s.length() && s.charAt(i) == '}') {
            i++;
            return m;
        }
        while (true) {
            ws();
            if (i >= s.length() || s.charAt(i) != '"') throw error("expects a string key");
            String k = string();
            ws();
            if (i >= s.length() || s.charAt(i) != ':') throw error("expects ':'");
            i++;
            ws();
            m.put(k, value(depth + 1));
            ws();
            if (i >= s.length()) throw error("ends inside an object");
            char c = s.charAt(i++);
            if (c == '}') return m;
            if (c != ',') throw error("expects ',' or '}'");
        }
    }

    private List<Object> array(int depth) throws Error {
        i++; // [
        List<Object> l = new ArrayList<>();
        ws();
        if (i < s.length() && s.charAt(i) == ']') {
            i++;
            return Collections.unmodifiableList(l);
        }
        while (true) {
            ws();
            l.add(value(depth + 1));
            ws();
            if (i >= s.length()) throw error("ends inside an array");
            char c = s.charAt(i++);
            if (c == ']') return Collections.unmodifiableList(l);
            if (c != ',') throw error("expects ',' or ']'");
        }
    }

    private String string() throws Error {
        i++; // "
        StringBuilder b = new StringBuilder();
        while (true) {
            if (i >= s.length()) throw error("ends inside a string");
            char c = s.charAt(i++);
            if (c == '"') return b.toString();
            if (c < 0x20) throw error("control character in a string");
            if (c != '\\') {
                b.append(c);
                continue;
            }
            if (i >= s.length()) throw error("ends inside a string");
            char e = s.charAt(i++);
            switch (e) {
                case '"', '\\', '/' -> b.append(e);
                case 'b' -> b.append('\b');
                case 'f' -> b.append('\f');
                case 'n' -> b.append('\n');
                case 'r' -> b.append('\r');
                case 't' -> b.append('\t');
                case 'u' -> {
                    if (i + 4 > s.length()) throw error("short \\u escape");
                    int v = 0;
                    for (int k = 0; k < 4; k++) {
                        int d = Character.digit(s.charAt(i++), 16);
                        if (d < 0) throw error("bad \\u escape");
                        v = v * 16 + d;
                    }
                    b.append((char) v);
                }
                default -> throw error("bad escape \\" + e);
            }
        }
    }

    private Double number() throws Error {
        int start = i;
        if (s.charAt(i) == '-') i++;
        while (i < s.length()) {
            char c = s.charAt(i);
            if ((c >= '0' && c <= '9') || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-') i++;
            else break;
        }
        if (i - start > 64) throw error("number too long");
        try {
            return Double.parseDouble(s.substring(start, i));
        } catch (NumberFormatException e) {
            throw error("bad number '" + s.substring(start, i) + "'");
        }
    }
}
