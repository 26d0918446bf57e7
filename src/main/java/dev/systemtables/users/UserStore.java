package dev.systemtables.users;

import dev.systemtables.auth.Caller;
import dev.systemtables.auth.Role;
import dev.systemtables.common.Page;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

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

  private static final String COLUMNS = "id, role, brand_id, creator_id, email, created_at, updated_at";

  private static final String GET = "SELECT " + COLUMNS + " FROM users WHERE id = $1";

  // $1: a LIKE pattern or null (everyone); $2: a role or null.
  private static final String MATCHES = """
        ($1::text IS NULL OR id ILIKE $1 OR email ILIKE $1 OR brand_id ILIKE $1 OR creator_id ILIKE $1)
        AND ($2::text IS NULL OR role = $2)
      """;

  /** One page and the number of matches in one statement; the total row always comes back (a page past the end too). */
  static final String SEARCH = "SELECT c.total, p.* FROM (SELECT count(*) AS total FROM users WHERE\n" + MATCHES
      + ") c\nLEFT JOIN LATERAL (SELECT " + COLUMNS + " FROM users WHERE\n" + MATCHES + """
        ORDER BY id
        LIMIT $3 OFFSET $4) p ON true
      """;

  private final Pool pool;

  UserStore(Pool pool) {
    this.pool = pool;
  }

  Future<User> upsert(User u) {
    return pool.preparedQuery(UPSERT)
        .execute(Tuple.of(u.id(), u.role().name(), u.brandId(), u.creatorId(), u.email()))
        .map(rows -> toUser(rows.iterator().next()));
  }

  Future<Integer> upsertMany(List<User> users) {
    int n = users.size();
    String[] ids = new String[n], roles = new String[n], brands = new String[n], creators = new String[n],
        emails = new String[n];
    for (int i = 0; i < n; i++) {
      User u = users.get(i);
      ids[i] = u.id();
      roles[i] = u.role().name();
      brands[i] = u.brandId();
      creators[i] = u.creatorId();
      emails[i] = u.email();
    }
    Tuple args = Tuple.tuple().addArrayOfString(ids).addArrayOfString(roles).addArrayOfString(brands)
        .addArrayOfString(creators).addArrayOfString(emails);
    return pool.preparedQuery(UPSERT_MANY).execute(args).map(rows -> n);
  }

  /** The user with this id, or null. */
  Future<User> get(String id) {
    return pool.preparedQuery(GET).execute(Tuple.of(id))
        .map(rows -> rows.rowCount() == 0 ? null : toUser(rows.iterator().next()));
  }

  Future<Page<User>> search(UserQuery q) {
    Tuple args = Tuple.of(q.likePattern(), q.role() == null ? null : q.role().name(), q.pageSize(), q.offset());
    return pool.preparedQuery(SEARCH).execute(args).map(rows -> {
      List<User> items = new ArrayList<>(rows.rowCount());
      long total = 0;
      for (Row r : rows) {
        total = r.getLong("total");
        if (r.getString("id") != null) items.add(toUser(r));
      }
      return new Page<>(items, total);
    });
  }

  Future<Void> recordCaller(Caller c) {
    return pool.preparedQuery(RECORD_CALLER)
        .execute(Tuple.of(c.sub(), c.role().name(), c.brandId(), c.creatorId()))
        .mapEmpty();
  }

  private static User toUser(Row r) {
    return new User(r.getString("id"), Role.valueOf(r.getString("role")), r.getString("brand_id"),
        r.getString("creator_id"), r.getString("email"), instant(r.getOffsetDateTime("created_at")),
        instant(r.getOffsetDateTime("updated_at")));
  }

  private static java.time.Instant instant(OffsetDateTime t) {
    return t == null ? null : t.toInstant();
  }
}
