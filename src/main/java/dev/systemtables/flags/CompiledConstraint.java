package dev.systemtables.flags;

import com.google.common.net.InetAddresses;
import org.semver4j.Semver;

import java.math.BigDecimal;
import java.net.InetAddress;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A {@link Constraint} ready for evaluation: its operands parsed once (numbers, dates, versions, patterns, address
 * ranges), so a check only reads the caller's field. Operator semantics are Unleash's (its SDKs' {@code strategy.ts}):
 * <ul>
 *   <li>IN/NOT_IN: exact match against the non-empty values, trimmed; a missing field is NOT_IN.</li>
 *   <li>STR_*: any value; the field must be a string; {@code caseInsensitive} lower-cases both sides.</li>
 *   <li>NUM_*: the single value and the field converted as JavaScript's {@code Number()} does (so numbers may be
 *   given as strings); NaN on either side is false.</li>
 *   <li>DATE_AFTER/DATE_BEFORE: the context's {@code currentTime}, else the clock, strictly after/before the value
 *   (the constraint's field name is not read, as in Unleash); an invalid date is false.</li>
 *   <li>SEMVER_*: both sides strict semantic versions without a leading {@code v}; pre-releases sort lower.</li>
 *   <li>REGEX: any value found in the string field ({@code caseInsensitive} honoured); invalid patterns never match.</li>
 *   <li>IN_CIDR: the field is an IP address inside one of the ranges (or equal to one of the addresses).</li>
 *   <li>An unknown operator is false, inverted or not; otherwise {@code inverted} negates the result, also when the
 *   field is missing.</li>
 * </ul>
 */
final class CompiledConstraint {

  private static final Pattern JS_DECIMAL =
      Pattern.compile("[+-]?(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][+-]?\\d+)?");

  final Constraint source;
  private final String field;
  private final Operator operator;
  private final boolean inverted;
  private final boolean caseInsensitive;
  /** IN/NOT_IN. */
  private final Set<String> set;
  /** STR_*: the cleaned values, lower-cased when case-insensitive. */
  private final String[] strings;
  private final double number;
  private final Instant date;
  private final Semver version;
  private final Pattern[] patterns;
  private final byte[][] networks;
  private final int[] prefixes;

  CompiledConstraint(Constraint c) {
    this.source = c;
    this.field = c.contextName();
    this.operator = c.operator();
    this.inverted = c.inverted();
    this.caseInsensitive = c.caseInsensitive();
    List<String> cleaned = clean(c.values());
    Set<String> s = null;
    String[] str = null;
    double n = Double.NaN;
    Instant d = null;
    Semver v = null;
    Pattern[] p = null;
    byte[][] nets = null;
    int[] pre = null;
    if (operator != null) {
      switch (operator) {
        case IN, NOT_IN -> s = new HashSet<>(cleaned);
        case STR_CONTAINS, STR_STARTS_WITH, STR_ENDS_WITH -> str = cleaned.stream()
            .map(x -> caseInsensitive ? x.toLowerCase(Locale.ROOT) : x).toArray(String[]::new);
        case NUM_EQ, NUM_GT, NUM_GTE, NUM_LT, NUM_LTE -> n = jsNumber(c.value());
        case DATE_AFTER, DATE_BEFORE -> d = date(c.value());
        case SEMVER_EQ, SEMVER_GT, SEMVER_GTE, SEMVER_LT, SEMVER_LTE -> v = semver(c.value());
        case REGEX -> {
          List<Pattern> compiled = new ArrayList<>();
          List<String> sources = new ArrayList<>(c.values());
          if (c.value() != null) sources.add(c.value());
          for (String x : sources) {
            Pattern pattern = pattern(x, caseInsensitive);
            if (pattern != null) compiled.add(pattern);
          }
          p = compiled.toArray(Pattern[]::new);
        }
        case IN_CIDR -> {
          List<byte[]> ns = new ArrayList<>();
          List<Integer> ps = new ArrayList<>();
          for (String x : cleaned) {
            Object[] range = cidr(x);
            if (range != null) {
              ns.add((byte[]) range[0]);
              ps.add((Integer) range[1]);
            }
          }
          nets = ns.toArray(byte[][]::new);
          pre = ps.stream().mapToInt(Integer::intValue).toArray();
        }
        default -> {
        }
      }
    }
    this.set = s;
    this.strings = str;
    this.number = n;
    this.date = d;
    this.version = v;
    this.patterns = p;
    this.networks = nets;
    this.prefixes = pre;
    this.versions = v == null ? null : new java.util.concurrent.ConcurrentHashMap<>();
  }

  /**
   * Whether the result may change with the clock alone: DATE_* reads the node's clock when the context carries no
   * {@code currentTime} (every token-only caller), so such an answer must never be stored (see {@link FlagAnswers}).
   */
  boolean readsClock() {
    return operator == Operator.DATE_AFTER || operator == Operator.DATE_BEFORE;
  }

  /** Whether the constraint holds for this caller. */
  boolean test(EvaluationContext ctx) {
    if (operator == null) return false;
    boolean result = switch (operator) {
      case IN -> in(ctx.field(field));
      case NOT_IN -> !in(ctx.field(field));
      case STR_CONTAINS, STR_STARTS_WITH, STR_ENDS_WITH -> string(ctx.field(field));
      case NUM_EQ, NUM_GT, NUM_GTE, NUM_LT, NUM_LTE -> number(ctx.field(field));
      case DATE_AFTER, DATE_BEFORE -> date(ctx.currentTime());
      case SEMVER_EQ, SEMVER_GT, SEMVER_GTE, SEMVER_LT, SEMVER_LTE -> semver(ctx.field(field));
      case REGEX -> regex(ctx.field(field));
      case IN_CIDR -> cidr(ctx.field(field));
    };
    return inverted != result;
  }

  private boolean in(Object value) {
    String s = text(value);
    return s != null && set.contains(s);
  }

  private boolean string(Object value) {
    if (!(value instanceof String s)) return false;
    if (caseInsensitive) s = s.toLowerCase(Locale.ROOT);
    for (String candidate : strings) {
      boolean hit = switch (operator) {
        case STR_STARTS_WITH -> s.startsWith(candidate);
        case STR_ENDS_WITH -> s.endsWith(candidate);
        default -> s.contains(candidate);
      };
      if (hit) return true;
    }
    return false;
  }

  private boolean number(Object value) {
    double given = jsNumber(value);
    if (Double.isNaN(given) || Double.isNaN(number)) return false;
    return switch (operator) {
      case NUM_EQ -> given == number;
      case NUM_GT -> given > number;
      case NUM_GTE -> given >= number;
      case NUM_LT -> given < number;
      default -> given <= number;
    };
  }

  private boolean date(Instant currentTime) {
    if (date == null) return false;
    Instant now = currentTime != null ? currentTime : Instant.now();
    return operator == Operator.DATE_AFTER ? now.isAfter(date) : now.isBefore(date);
  }

  /**
   * Versions seen in contexts, parsed once: callers report few distinct versions, so a bounded cache spares
   * re-parsing them on every evaluation (invalid ones are cached as {@link #INVALID}).
   */
  private final java.util.concurrent.ConcurrentHashMap<String, Object> versions;
  private static final Object INVALID = new Object();
  private static final int MAX_CACHED_VERSIONS = 1024;

  private boolean semver(Object value) {
    if (version == null || !(value instanceof String s)) return false;
    Object cached = versions.get(s);
    if (cached == null) {
      Semver parsed = semver(s);
      cached = parsed == null ? INVALID : parsed;
      if (versions.size() < MAX_CACHED_VERSIONS) versions.put(s, cached);
    }
    if (cached == INVALID) return false;
    Semver given = (Semver) cached;
    int cmp = given.compareTo(version);
    return switch (operator) {
      case SEMVER_EQ -> cmp == 0;
      case SEMVER_GT -> cmp > 0;
      case SEMVER_GTE -> cmp >= 0;
      case SEMVER_LT -> cmp < 0;
      default -> cmp <= 0;
    };
  }

  private boolean regex(Object value) {
    if (!(value instanceof String s)) return false;
    for (Pattern p : patterns) {
      if (p.matcher(s).find()) return true;
    }
    return false;
  }

  private boolean cidr(Object value) {
    if (!(value instanceof String s) || networks.length == 0) return false;
    byte[] address = address(s);
    if (address == null) return false;
    for (int i = 0; i < networks.length; i++) {
      if (inNetwork(address, networks[i], prefixes[i])) return true;
    }
    return false;
  }

  // ---- operand parsing, shared with FlagRules (validation) -----------------------------------------------

  /** Unleash's cleaning of a values list: empty entries dropped, the rest trimmed. */
  static List<String> clean(List<String> values) {
    List<String> out = new ArrayList<>(values.size());
    for (String v : values) {
      if (v != null && !v.isEmpty()) out.add(v.trim());
    }
    return out;
  }

  /**
   * A field value as the text IN/NOT_IN, overrides and stickiness compare: strings as they are, numbers and
   * booleans as JSON writes them, instants in ISO-8601; null for a missing field or anything else.
   */
  static String text(Object value) {
    if (value instanceof String s) return s;
    if (value instanceof BigDecimal d) {
      BigDecimal stripped = d.stripTrailingZeros();
      return stripped.scale() <= 0 ? stripped.toBigInteger().toString() : stripped.toPlainString();
    }
    if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte
        || value instanceof Boolean) {
      return value.toString();
    }
    if (value instanceof Double || value instanceof Float) {
      double d = ((Number) value).doubleValue();
      if (d == Math.rint(d) && !Double.isInfinite(d) && Math.abs(d) < 1e15) return Long.toString((long) d);
      return value.toString();
    }
    if (value instanceof Instant i) return i.toString();
    return null;
  }

  /** JavaScript's {@code Number(value)} for the values a context holds; NaN when it is not a number. */
  static double jsNumber(Object value) {
    if (value == null) return Double.NaN;
    if (value instanceof Number n) return n.doubleValue();
    if (value instanceof Boolean b) return b ? 1 : 0;
    if (!(value instanceof String s)) return Double.NaN;
    String t = s.strip();
    if (t.isEmpty()) return 0;
    if (JS_DECIMAL.matcher(t).matches()) return Double.parseDouble(t);
    switch (t) {
      case "Infinity", "+Infinity":
        return Double.POSITIVE_INFINITY;
      case "-Infinity":
        return Double.NEGATIVE_INFINITY;
      default:
        break;
    }
    if (t.length() > 2 && t.charAt(0) == '0') {
      int radix = switch (t.charAt(1)) {
        case 'x', 'X' -> 16;
        case 'o', 'O' -> 8;
        case 'b', 'B' -> 2;
        default -> 0;
      };
      if (radix != 0) {
        try {
          return new java.math.BigInteger(t.substring(2), radix).doubleValue();
        } catch (NumberFormatException e) {
          return Double.NaN;
        }
      }
    }
    return Double.NaN;
  }

  /**
   * An ISO-8601 date-time ({@code 2024-05-01T10:00:00Z}, with an offset, or without one read as UTC) or date
   * ({@code 2024-05-01}, midnight UTC); null when invalid.
   */
  static Instant date(String value) {
    if (value == null) return null;
    String t = value.strip();
    try {
      return OffsetDateTime.parse(t).toInstant();
    } catch (DateTimeParseException ignored) {
      // try the next form
    }
    try {
      return LocalDateTime.parse(t).toInstant(ZoneOffset.UTC);
    } catch (DateTimeParseException ignored) {
      // try the next form
    }
    try {
      return LocalDate.parse(t).atStartOfDay().toInstant(ZoneOffset.UTC);
    } catch (DateTimeParseException ignored) {
      return null;
    }
  }

  /** A strict semantic version (no leading {@code v}, no surrounding space); null when invalid. */
  static Semver semver(String value) {
    if (value == null || value.isEmpty()) return null;
    char first = value.charAt(0);
    if (first < '0' || first > '9' || Character.isWhitespace(value.charAt(value.length() - 1))) return null;
    return Semver.parse(value);
  }

  /**
   * The compiled pattern, or null when it is not a valid regular expression. Unleash's REGEX is RE2 syntax (its
   * engines use RE2-style libraries): POSIX classes such as {@code [[:alpha:]]} are translated, and what RE2 refuses
   * (look-around, back-references, atomic groups, possessive quantifiers) is invalid here too.
   */
  static Pattern pattern(String regex, boolean caseInsensitive) {
    if (regex == null) return null;
    String java = re2ToJava(regex);
    if (java == null) return null;
    try {
      return Pattern.compile(java, caseInsensitive ? Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE : 0);
    } catch (PatternSyntaxException e) {
      return null;
    }
  }

  private static final Map<String, String> POSIX_CLASSES = Map.ofEntries(
      Map.entry("alpha", "\\p{Alpha}"), Map.entry("digit", "\\p{Digit}"), Map.entry("alnum", "\\p{Alnum}"),
      Map.entry("upper", "\\p{Upper}"), Map.entry("lower", "\\p{Lower}"), Map.entry("space", "\\s"),
      Map.entry("punct", "\\p{Punct}"), Map.entry("xdigit", "\\p{XDigit}"), Map.entry("word", "\\w"),
      Map.entry("blank", "\\p{Blank}"), Map.entry("cntrl", "\\p{Cntrl}"), Map.entry("print", "\\p{Print}"),
      Map.entry("graph", "\\p{Graph}"), Map.entry("ascii", "\\p{ASCII}"));

  /** An RE2 pattern in Java's syntax, or null when it uses what RE2 does not have. */
  static String re2ToJava(String regex) {
    StringBuilder out = new StringBuilder(regex.length() + 8);
    boolean inClass = false;
    for (int i = 0; i < regex.length(); i++) {
      char ch = regex.charAt(i);
      if (ch == '\\') {
        if (i + 1 >= regex.length()) return null;
        char next = regex.charAt(i + 1);
        if ((next >= '1' && next <= '9') || next == 'k') return null; // back-reference
        out.append(ch).append(next);
        i++;
        continue;
      }
      if (inClass) {
        if (ch == '[' && i + 1 < regex.length() && regex.charAt(i + 1) == ':') {
          int end = regex.indexOf(":]", i + 2);
          if (end < 0) return null;
          boolean negated = regex.charAt(i + 2) == '^';
          String name = regex.substring(i + (negated ? 3 : 2), end);
          String java = POSIX_CLASSES.get(name);
          if (java == null) return null;
          out.append(negated ? "[^" + java + "]" : java);
          i = end + 1;
          continue;
        }
        if (ch == ']') inClass = false;
        out.append(ch);
        continue;
      }
      if (ch == '[') {
        inClass = true;
        out.append(ch);
        if (i + 1 < regex.length() && regex.charAt(i + 1) == '^') out.append(regex.charAt(++i));
        if (i + 1 < regex.length() && regex.charAt(i + 1) == ']') out.append(regex.charAt(++i));
        continue;
      }
      if (ch == '(' && regex.startsWith("(?", i)) {
        String rest = regex.substring(i + 2);
        if (rest.startsWith("=") || rest.startsWith("!") || rest.startsWith("<=") || rest.startsWith("<!")
            || rest.startsWith(">")) {
          return null; // look-around, atomic group
        }
      }
      if ((ch == '+') && i > 0 && isQuantifierEnd(regex, i - 1)) return null; // possessive
      out.append(ch);
    }
    return inClass ? null : out.toString();
  }

  /** Whether position {@code i} ends a quantifier ({@code * + ? }}), so a following {@code +} is possessive. */
  private static boolean isQuantifierEnd(String regex, int i) {
    char c = regex.charAt(i);
    if (i > 0 && regex.charAt(i - 1) == '\\') return false;
    return c == '*' || c == '+' || c == '?' || c == '}';
  }

  /** {network bytes, prefix length} of a CIDR range or a single address; null when invalid. */
  static Object[] cidr(String value) {
    if (value == null) return null;
    int slash = value.indexOf('/');
    String host = slash < 0 ? value : value.substring(0, slash);
    byte[] bytes = address(host);
    if (bytes == null) return null;
    int max = bytes.length * 8;
    int prefix = max;
    if (slash >= 0) {
      String bits = value.substring(slash + 1);
      if (bits.isEmpty() || bits.length() > 3 || !bits.chars().allMatch(Character::isDigit)) return null;
      prefix = Integer.parseInt(bits);
      if (prefix > max) return null;
    }
    return new Object[] {bytes, prefix};
  }

  private static byte[] address(String text) {
    if (text == null || text.isEmpty() || !InetAddresses.isInetAddress(text)) return null;
    InetAddress a = InetAddresses.forString(text);
    return a.getAddress();
  }

  private static boolean inNetwork(byte[] address, byte[] network, int prefix) {
    if (address.length != network.length) return false;
    int full = prefix / 8;
    for (int i = 0; i < full; i++) {
      if (address[i] != network[i]) return false;
    }
    int rest = prefix % 8;
    if (rest == 0) return true;
    int mask = (0xFF << (8 - rest)) & 0xFF;
    return (address[full] & mask) == (network[full] & mask);
  }
}
