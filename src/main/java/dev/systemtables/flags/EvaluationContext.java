package dev.systemtables.flags;

import dev.systemtables.auth.Role;

import java.time.Instant;
import java.util.Map;

/**
 * Who a flag is evaluated for (Unleash's context).
 *
 * @param userId        the caller's id (token {@code sub}); the rollout buckets on it
 * @param role          the caller's role, matched against {@code userRoles}
 * @param brandId       null when the caller has none: then no {@code brandIds} list matches
 * @param creatorId     null when the caller has none: then no {@code creatorIds} list matches
 * @param attributes    what {@code customConditions} and constraints on custom fields compare with (Unleash
 *                      {@code properties}): token claims plus attributes given in the request (the HTTP layer lets
 *                      claims win, so a request cannot pose as another tenant); never null
 * @param sessionId     the second choice of {@code default} stickiness; may be null
 * @param remoteAddress the third choice of {@code default} stickiness, and what IN_CIDR usually tests; may be null
 * @param environment   e.g. {@code production}; may be null
 * @param appName       the calling application; may be null
 * @param currentTime   the time DATE_* constraints compare; null means the node's clock at evaluation
 */
public record EvaluationContext(String userId, Role role, String brandId, String creatorId,
                                Map<String, Object> attributes, String sessionId, String remoteAddress,
                                String environment, String appName, Instant currentTime) {

  public EvaluationContext {
    attributes = attributes == null ? Map.of() : attributes;
  }

  /** The context of a caller known by its token only. */
  public EvaluationContext(String userId, Role role, String brandId, String creatorId,
                           Map<String, Object> attributes) {
    this(userId, role, brandId, creatorId, attributes, null, null, null, null, null);
  }

  /**
   * The value of a context field as constraints see it: {@code userId}, {@code role} (the enum's name),
   * {@code brandId}, {@code creatorId}, {@code sessionId}, {@code remoteAddress}, {@code environment},
   * {@code appName}, {@code currentTime} (an {@link Instant}, null when not given), otherwise the attribute of
   * that name (Unleash {@code properties}); null when missing.
   */
  public Object field(String name) {
    return switch (name) {
      case "userId" -> userId;
      case "role" -> role == null ? null : role.name();
      case "brandId" -> brandId;
      case "creatorId" -> creatorId;
      case "sessionId" -> sessionId;
      case "remoteAddress" -> remoteAddress;
      case "environment" -> environment;
      case "appName" -> appName;
      case "currentTime" -> currentTime;
      default -> attributes.get(name);
    };
  }
}
