package dev.systemtables.notifications;

import dev.systemtables.common.BadInput;
import dev.systemtables.common.Check;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;

/** The notification rules that are theirs alone, as plain Java; each throws {@link BadInput} naming the field. */
public final class NotificationRules {

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
  static final Set<String> RECIPIENT_FIELDS = Set.of("userId", "userIds", "userRole");

  private static final Set<String> URL_SCHEMES = Set.of("http", "https");

  private NotificationRules() {
  }

  /**
   * An absolute {@code http(s)} URL with a host, or a path starting with exactly one {@code /}; null passes.
   * Refused: other schemes ({@code javascript:}, {@code data:}), scheme-relative {@code //host},
   * and anything with white space, control characters or backslashes, which browsers strip or
   * turn into slashes ({@code /\evil.example} and {@code /\t/evil.example} open another site).
   */
  public static String actionUrl(String field, String url) {
    if (url == null) return null;
    String invalid = field + " must be an http(s) URL or a path starting with a single /";
    Check.that(!url.isEmpty(), invalid);
    Check.that(url.length() <= ACTION_URL_MAX, field + " must be at most " + ACTION_URL_MAX + " characters");
    for (int i = 0; i < url.length(); i++) {
      char c = url.charAt(i);
      Check.that(!(c <= 0x20 || c == 0x7f || c == '\\' || Character.isWhitespace(c) || Character.isISOControl(c)),
          field + " must not contain white space, control characters or backslashes");
    }
    if (url.startsWith("/")) {
      Check.that(!url.startsWith("//") && isPath(url), invalid);
      return url;
    }
    try {
      URI uri = new URI(url);
      String scheme = uri.getScheme();
      Check.that(scheme != null && URL_SCHEMES.contains(scheme.toLowerCase(Locale.ROOT)), invalid);
      Check.that(uri.getHost() != null && !uri.getHost().isEmpty() && uri.getRawUserInfo() == null, invalid);
      return url;
    } catch (URISyntaxException e) {
      throw new BadInput(invalid);
    }
  }

  /** Metadata encodes to at most 16 KiB of UTF-8 JSON; null passes. */
  public static void metadataSize(String field, String encoded) {
    if (encoded == null) return;
    int bytes = encoded.getBytes(StandardCharsets.UTF_8).length;
    Check.that(bytes <= METADATA_MAX_BYTES,
        field + " must encode to at most " + METADATA_MAX_BYTES + " bytes of JSON (got " + bytes + ")");
  }

  private static boolean isPath(String path) {
    try {
      URI uri = new URI(path);
      return uri.getScheme() == null && uri.getRawAuthority() == null;
    } catch (URISyntaxException e) {
      return false;
    }
  }
}
