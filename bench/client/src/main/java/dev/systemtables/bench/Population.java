package dev.systemtables.bench;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;

import java.util.ArrayList;
import java.util.List;

/**
 * Who the benchmark's callers are. User {@code n} has the same attributes in its token and in the
 * directory rows {@link #usersSql()} seeds (one formula, kept here), so flag conditions on roles,
 * brands, creators and custom claims match a known mix of callers.
 */
final class Population {

  /** Tokens outlive the longest run by far; the bridge closes a socket when its token expires. */
  private static final int TOKEN_SECONDS = 4 * 3600;

  private final Settings s;
  private final JWTAuth jwt;

  Population(Vertx vertx, Settings s) {
    this.s = s;
    this.jwt = s.secret().isEmpty() ? null : JWTAuth.create(vertx, new JWTAuthOptions()
        .addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(s.secret())));
  }

  static String brandOf(int n) {
    return n % 3 != 0 ? "brand-" + (n % 50) : null;
  }

  static String creatorOf(int n) {
    return n % 2 == 0 ? "creator-" + n : null;
  }

  /** The token of user {@code n} (role CREATOR, with custom claims {@code plan} and {@code region}). */
  String userToken(int n) {
    JsonObject claims = new JsonObject().put("sub", s.userId(n)).put("role", "CREATOR")
        .put("plan", n % 4 == 0 ? "pro" : "free").put("region", n % 3 == 0 ? "eu" : "us");
    if (brandOf(n) != null) claims.put("brandId", brandOf(n));
    if (creatorOf(n) != null) claims.put("creatorId", creatorOf(n));
    return mint(claims);
  }

  /** Tokens of users 1..count, index 0 = user 1. */
  List<String> userTokens(int count) {
    List<String> tokens = new ArrayList<>(count);
    for (int n = 1; n <= count; n++) tokens.add(userToken(n));
    return tokens;
  }

  /** Distinct ADMIN callers: the service limits notification creation per caller and hour. */
  List<String> adminTokens(int count, int from) {
    List<String> tokens = new ArrayList<>(count);
    for (int n = from; n < from + count; n++) {
      tokens.add(mint(new JsonObject().put("sub", s.adminId(n)).put("role", "ADMIN")));
    }
    return tokens;
  }

  private String mint(JsonObject claims) {
    if (jwt == null) throw new IllegalStateException("--secret is required to mint tokens");
    return jwt.generateToken(claims, new JWTOptions().setAlgorithm("HS256").setExpiresInSeconds(TOKEN_SECONDS));
  }

  /** The upsert body that leaves user n exactly as seeded (so later scenarios see the same directory). */
  static JsonObject upsertBody(int n) {
    return new JsonObject().put("role", "CREATOR").put("brandId", brandOf(n)).put("creatorId", creatorOf(n));
  }

  /** The {@code roleUsers} CREATOR users of the directory, in one statement. */
  String usersSql() {
    return """
        INSERT INTO users (id, role, brand_id, creator_id)
        SELECT 'user-%1$s-' || n, 'CREATOR',
               CASE WHEN n %% 3 <> 0 THEN 'brand-' || (n %% 50) END,
               CASE WHEN n %% 2 = 0 THEN 'creator-' || n END
        FROM generate_series(1, %2$d) AS n;
        """.formatted(s.run(), s.roleUsers());
  }

  /**
   * {@code perInbox} notifications for each of users 1..inboxUsers, newest a few minutes old, one every
   * ten minutes back; 30 % read (so unread counts are ~70 % of the inbox). Then VACUUM ANALYZE, as a
   * table that has been live for a while would be.
   */
  String notificationsSql() {
    return """
        INSERT INTO notifications (id, user_id, type, title, message, priority, read, read_at, created_at)
        SELECT gen_random_uuid()::text, 'user-%1$s-' || u,
               (ARRAY['LICENSE','PAYOUT','ROYALTY','PROJECT','SYSTEM'])[1 + i %% 5],
               'Seeded notification ' || i,
               'Seeded message ' || i || ' for user ' || u,
               (ARRAY['LOW','MEDIUM','HIGH','URGENT'])[1 + i %% 4],
               r, CASE WHEN r THEN c + interval '1 minute' END, c
        FROM (SELECT u, i, i %% 10 < 3 AS r, now() - make_interval(secs => i * 600 + u %% 600) AS c
              FROM generate_series(1, %2$d) AS u, generate_series(1, %3$d) AS i) AS s;
        VACUUM ANALYZE notifications;
        VACUUM ANALYZE users;
        """.formatted(s.run(), s.inboxUsers(), s.perInbox());
  }

  /**
   * Flag {@code i} of the benchmark's set: every flag has conditions, a mix of the five kinds the
   * contract knows; 90 % enabled; rollouts from 0 to 100 %.
   */
  JsonObject flag(int i) {
    JsonObject conditions = new JsonObject();
    int rollout;
    switch (i % 5) {
      case 0 -> {
        conditions.put("userRoles", new JsonArray().add("CREATOR").add("BRAND"));
        rollout = 50;
      }
      case 1 -> {
        JsonArray brands = new JsonArray();
        for (int b = 0; b < 20; b++) brands.add("brand-" + b);
        conditions.put("brandIds", brands);
        rollout = 100;
      }
      case 2 -> {
        conditions.put("userRoles", new JsonArray().add("CREATOR"))
            .put("userIds", ids(i, 20))
            .put("customConditions", new JsonObject().put("plan", "pro"));
        rollout = 20;
      }
      case 3 -> {
        JsonArray creators = new JsonArray();
        for (int c = 1; c <= 50; c++) creators.add("creator-" + (2 * (i + c)));
        conditions.put("creatorIds", creators).put("userIds", ids(i, 50));
        rollout = 0;
      }
      default -> {
        conditions.put("customConditions", new JsonObject().put("plan", "free").put("region", "us"));
        rollout = 75;
      }
    }
    return new JsonObject().put("name", flagName(i)).put("enabled", i % 10 != 9)
        .put("description", "bench flag " + i).put("rolloutPercentage", rollout).put("conditions", conditions);
  }

  static String flagName(int i) {
    return "bench-flag-%03d".formatted(i);
  }

  private JsonArray ids(int seed, int count) {
    JsonArray ids = new JsonArray();
    for (int k = 0; k < count; k++) ids.add(s.userId(1 + (seed * 31 + k * 97) % Math.max(1, s.users())));
    return ids;
  }
}
