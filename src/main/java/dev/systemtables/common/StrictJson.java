package dev.systemtables.common;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * JSON exactly as RFC 8259 writes it, read into Vert.x values ({@link JsonObject}, {@link JsonArray},
 * String, Number, Boolean, null) for everything a client sends: request bodies and token claims.
 *
 * <p>Why not {@code io.vertx.core.json.Json}: Vert.x turns on comments, and Jackson's defaults read
 * {@code 1e400} as Infinity (stored later as the string {@code "Infinity"}), {@code 1e-400} as 0, a
 * duplicate member as "the last one wins", and decode bytes that are not UTF-8 into U+FFFD. Each of
 * these lets two different documents mean the same thing, or one document mean something else than it
 * says. Here every one of them is refused, naming where it is:
 * <ul>
 *   <li>syntax beyond RFC 8259 (comments, single quotes, NaN, trailing commas, leading zeros, ...),
 *   bytes that are not UTF-8, and duplicate member names: {@link Invalid#syntax()} is true;</li>
 *   <li>a number beyond the range of a double, or one that underflows to zero although it is not
 *   zero; a string or member name holding U+0000 (which PostgreSQL text cannot store) or a lone
 *   UTF-16 surrogate (which no UTF-8 writer can store): {@link Invalid#path()} names the value.</li>
 * </ul>
 */
public final class StrictJson {

  // Jackson's defaults already refuse comments, NaN, single quotes and the like; the features are
  // named anyway so that no global default can turn them back on. Duplicate detection is off by default.
  private static final JsonFactory FACTORY = JsonFactory.builder()
      .disable(JsonReadFeature.ALLOW_JAVA_COMMENTS)
      .disable(JsonReadFeature.ALLOW_YAML_COMMENTS)
      .disable(JsonReadFeature.ALLOW_SINGLE_QUOTES)
      .disable(JsonReadFeature.ALLOW_UNQUOTED_FIELD_NAMES)
      .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
      .disable(JsonReadFeature.ALLOW_LEADING_ZEROS_FOR_NUMBERS)
      .disable(JsonReadFeature.ALLOW_TRAILING_COMMA)
      .disable(JsonReadFeature.ALLOW_MISSING_VALUES)
      .disable(JsonReadFeature.ALLOW_UNESCAPED_CONTROL_CHARS)
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      // Error messages must not echo the document back.
      .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
      .build();

  private StrictJson() {
  }

  /** Why a document was refused: where ({@code ""} for the document itself) and what is wrong there. */
  public static final class Invalid extends RuntimeException {
    private final String path;
    private final boolean syntax;

    Invalid(String path, String reason, boolean syntax) {
      super(reason, null, false, false);
      this.path = path;
      this.syntax = syntax;
    }

    /** The member path, e.g. {@code metadata.amount} or {@code users[3].role}; empty for the whole document. */
    public String path() {
      return path;
    }

    /** True when the text is not (strict, UTF-8) JSON at all; false when a value inside it is refused. */
    public boolean syntax() {
      return syntax;
    }

    /** A sentence naming the place: the path, or {@code root} when the whole document is at fault. */
    public String describe(String root) {
      return (path.isEmpty() ? root : path) + " " + getMessage();
    }
  }

  /** Parses UTF-8 bytes; anything else than one strict JSON value throws {@link Invalid}. */
  public static Object parse(byte[] utf8) {
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(utf8)).toString();
    } catch (CharacterCodingException e) {
      throw new Invalid("", "is not valid UTF-8", true);
    }
    return parse(text);
  }

  /** Parses text; anything else than one strict JSON value throws {@link Invalid}. */
  public static Object parse(String text) {
    try (JsonParser parser = FACTORY.createParser(text)) {
      JsonToken first = parser.nextToken();
      if (first == null) throw new Invalid("", "is empty", true);
      Object value = value(parser, "");
      if (parser.nextToken() != null) throw new Invalid("", "holds more than one JSON value", true);
      return value;
    } catch (JsonProcessingException e) {
      String reason = e.getOriginalMessage();
      int newline = reason.indexOf('\n');
      if (newline >= 0) reason = reason.substring(0, newline);
      var at = e.getLocation();
      String where = at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")";
      throw new Invalid("", "is not valid JSON: " + reason + where, true);
    } catch (IOException e) {
      throw new Invalid("", "is not valid JSON", true);
    }
  }

  private static Object value(JsonParser p, String path) throws IOException {
    switch (p.currentToken()) {
      case START_OBJECT: {
        Map<String, Object> members = new LinkedHashMap<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String name = p.currentName();
          String child = path.isEmpty() ? name : path + "." + name;
          checkString(name, child);
          p.nextToken();
          members.put(name, value(p, child));
        }
        return new JsonObject(members);
      }
      case START_ARRAY: {
        List<Object> items = new ArrayList<>();
        while (p.nextToken() != JsonToken.END_ARRAY) {
          items.add(value(p, path + "[" + items.size() + "]"));
        }
        return new JsonArray(items);
      }
      case VALUE_STRING: {
        String s = p.getText();
        checkString(s, path);
        return s;
      }
      case VALUE_NUMBER_INT: {
        Number n = p.getNumberValue();
        if (n instanceof BigInteger big && Double.isInfinite(big.doubleValue())) throw outOfRange(path);
        return n;
      }
      case VALUE_NUMBER_FLOAT: {
        double d = p.getDoubleValue();
        if (Double.isInfinite(d)) throw outOfRange(path);
        if (d == 0.0 && !zeroLiteral(p.getText())) {
          throw new Invalid(path, "is a number too small to be represented (it would read as 0)", false);
        }
        return p.getNumberValue();
      }
      case VALUE_TRUE:
        return Boolean.TRUE;
      case VALUE_FALSE:
        return Boolean.FALSE;
      case VALUE_NULL:
        return null;
      default:
        throw new Invalid(path, "is not a JSON value", true);
    }
  }

  private static Invalid outOfRange(String path) {
    return new Invalid(path, "is a number beyond the range of a double (about ±1.8e308)", false);
  }

  private static void checkString(String s, String path) {
    if (s.indexOf('\0') >= 0) throw new Invalid(path, "must not contain the NUL character (\\u0000)", false);
    if (Text.loneSurrogate(s) >= 0) throw new Invalid(path, "must not contain a lone UTF-16 surrogate", false);
  }

  /** Whether a number's digits before the exponent are all zero ({@code 0.0e-999} is zero, {@code 1e-400} is not). */
  private static boolean zeroLiteral(String number) {
    for (int i = 0; i < number.length(); i++) {
      char c = number.charAt(i);
      if (c == 'e' || c == 'E') break;
      if (c >= '1' && c <= '9') return false;
    }
    return true;
  }
}
