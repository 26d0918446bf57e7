package dev.systemtables.push;

import io.vertx.ext.bridge.PermittedOptions;

import java.util.List;
import java.util.regex.Pattern;

/**
 * Every event-bus address a browser may see, in one place. Anything not listed here never
 * leaves the node through the SockJS bridge, and browsers may send or publish to nothing.
 *
 * <ul>
 *   <li>{@code notifications.user.<userId>}: one user's inbox events
 *   ({@code notification.created}, {@code notification.read}, {@code notifications.read-all},
 *   {@code notification.deleted}, each with {@code unreadCount}); only the holder of a token whose
 *   {@code sub} is {@code <userId>} may register.</li>
 *   <li>{@link #FLAGS_CHANGED}: {@code {"event": "flags.changed", "names": [...]}}; any valid token.</li>
 * </ul>
 * On either address, the socket that registered, and only that one, first gets
 * {@code {"event": "registered"}} once its register has taken effect on the node and in the cluster: anything
 * published after it reaches the socket.
 */
public final class BrowserAddresses {

  /** Prefix of a user's inbox address; the user id follows. */
  public static final String USER_PREFIX = "notifications.user.";

  /** The {@code event} of the acknowledgement a socket gets when its register has taken effect. */
  public static final String REGISTERED_EVENT = "registered";

  /** Flag-change signal (names only). */
  public static final String FLAGS_CHANGED = "flags.changed";

  /** What the bridge lets out for inbox addresses; a user id never contains a dot on the wire. */
  static final String USER_ADDRESS_REGEX = "notifications\\.user\\.[^.]+";

  private static final Pattern USER_ADDRESS = Pattern.compile(USER_ADDRESS_REGEX);

  private BrowserAddresses() {
  }

  /** The inbox address of a user. */
  public static String user(String userId) {
    return USER_PREFIX + userId;
  }

  /** The outbound permits of the bridge: the inbox addresses and the flag signal, nothing else. */
  public static List<PermittedOptions> outbound() {
    return List.of(
        new PermittedOptions().setAddressRegex(USER_ADDRESS_REGEX),
        new PermittedOptions().setAddress(FLAGS_CHANGED));
  }

  /**
   * Why no browser may register {@code address} whoever it is, or null when its shape is one
   * of ours. Checked before the token, so malformed addresses cost no verification.
   */
  public static String shapeRefusal(String address) {
    if (address == null || address.isEmpty()) return "address is required";
    if (FLAGS_CHANGED.equals(address)) return null;
    if (!USER_ADDRESS.matcher(address).matches()) return "address is not one a browser may register";
    return null;
  }

  /**
   * Why a caller with this {@code sub} may not register {@code address}, or null when it may.
   * The address must be exactly the caller's own inbox or the flag signal: regex-looking or
   * otherwise crafted addresses never match because the comparison is plain string equality.
   */
  public static String refusal(String address, String sub) {
    String shape = shapeRefusal(address);
    if (shape != null) return shape;
    if (FLAGS_CHANGED.equals(address)) return null;
    if (sub == null || !address.equals(user(sub))) return "address belongs to another user";
    return null;
  }
}
