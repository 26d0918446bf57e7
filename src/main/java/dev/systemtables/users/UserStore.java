package dev.systemtables.users;

import dev.systemtables.common.Times;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;


/** All SQL of the users directory. */
final class UserStore {

  private static final String UPSERT = """
      INSERT INTO users (id, role, brand_id, creator_id, email)
      VALUES ($1, $2, $3, $4, $5)
      ON CONFLICT (id) DO UPDATE SET
        role = excluded.role, brand_id = excluded.brand_id, creator_id = excluded.creator_id,
        email = excluded.email, updated_at = now()
      RETURNING id, role, brand_id, creator_id, email, created_at, updated_at
      """;

  // One statement for the whole batch: arrays unnested side by side.
  private static final String UPSERT_MANY = """
      INSERT INTO users (id, role, brand_id, creator_id, email)
      SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[])
      ON CONFLICT (id) DO UPDATE SET
        role = excluded.role, brand_id = excluded.brand_id, creator_id = excluded.creator_id,
        email = excluded.email, updated_at = now()
      """;

  // Callers are recorded from their tokens; the email an admin gave is kept.
  private static final String RECORD_CALLER = """
      INSERT INTO users (id, role, brand_id, creator_id)
      VALUES ($1, $2, $3, $4)
      ON CONFLICT (id) DO UPDATE SET
        role = excluded.role, brand_id = excluded.brand_id, creator_id = excluded.creator_id, updated_at = now()
      WHERE (users.role, users.brand_id, users.creator_id)
            IS DISTINCT FROM (excluded.role, excluded.brand_id, excluded.creator_id)
      """;

  private final Pool pool;

  UserStore(Pool pool) {
    this.pool = pool;
  }

  Future<JsonObject> upsert(JsonObject u) {
    return pool.preparedQuery(UPSERT)
        .execute(Tuple.of(u.getString("id"), u.getString("role"), u.getString("brandId"),
            u.getString("creatorId"), u.getString("email")))
        .map(rows -> toJson(rows.iterator().next()));
  }

  Future<Integer> upsertMany(JsonArray users) {
    int n = users.size();
    String[] ids = new String[n], roles = new String[n], brands = new String[n], creators = new String[n],
        emails = new String[n];
    for (int i = 0; i < n; i++) {
      JsonObject u = users.getJsonObject(i);
      ids[i] = u.getString("id");
      roles[i] = u.getString("role");
      brands[i] = u.getString("brandId");
      creators[i] = u.getString("creatorId");
      emails[i] = u.getString("email");
    }
    Tuple args = Tuple.tuple().addArrayOfString(ids).addArrayOfString(roles).addArrayOfString(brands)
        .addArrayOfString(creators).addArrayOfString(emails);
    return pool.preparedQuery(UPSERT_MANY).execute(args).map(rows -> n);
  }

  Future<Void> recordCaller(JsonObject c) {
    return pool.preparedQuery(RECORD_CALLER)
        .execute(Tuple.of(c.getString("id"), c.getString("role"), c.getString("brandId"), c.getString("creatorId")))
        .mapEmpty();
  }

  private static JsonObject toJson(Row r) {
    return new JsonObject()
        .put("id", r.getString("id"))
        .put("role", r.getString("role"))
        .put("brandId", r.getString("brand_id"))
        .put("creatorId", r.getString("creator_id"))
        .put("email", r.getString("email"))
        .put("createdAt", Times.iso(r.getOffsetDateTime("created_at")))
        .put("updatedAt", Times.iso(r.getOffsetDateTime("updated_at")));
  }
}
