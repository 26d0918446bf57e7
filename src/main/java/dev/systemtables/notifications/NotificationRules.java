package dev.systemtables.notifications;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Validation rules of notifications, as plain Java. Each check returns an error detail naming the
 * field, or null when the value is fine.
 */
public final class NotificationRules {

  public static final List<String> TYPES = List.of("LICENSE", "PAYOUT", "ROYALTY", "PROJECT", "SYSTEM");
  public static final List<String> PRIORITIES = List.of("LOW", "MEDIUM", "HIGH", "URGENT");
  public static final String DEFAULT_PRIORITY = "MEDIUM";
  public static final int TITLE_MAX = 255;
  public static final int MESSAGE_MAX = 1000;
  public static final int ACTION_URL_MAX = 2048;
  public static final int METADATA_MAX_BYTES = 16 * 1024;
  public static final int MAX_RECIPIENT_IDS = 10_000;
  /** Above this many recipients the create reply leaves out the ids. */
  public static final int MAX_LISTED_IDS = 1_000;
  public static final int PAGE_SIZE_MAX = 100;
  public static final int PAGE_SIZE_DEFAULT = 20;
  /** Keeps {@code (page - 1) * pageSize} far from overflow; nobody pages that deep in an inbox. */
  public static final int PAGE_MAX = 1_000_000;

  private static final Set<String> URL_SCHEMES = Set.of("http", "https");

  private NotificationRules() {
  }

  public static String checkType(String field, String type, boolean required) {
    if (type == null) return required ? field + " is required" : null;
    return TYPES.contains(type) ? null : field + " must be one of " + String.join(", ", TYPES);
  }

  public static String checkPriority(String field, String priority) {
    if (priority == null) return null;
    return PRIORITIES.contains(priority) ? null : field + " must be one of " + String.join(", ", PRIORITIES);
  }

  /** Required text of 1..max characters (Unicode code points), not only white space. */
  public static String checkText(String field, String value, int max) {
    if (value == null) return field + " is required";
    if (value.isBlank()) return field + " must not be empty";
    if (value.codePointCount(0, value.length()) > max) return field + " must be at most " + max + " characters";
    return null;
  }

  /**
   * An absolute {@code http(s)} URL with a host, or a path starting with exactly one {@code /}.
   * Refused: other schemes ({@code javascript:}, {@code data:}), scheme-relative {@code //host},
   * and anything with white space, control characters or backslashes, which browsers strip or
   * turn into slashes ({@code /\evil.example} and {@code /\t/evil.example} open another site).
   */
  public static String checkActionUrl(String field, String url) {
    if (url == null) return null;
    String invalid = field + " must be an http(s) URL or a path starting with a single /";
    if (url.isEmpty() || url.length() > ACTION_URL_MAX) {
      return url.isEmpty() ? invalid : field + " must be at most " + ACTION_URL_MAX + " characters";
    }
    for (int i = 0; i < url.length(); i++) {
      char c = url.charAt(i);
      if (c <= 0x20 || c == 0x7f || c == '\\' || Character.isWhitespace(c) || Character.isISOControl(c)) {
        return field + " must not contain white space, control characters or backslashes";
      }
    }
    if (url.startsWith("/")) {
      if (url.startsWith("//")) return invalid;
      return parses(url) ? null : invalid;
    }
    try {
      URI uri = new URI(url);
      String scheme = uri.getScheme();
      if (scheme == null || !URL_SCHEMES.contains(scheme.toLowerCase(Locale.ROOT))) return invalid;
      if (uri.getHost() == null || uri.getHost().isEmpty() || uri.getRawUserInfo() != null) return invalid;
      return null;
    } catch (URISyntaxException e) {
      return invalid;
    }
  }

  /** Metadata encodes to at most 16 KiB of UTF-8 JSON. */
  public static String checkMetadataSize(String field, String encoded) {
    if (encoded == null) return null;
    int bytes = encoded.getBytes(StandardCharsets.UTF_8).length;
    return bytes > METADATA_MAX_BYTES
        ? field + " must encode to at most " + METADATA_MAX_BYTES + " bytes of JSON (got " + bytes + ")"
        : null;
  }

  /** A query parameter meant as a boolean: exactly {@code true} or {@code false}. */
  public static Boolean parseBoolean(String field, String value) {
    if (value == null) return null;
    if ("true".equals(value)) return true;
    if ("false".equals(value)) return false;
    throw new IllegalArgumentException(field + " must be true or false");
  }

  /** A query parameter meant as an integer in [min, max]. */
  public static int parseInt(String field, String value, int fallback, int min, int max) {
    if (value == null) return fallback;
    int n;
    try {
      n = Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(field + " must be an integer between " + min + " and " + max);
    }
    if (n < min || n > max) throw new IllegalArgumentException(field + " must be between " + min + " and " + max);
    return n;
  }

  private static boolean parses(String path) {
    try {
      URI uri = new URI(path);
      return uri.getScheme() == null && uri.getRawAuthority() == null;
    } catch (URISyntaxException e) {
      return false;
    }
  }
}
