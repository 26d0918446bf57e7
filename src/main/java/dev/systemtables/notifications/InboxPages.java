package dev.systemtables.notifications;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.vertx.core.Future;

import java.util.List;

/**
 * Pages of inboxes kept in memory, each under the {@link InboxCounters} generation it was read at. A page is
 * served from memory only while the user's hash still shows that generation: every change of the inbox, on
 * any node, moves the generation before it is acknowledged, so a read that follows a change never meets a page
 * from before it. Without a generation (no Redis, a change in flight, counts rebuilt) pages come from
 * PostgreSQL and are not kept.
 *
 * <p>Why it is safe to keep a page read after the generation: the generation is read first, so a change that
 * the page misses cannot have moved it yet, and whoever sees the moved generation reads again.
 */
final class InboxPages {

  /** A page as read for one user and one query (only the {@code read} filter: the ones the counters cover). */
  private record Key(String userId, Boolean read, int page, int pageSize) {
  }

  private record Kept(String generation, List<Notification> items) {
  }

  private final NotificationStore store;
  private final Cache<Key, Kept> kept;

  /** @param entries at most this many pages kept; 0 keeps none */
  InboxPages(NotificationStore store, int entries) {
    this.store = store;
    this.kept = entries == 0 ? null : Caffeine.newBuilder().maximumSize(entries).build();
  }

  /** The page of {@code q} (type and priority unset, no {@code after}) for a user whose counters show {@code generation}. */
  Future<List<Notification>> page(String userId, NotificationQuery q, String generation) {
    if (kept == null || generation == null) return store.page(userId, q);
    Key key = new Key(userId, q.read(), q.page(), q.pageSize());
    Kept hit = kept.getIfPresent(key);
    if (hit != null && hit.generation().equals(generation)) return Future.succeededFuture(hit.items());
    return store.page(userId, q).map(items -> {
      List<Notification> page = List.copyOf(items);
      kept.put(key, new Kept(generation, page));
      return page;
    });
  }
}
