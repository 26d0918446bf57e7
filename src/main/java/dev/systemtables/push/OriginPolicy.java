package dev.systemtables.push;

import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Which browser origins may open the event-bus socket (cross-site WebSocket hijacking guard).
 * A request without an {@code Origin} header is not from a browser page and passes; a browser
 * request passes when its origin is configured, or when it is the page's own origin (its
 * {@code host[:port]} equals the request's {@code Host}), so the bell page served by this very
 * node works on whatever port it runs. Anything else, including the opaque origin {@code null},
 * is refused.
 */
public final class OriginPolicy {

  private final Set<String> allowed;

  public OriginPolicy(List<String> allowedOrigins) {
    this.allowed = allowedOrigins.stream().map(OriginPolicy::normalise).collect(Collectors.toUnmodifiableSet());
  }

  /** Whether a request with these headers may go on. */
  public boolean allows(String origin, String host) {
    if (origin == null) return true;
    String o = normalise(origin);
    if (allowed.contains(o)) return true;
    String authority = authorityOf(o);
    return authority != null && host != null && authority.equals(host.trim().toLowerCase(Locale.ROOT));
  }

  private static String normalise(String origin) {
    String o = origin.trim().toLowerCase(Locale.ROOT);
    return o.endsWith("/") ? o.substring(0, o.length() - 1) : o;
  }

  private static String authorityOf(String origin) {
    try {
      URI u = URI.create(origin);
      String scheme = u.getScheme();
      if (!"http".equals(scheme) && !"https".equals(scheme)) return null;
      if (u.getRawAuthority() == null || u.getRawUserInfo() != null) return null;
      if (u.getRawPath() != null && !u.getRawPath().isEmpty()) return null;
      return u.getRawAuthority();
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
